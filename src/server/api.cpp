// SPDX-License-Identifier: Apache-2.0
#include "server/api.hpp"

#include "contract/lottery_abi.hpp"
#include "eth/address.hpp"
#include "logging/log.hpp"
#include "server/relay.hpp"
#include "store/json.hpp"
#include "store/queries.hpp"
#include "store/verify.hpp"

#include <boost/json/serialize.hpp>

#include <chrono>
#include <exception>

namespace lottery::server {

namespace json = boost::json;

namespace {

using Kind = ParamSpec::In;

std::uint64_t unix_now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::shared_ptr<const store::Snapshot> snapshot_of(const ApiDeps& deps) {
  return deps.context->store->snapshot();
}

Response param_error(const ParamError& error) {
  return error_response(http::status::bad_request, error.code, error.message);
}

ParamSpec limit_param(std::size_t fallback, std::size_t max) {
  ParamSpec p;
  p.name = "limit";
  p.type = "integer";
  p.description = "How many entries to return.";
  p.minimum = 1;
  p.maximum = static_cast<std::int64_t>(max);
  p.default_value = static_cast<std::int64_t>(fallback);
  return p;
}

ParamSpec path_param(std::string name, std::string type, std::string description) {
  ParamSpec p;
  p.name = std::move(name);
  p.in = Kind::kPath;
  p.type = std::move(type);
  p.description = std::move(description);
  p.required = true;
  return p;
}

RouteSpec route_spec(http::verb method, std::string pattern, std::string summary,
                     std::string tag = "lottery") {
  RouteSpec spec;
  spec.method = method;
  spec.pattern = std::move(pattern);
  spec.summary = std::move(summary);
  spec.tag = std::move(tag);
  return spec;
}

template <class Fn>
Handler sync(Fn fn) {
  return [fn = std::move(fn)](RequestContext& ctx) -> infra::Task<Response> { co_return fn(ctx); };
}

/// A page of a list view: the pre-serialised default when `limit` is the
/// default, else built for this request.
template <class Build>
Response list_view(const RequestContext& ctx, std::size_t fallback, std::size_t max,
                   const std::shared_ptr<const std::string>& cached, Build build) {
  auto limit = parse_limit(ctx.query, fallback, 1, max);
  if (auto* error = std::get_if<ParamError>(&limit)) return param_error(*error);
  const std::size_t n = std::get<std::size_t>(limit);
  if (n == fallback && cached) return json_response(cached);
  return json_response(json::serialize(build(n)));
}

}  // namespace

std::string health_body(const store::Snapshot& snap, const ApiDeps& deps,
                        const json::value* endpoints) {
  const bool healthy = snap.chain.reachable && !snap.chain.lagging;
  json::object blockchain = store::chain_status_json(snap.chain);
  if (endpoints != nullptr) blockchain["endpoints"] = *endpoints;
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::steady_clock::now() - deps.started)
                          .count();
  json::object components{
      {"web", true},
      {"blockchain", std::move(blockchain)},
      {"operator", store::operator_status_json(snap.operator_status)},
      {"store", json::object{{"round", snap.round.round_id}, {"version", snap.version}}}};
  if (deps.context != nullptr && deps.context->replica) {
    try {
      components["replica"] = deps.context->replica();
    } catch (const std::exception& e) {
      components["replica"] = json::object{{"role", "unknown"}, {"error", e.what()}};
    }
  } else {
    components["replica"] = json::object{{"role", "standalone"}};
  }
  json::object body{{"status", healthy ? "ok" : "degraded"},
                    {"timestamp", unix_now()},
                    {"version", deps.options->version},
                    {"uptime_s", uptime},
                    {"components", std::move(components)}};
  return json::serialize(body);
}

