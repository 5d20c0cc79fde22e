// SPDX-License-Identifier: Apache-2.0
#include "app/cmd_verify_attestation.hpp"

#include "app/cmd_inject_key.hpp"
#include "custody/attestation.hpp"
#include "eth/hex.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

namespace lottery::app {
namespace {

namespace json = boost::json;

constexpr auto kTimeout = std::chrono::seconds(15);

enum Exit : int { kVerified = 0, kFailed = 1, kUnreadable = 2, kDev = 3 };

[[noreturn]] void fail(int code, const std::string& message) {
  std::fprintf(stderr, "verify-attestation: %s\n", message.c_str());
  throw CLI::RuntimeError(code);
}

eth::Bytes read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(kUnreadable, "cannot read '" + path + "'");
  eth::Bytes data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (data.size() > 4 * custody::kMaxDocumentBytes)
    fail(kUnreadable, "'" + path + "' is too large");
  return data;
}

std::string trimmed(const eth::Bytes& data) {
  std::string text(data.begin(), data.end());
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0)
    text.pop_back();
  std::size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start])) != 0) ++start;
  return text.substr(start);
}

// The JSON of /api/attestation, base64, or raw CBOR.
eth::Bytes document_from(const eth::Bytes& data) {
  const std::string text = trimmed(data);
  if (!text.empty() && text.front() == '{') {
    boost::system::error_code ec;
    const json::value doc = json::parse(text, ec);
    const json::value* field =
        !ec && doc.is_object() ? doc.as_object().if_contains("attestation_document") : nullptr;
    if (field == nullptr || !field->is_string()) {
      fail(kUnreadable, "the JSON has no attestation_document string");
    }
    const auto decoded = custody::base64_decode(std::string(field->as_string()));
    if (!decoded) fail(kUnreadable, "attestation_document is not base64");
    return *decoded;
  }
  if (auto decoded = custody::base64_decode(text)) return *decoded;
  return data;
}

std::optional<eth::Bytes> hex_option(const std::string& text, const char* name) {
  if (text.empty()) return std::nullopt;
  std::string_view digits(text);
  if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    digits.remove_prefix(2);
  }
  auto bytes = custody::bare_hex_decode(digits);
  if (!bytes) fail(kUnreadable, std::string(name) + " must be hex");
  return bytes;
}

void print_document(const custody::AttestationDocument& doc) {
  std::printf("module_id   %s\n", doc.module_id.c_str());
  std::printf("timestamp   %llu ms\n", static_cast<unsigned long long>(doc.timestamp_ms));
  for (const auto& [index, value] : doc.pcrs) {
    if (index <= 4 || index == 8) {
      std::printf("PCR%-8llu %s\n", static_cast<unsigned long long>(index),
                  eth::hex_encode_bare(value).c_str());
    }
  }
  if (doc.public_key)
    std::printf("public_key  %s\n", eth::hex_encode_bare(*doc.public_key).c_str());
  if (doc.user_data && doc.user_data->size() >= 20) {
    eth::Address address;
    std::copy_n(doc.user_data->begin(), 20, address.bytes.begin());
    std::printf("operator    %s\n", address == eth::Address{} ? "(not bound: unknown when attested)"
                                                              : eth::to_checksum(address).c_str());
  }
  std::printf("nonce       %s\n", doc.nonce ? eth::hex_encode_bare(*doc.nonce).c_str() : "(none)");
}

}  // namespace

