// SPDX-License-Identifier: Apache-2.0
#include "app/custody_routes.hpp"

#include "custody/key_source.hpp"
#include "logging/log.hpp"

#include <memory>

namespace lottery::app {
namespace {

using server::http::verb;

server::Response to_response(custody::HttpAnswer answer) {
  server::Response res;
  res.status = static_cast<server::http::status>(answer.status);
  res.content_type = std::move(answer.content_type);
  res.body = std::make_shared<const std::string>(std::move(answer.body));
  // Keys and attestation documents are per-process and per-nonce: never cached.
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

std::string query_nonce(const server::RequestContext& ctx) {
  const auto nonce = server::query_value(ctx.query, "nonce");
  return nonce ? std::string(*nonce) : std::string();
}

}  // namespace

std::optional<Custody> make_custody(const config::Settings& settings, operation::Operator& op,
                                    const store::Store& store) {
  if (auto error = custody::check_attestation_environment(settings.enclave.attestation_enabled)) {
    logging::log_error("custody", *error);
    return std::nullopt;
  }
  const custody::KeyPlan plan = custody::plan_key_source(settings.blockchain);
  logging::log_info("custody", plan.description);

  auto contract_operator = [&store]() -> std::optional<eth::Address> {
    const auto snap = store.snapshot();
    if (!snap || !snap->config) return std::nullopt;
    return snap->config->operator_addr;
  };
  const std::optional<eth::Address> configured = settings.blockchain.operator_address;

  custody::InjectorOptions options;
  options.operator_address = configured;
  options.contract_operator = contract_operator;
  options.key_configured = !plan.injection_open();
  options.sink = [&op](eth::PrivateKey key) { op.set_signer(std::move(key)); };

  Custody out;
  out.injector = std::make_unique<custody::KeyInjector>(std::move(options));

  custody::AttestorOptions attest;
  attest.use_nsm = settings.enclave.attestation_enabled;
  attest.operator_address = [configured, contract_operator]() -> std::optional<eth::Address> {
    return configured ? configured : contract_operator();
  };
  out.attestor =
      std::make_unique<custody::Attestor>(out.injector->key_pair().public_key(), std::move(attest));
  if (out.attestor->dev()) {
    logging::log_warn("custody",
                      "attestation documents are UNSIGNED DEV documents (not in a Nitro Enclave); "
                      "they prove nothing. Set ENCLAVE_ATTESTATION_ENABLED=true inside an enclave");
  }
  return out;
}

void register_custody_routes(server::Server& http_server, Custody& custody) {
  custody::KeyInjector* injector = custody.injector.get();
  const custody::Attestor* attestor = custody.attestor.get();

  server::RouteSpec pub;
  pub.method = verb::get;
  pub.pattern = "/api/get_pub_key";
  pub.summary = "The per-process secp384r1 public key to encrypt the operator key to (ECIES)";
  pub.tag = "custody";
  http_server.add_route(pub, [injector](server::RequestContext&) -> infra::Task<server::Response> {
    co_return to_response({200, injector->public_key_json(), "application/json"});
  });

  server::RouteSpec set;
  set.method = verb::post;
  set.pattern = "/api/set_operator_key";
  set.summary = "Inject the operator key, ECIES-encrypted to /api/get_pub_key (once per process)";
  set.tag = "custody";
  set.has_json_body = true;
  set.request_description =
      "{\"encrypted_private_key\": base64(ephemeral 97 || nonce 12 || AES-256-GCM ciphertext+tag "
      "|| HMAC-SHA256 32)}";
  set.rate_limited = true;
  set.responses = {{400,
                    "Bad base64, length, ephemeral key, HMAC, ciphertext or key, or the key "
                    "of another address"},
                   {403, "A key is already installed"},
                   {429, "Too many attempts"},
                   {503, "The operator address is not known yet"}};
  http_server.add_route(
      set, [injector](server::RequestContext& ctx) -> infra::Task<server::Response> {
        co_return to_response(injector->handle_set_operator_key(ctx.request.body(), ctx.client_ip));
      });

  server::ParamSpec nonce;
  nonce.name = "nonce";
  nonce.description = "Hex nonce (at most 512 bytes) the document must carry";

  server::RouteSpec att;
  att.method = verb::get;
  att.pattern = "/api/attestation";
  att.summary = "Attestation document binding the injection key and operator address (JSON)";
  att.tag = "custody";
  att.params = {nonce};
  att.responses = {{400, "The nonce is not hex or too long"}, {500, "The NSM failed"}};
  http_server.add_route(att,
                        [attestor](server::RequestContext& ctx) -> infra::Task<server::Response> {
                          co_return to_response(attestor->attestation_json(query_nonce(ctx)));
                        });

  server::RouteSpec raw;
  raw.method = verb::post;
  raw.pattern = "/.well-known/attestation";
  raw.summary = "The raw attestation document (COSE_Sign1, application/cbor)";
  raw.tag = "custody";
  raw.params = {nonce};
  raw.has_json_body = true;
  raw.request_description = "Optional {\"nonce\": \"<hex>\"} (or ?nonce=)";
  raw.rate_limited = true;
  raw.response_content_type = "application/cbor";
  raw.responses = {{400, "The nonce is not hex or too long"}, {500, "The NSM failed"}};
  http_server.add_route(
      raw, [attestor](server::RequestContext& ctx) -> infra::Task<server::Response> {
        co_return to_response(attestor->attestation_raw(query_nonce(ctx), ctx.request.body()));
      });
}

}  // namespace lottery::app