void add_api_routes(Router& router, ApiDeps deps) {
  const auto d = std::make_shared<ApiDeps>(std::move(deps));

  // Health and readiness.
  RouteSpec health =
      route_spec(http::verb::get, "/health", "Liveness and component health", "health");
  health.aliases = {"/api/health"};
  health.responses = {{200, "Serving; status ok or degraded"}};
  router.add(health, sync([d](RequestContext&) {
               const auto snap = snapshot_of(*d);
               std::optional<json::value> endpoints;
               if (d->context->rpc_endpoints) {
                 try {
                   endpoints = d->context->rpc_endpoints();
                 } catch (const std::exception& e) {
                   endpoints = json::value(json::string(std::string("unavailable: ") + e.what()));
                 }
               }
               Response res =
                   json_response(health_body(*snap, *d, endpoints ? &*endpoints : nullptr));
               res.headers.emplace_back("Cache-Control", "no-store");
               return res;
             }));

  RouteSpec ready = route_spec(http::verb::get, "/api/ready",
                               "Readiness: first sync done and chain reachable", "health");
  ready.responses = {{200, "Ready"}, {503, "Not ready yet"}};
  router.add(
      ready, sync([d](RequestContext&) {
        const auto snap = snapshot_of(*d);
        const bool is_ready =
            d->context->ready ? d->context->ready() : (snap->chain.synced && snap->chain.reachable);
        json::object body{{"ready", is_ready},
                          {"synced", snap->chain.synced},
                          {"chain_reachable", snap->chain.reachable},
                          {"latest_block", snap->chain.latest_block}};
        Response res = json_response(
            json::serialize(body), is_ready ? http::status::ok : http::status::service_unavailable);
        res.headers.emplace_back("Cache-Control", "no-store");
        return res;
      }));

  RouteSpec metrics = route_spec(http::verb::get, "/metrics", "Prometheus metrics", "health");
  metrics.response_content_type = "text/plain; version=0.0.4";
  router.add(metrics, sync([d](RequestContext&) {
               Response res;
               res.content_type = "text/plain; version=0.0.4; charset=utf-8";
               res.body = std::make_shared<const std::string>(d->context->metrics->render());
               res.headers.emplace_back("Cache-Control", "no-store");
               return res;
             }));

  RouteSpec openapi =
      route_spec(http::verb::get, "/api/openapi.json", "This OpenAPI 3 document", "meta");
  router.add(openapi, sync([d](RequestContext&) {
               auto doc = d->openapi ? *d->openapi : nullptr;
               if (!doc) {
                 return error_response(http::status::service_unavailable, "not_ready",
                                       "The API description is not built yet.");
               }
               return json_response(doc);
             }));

  // Overview.
  RouteSpec status = route_spec(http::verb::get, "/api/status",
                                "Round, players, recent history, operator and chain in one call");
  router.add(status, sync([d](RequestContext&) {
               const auto snap = snapshot_of(*d);
               std::string body = "{\"timestamp\":" + std::to_string(snap->chain_time());
               body += ",\"round\":" + *snap->views.round_status;
               body += ",\"participants\":" + *snap->views.participants;
               body += ",\"recent_history\":" +
                       json::serialize(store::history_view_json(*snap, store::kWsSnapshotHistory));
               body += ",\"operator\":" +
                       json::serialize(store::operator_status_json(snap->operator_status));
               body += ",\"blockchain\":" + json::serialize(store::chain_status_json(snap->chain));
               body += ",\"websocket_connections\":" +
                       std::to_string(d->websocket_clients ? d->websocket_clients() : 0);
               body += '}';
               return json_response(std::move(body));
             }));

  // The current round.
  RouteSpec round = route_spec(http::verb::get, "/api/round/status", "The current round");
  round.aliases = {"/api/draw/current"};
  router.add(round, sync([d](RequestContext&) {
               return json_response(snapshot_of(*d)->views.round_status);
             }));

  RouteSpec participants = route_spec(http::verb::get, "/api/round/participants",
                                      "Players of the current round by stake, descending");
  participants.params = {limit_param(store::kParticipantsViewLimit, kMaxParticipantsLimit)};
  participants.responses = {{400, "Bad limit"}};
  router.add(participants, sync([d](RequestContext& ctx) {
               const auto snap = snapshot_of(*d);
               return list_view(ctx, store::kParticipantsViewLimit, kMaxParticipantsLimit,
                                snap->views.participants, [&](std::size_t n) {
                                  return store::participants_view_json(*snap, n);
                                });
             }));

  RouteSpec player = route_spec(http::verb::get, "/api/round/player",
                                "One player's stake and win chance in the current round");
  ParamSpec player_param;
  player_param.name = "player";
  player_param.required = true;
  player_param.description = "The player's address (0x + 40 hex digits).";
  player.params = {player_param};
  player.responses = {{400, "Missing or invalid player address"}};
  router.add(
      player, sync([d](RequestContext& ctx) {
        const auto text = query_value(ctx.query, "player");
        if (!text || text->empty()) {
          return error_response(http::status::bad_request, "missing_parameter",
                                "The query parameter player (an address) is required.");
        }
        auto address = parse_address_param(*text, "player");
        if (auto* error = std::get_if<ParamError>(&address)) return param_error(*error);
        const auto snap = snapshot_of(*d);
        return json_response(store::player_view_json(*snap, std::get<eth::Address>(address)));
      }));

  // History and verification.
  RouteSpec history = route_spec(http::verb::get, "/api/history", "Finished rounds, newest first");
  history.aliases = {"/api/draw/history"};
  history.params = {limit_param(store::kHistoryViewLimit, kMaxHistoryLimit)};
  history.responses = {{400, "Bad limit"}};
  router.add(history, sync([d](RequestContext& ctx) {
               const auto snap = snapshot_of(*d);
               return list_view(ctx, store::kHistoryViewLimit, kMaxHistoryLimit,
                                snap->views.history,
                                [&](std::size_t n) { return store::history_view_json(*snap, n); });
             }));

  RouteSpec history_round = route_spec(http::verb::get, "/api/history/{round_id}",
                                       "One finished round with all its bets");
  history_round.params = {path_param("round_id", "integer", "The round id.")};
  history_round.responses = {{400, "Bad round id"}, {404, "Round not known"}};
  router.add(history_round, sync([d](RequestContext& ctx) {
               auto id = parse_round_id(ctx.param("round_id"));
               if (auto* error = std::get_if<ParamError>(&id)) return param_error(*error);
               const auto snap = snapshot_of(*d);
               auto found = store::history_round(*snap, std::get<std::uint64_t>(id));
               if (!found) {
                 return error_response(http::status::not_found, "round_not_found",
                                       "No finished round with this id is known to the service.");
               }
               json::object body = store::finished_round_json(*found, true);
               body["timestamp"] = snap->chain_time();
               return json_response(json::serialize(body));
             }));

  RouteSpec verify = route_spec(http::verb::get, "/api/verify/{round_id}",
                                "Recompute a round's winner from its seed and bets");
  verify.params = {path_param("round_id", "integer", "The round id.")};
  verify.responses = {{400, "Bad round id"},
                      {404, "Round not known"},
                      {409, "The round was refunded: nothing was drawn"}};
  router.add(verify, sync([d](RequestContext& ctx) {
               auto id = parse_round_id(ctx.param("round_id"));
               if (auto* error = std::get_if<ParamError>(&id)) return param_error(*error);
               const auto snap = snapshot_of(*d);
               auto found = store::history_round(*snap, std::get<std::uint64_t>(id));
               if (!found) {
                 return error_response(http::status::not_found, "round_not_found",
                                       "No finished round with this id is known to the service.");
               }
               auto result = store::verify_round(*found);
               if (!result) {
                 return error_response(http::status::conflict, "round_refunded",
                                       "The round was refunded, so no winner was drawn.");
               }
               return json_response(json::serialize(store::verify_json(*result)));
             }));

  RouteSpec activities =
      route_spec(http::verb::get, "/api/activities", "The activity feed, newest first");
  activities.params = {limit_param(store::kActivitiesViewLimit, kMaxActivitiesLimit)};
  activities.responses = {{400, "Bad limit"}};
  router.add(activities, sync([d](RequestContext& ctx) {
               const auto snap = snapshot_of(*d);
               return list_view(
                   ctx, store::kActivitiesViewLimit, kMaxActivitiesLimit, snap->views.activities,
                   [&](std::size_t n) { return store::activities_view_json(*snap, n); });
             }));

  RouteSpec user_bets = route_spec(http::verb::get, "/api/user/{address}/bets",
                                   "A player's bets across known rounds with outcomes");
  user_bets.params = {path_param("address", "string", "The player's address.")};
  user_bets.responses = {{400, "Invalid address"}};
  router.add(user_bets, sync([d](RequestContext& ctx) {
               auto address = parse_address_param(ctx.param("address"), "address");
               if (auto* error = std::get_if<ParamError>(&address)) return param_error(*error);
               const auto snap = snapshot_of(*d);
               return json_response(json::serialize(
                   store::player_bets_json(*snap, std::get<eth::Address>(address))));
             }));

  // The contract.
  RouteSpec config =
      route_spec(http::verb::get, "/api/contract/config", "The contract's configuration");
  router.add(config,
             sync([d](RequestContext&) { return json_response(snapshot_of(*d)->views.config); }));

  RouteSpec address = route_spec(http::verb::get, "/api/contract/address", "The contract address");
  router.add(address, sync([d](RequestContext&) {
               const auto snap = snapshot_of(*d);
               json::object body{{"contract_address", eth::to_checksum(snap->contract_address)},
                                 {"timestamp", snap->chain_time()}};
               return json_response(json::serialize(body));
             }));

  RouteSpec abi = route_spec(http::verb::get, "/contracts/abi/Lottery.abi",
                             "The contract ABI (JSON)", "contract");
  abi.responses = {{404, "ABI file not available"}};
  // Without a configured file the ABI built into the binary is served.
  auto built_in_abi =
      std::make_shared<const FileEntry>(make_entry(std::string(contract::lottery_abi_json())));
  router.add(abi, sync([d, built_in_abi](RequestContext& ctx) {
               const auto if_none_match = ctx.request[http::field::if_none_match];
               if (d->options->abi_path.empty()) {
                 return StaticFiles::serve_entry(*built_in_abi, "application/json", if_none_match);
               }
               return d->files->serve_file(d->options->abi_path, "application/json", if_none_match);
             }));

  // The bet relay.
  RouteSpec bet = route_spec(http::verb::post, "/api/bet",
                             "Relay a wallet-signed placeBet() transaction to the node");
  bet.has_json_body = true;
  bet.request_description =
      "{\"raw_transaction\": \"0x…\"}: a signed placeBet() transaction "
      "for this chain and contract.";
  bet.rate_limited = true;
  bet.responses = {{400, "Not a valid placeBet transaction for this chain and contract"},
                   {413, "Body too large"},
                   {429, "Rate limited"},
                   {502, "The node refused the transaction"},
                   {503, "No relay configured"}};
  router.add(bet, [d](RequestContext& ctx) -> infra::Task<Response> {
    const auto snap = snapshot_of(*d);
    BetRules rules;
    rules.chain_id = d->context->chain_id ? d->context->chain_id() : snap->chain.chain_id;
    rules.contract_address = snap->contract_address;
    if (snap->config) rules.min_bet = snap->config->min_bet;
    auto checked = check_bet_request(ctx.request.body(), rules);
    if (auto* error = std::get_if<ParamError>(&checked)) co_return param_error(*error);
    if (!d->context->relay) {
      co_return error_response(http::status::service_unavailable, "relay_unavailable",
                               "This service does not relay transactions; send it from your "
                               "wallet instead.");
    }
    auto& bet_txn = std::get<CheckedBet>(checked);
    std::string tx_hash;
    std::string failure;
    try {
      tx_hash = co_await d->context->relay(bet_txn.raw_hex);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (!failure.empty()) {
      logging::log_warn("server", "bet relay failed", {{"error", failure}});
      co_return error_response(http::status::bad_gateway, "relay_failed",
                               "The node did not accept the transaction: " + failure);
    }
    logging::log_info("server", "relayed a bet",
                      {{"tx", tx_hash}, {"player", eth::to_checksum(bet_txn.sender)}});
    co_return json_response(json::serialize(json::object{{"tx_hash", tx_hash}}));
  });

  // WebSocket endpoints: upgrades are taken before routing; this handler
  // answers plain GETs.
  RouteSpec ws =
      route_spec(http::verb::get, "/ws/lottery",
                 "WebSocket feed: snapshot on connect, then typed change messages", "websocket");
  ws.aliases = {"/ws"};
  ws.websocket = true;
  ws.rate_limited = true;
  ws.responses = {{426, "Upgrade required"}, {429, "Rate limited"}, {503, "Too many clients"}};
  router.add(ws, sync([](RequestContext&) {
               Response res = error_response(http::status::upgrade_required, "upgrade_required",
                                             "Connect with a WebSocket client.");
               res.headers.emplace_back("Upgrade", "websocket");
               return res;
             }));
}

}  // namespace lottery::server