void register_verify_attestation_command(CLI::App& cli) {
  CLI::App* cmd = cli.add_subcommand(
      "verify-attestation",
      "Verify an attestation document: AWS Nitro certificate chain, COSE signature, nonce and "
      "bound public key. Exit 0 verified, 1 failed, 2 unreadable, 3 dev document.");
  struct Options {
    std::string file;
    std::string url;
    std::string nonce;
    std::string expect_public_key;
    std::string root_cert;
    std::int64_t at_time = 0;
  };
  auto o = std::make_shared<Options>();
  auto* file = cmd->add_option("--file", o->file,
                               "Document file: raw CBOR, base64, or the JSON of /api/attestation");
  auto* url = cmd->add_option("--url", o->url, "Base URL of a running service");
  file->excludes(url);
  url->excludes(file);
  cmd->add_option("--nonce", o->nonce,
                  "Expected nonce (hex). With --url it is sent; default there: a fresh random one");
  cmd->add_option("--expect-public-key", o->expect_public_key,
                  "Expected injection public key (hex). With --url default: /api/get_pub_key");
  cmd->add_option("--root-cert", o->root_cert,
                  "Trust this root certificate (PEM/DER) instead of the AWS Nitro root");
  cmd->add_option("--at-time", o->at_time,
                  "Check certificate validity at this unix time (for archived documents)");
  cmd->callback([o] {
    if (o->file.empty() == o->url.empty()) fail(kUnreadable, "give exactly one of --file or --url");
    custody::VerifyOptions verify;
    verify.expected_nonce = hex_option(o->nonce, "--nonce");
    verify.expected_public_key = hex_option(o->expect_public_key, "--expect-public-key");
    if (o->at_time > 0) verify.at_time = o->at_time;
    if (!o->root_cert.empty()) {
      try {
        verify.root_der = custody::certificate_der(read_file(o->root_cert));
      } catch (const custody::AttestationError& e) {
        fail(kUnreadable, "--root-cert: " + std::string(e.what()));
      }
    }

    eth::Bytes document;
    if (!o->file.empty()) {
      document = document_from(read_file(o->file));
    } else {
      if (!verify.expected_nonce) verify.expected_nonce = custody::random_bytes(32);
      const std::string target = join_url(
          o->url, "/api/attestation?nonce=" + eth::hex_encode_bare(*verify.expected_nonce));
      const HttpReply reply = http_exchange("GET", target, "", "", kTimeout);
      if (reply.status != 200) {
        fail(kUnreadable,
             "cannot fetch " + target + ": " +
                 (reply.status == 0 ? reply.error : "HTTP " + std::to_string(reply.status)));
      }
      document = document_from(eth::Bytes(reply.body.begin(), reply.body.end()));
      if (!verify.expected_public_key) {
        const HttpReply pub =
            http_exchange("GET", join_url(o->url, "/api/get_pub_key"), "", "", kTimeout);
        boost::system::error_code ec;
        const json::value doc = json::parse(pub.body, ec);
        const json::value* hex =
            !ec && doc.is_object() ? doc.as_object().if_contains("public_key_hex") : nullptr;
        if (pub.status != 200 || hex == nullptr || !hex->is_string()) {
          fail(kUnreadable, "cannot fetch the service's public key from /api/get_pub_key");
        }
        verify.expected_public_key = hex_option(std::string(hex->as_string()), "public_key_hex");
      }
    }

    const custody::VerifyReport report = custody::verify_attestation(document, verify);
    if (!report.checks.empty() && report.checks.front().name == "decode" &&
        !report.checks.front().ok) {
      fail(kUnreadable, "not an attestation document: " + report.checks.front().detail);
    }
    print_document(report.document);
    for (const auto& check : report.checks) {
      std::printf("%-17s %s  %s\n", check.name.c_str(), check.ok ? "ok  " : "FAIL",
                  check.detail.c_str());
    }
    if (!verify.expected_nonce)
      std::printf("note: no --nonce given, so freshness was not checked\n");
    if (!verify.expected_public_key) {
      std::printf("note: no --expect-public-key given, so the served key was not compared\n");
    }
    if (report.dev) {
      std::printf(
          "DEV DOCUMENT: unsigned, not from a Nitro Enclave. It proves nothing about the "
          "code or where the key lives.\n");
      throw CLI::RuntimeError(kDev);
    }
    if (!report.ok) {
      std::printf("NOT VERIFIED\n");
      throw CLI::RuntimeError(kFailed);
    }
    std::printf("VERIFIED\n");
  });
}

}  // namespace lottery::app
