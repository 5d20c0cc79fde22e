// SPDX-License-Identifier: Apache-2.0
#include "config/table.hpp"

#include "eth/address.hpp"
#include "logging/redact.hpp"

#include <boost/json/array.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

namespace lottery::config {
namespace {

namespace json = boost::json;

// ---- value syntax shared by all rows ----------------------------------------

std::string_view trim(std::string_view text) noexcept {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

char lower_ascii(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lower_copy(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower_ascii);
  return out;
}

std::optional<std::uint64_t> parse_uint(std::string_view text) noexcept {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto res = std::from_chars(text.data(), end, value);
  if (res.ec != std::errc() || res.ptr != end) return std::nullopt;
  return value;
}

std::optional<double> parse_double(std::string_view text) noexcept {
  text = trim(text);
  if (text.empty() || text.front() == '+') return std::nullopt;
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto res = std::from_chars(text.data(), end, value);
  if (res.ec != std::errc() || res.ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<bool> parse_bool(std::string_view text) {
  const std::string v = lower_copy(trim(text));
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return std::nullopt;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  while (true) {
    const auto comma = text.find(',');
    const auto item = trim(text.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out.push_back(',');
    out.append(item);
  }
  return out;
}

std::string double_text(double value) {
  std::array<char, 32> buf{};
  const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  return std::string(buf.data(), res.ptr);
}

bool has_schemes(const boost::urls::url_view& url,
                 std::initializer_list<std::string_view> schemes) {
  const std::string scheme = lower_copy(url.scheme());
  return std::find(schemes.begin(), schemes.end(), scheme) != schemes.end();
}

// An absolute URL with one of `schemes` and a host.
bool valid_url(std::string_view text, std::initializer_list<std::string_view> schemes) {
  const auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return false;
  return has_schemes(*parsed, schemes) && parsed->has_authority() && !parsed->host().empty();
}

// A CORS origin: "*" or scheme://host[:port] exactly as browsers send it.
bool valid_origin(std::string_view text) {
  if (text == "*") return true;
  const auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return false;
  return has_schemes(*parsed, {"http", "https"}) && parsed->has_authority() &&
         !parsed->host().empty() && !parsed->has_userinfo() && parsed->path().empty() &&
         !parsed->has_query() && !parsed->has_fragment();
}

// URLs may carry credentials (redis://:password@host, https://user:token@node).
// Shown values mask the password; the password is also registered with the
// log redactor so it never reaches a log line.
std::string mask_url_password(const std::string& text) {
  const auto parsed = boost::urls::parse_uri_reference(text);
  if (!parsed || !parsed->has_password()) return text;
  boost::urls::url copy(*parsed);
  copy.set_password(logging::kRedacted);
  // set_password percent-encodes the brackets; show them plainly.
  std::string out(copy.buffer());
  const std::string encoded = "%5BREDACTED%5D";
  const auto pos = out.find(encoded);
  if (pos != std::string::npos) out.replace(pos, encoded.size(), logging::kRedacted);
  return out;
}

void register_url_password(std::string_view text) {
  const auto parsed = boost::urls::parse_uri_reference(text);
  if (parsed && parsed->has_password()) {
    logging::register_secret(parsed->password());
    logging::register_secret(parsed->encoded_password());
  }
}

// ---- row builders -------------------------------------------------------------

// Points at one member of one section of Settings, for const and non-const use.
template <class Section, class T>
struct Ref {
  Section Settings::*section;
  T Section::*member;
  T& operator()(Settings& s) const { return (s.*section).*member; }
  const T& operator()(const Settings& s) const { return (s.*section).*member; }
};

template <class Section, class T>
Ref<Section, T> ref(Section Settings::*section, T Section::*member) {
  return {section, member};
}

struct Text {
  std::string_view key;
  std::string_view env;
  std::string_view expected;
  std::string_view description;
};

SettingDescriptor row(const Text& t, std::string_view type) {
  SettingDescriptor d;
  d.key = t.key;
  d.env = t.env;
  d.type = type;
  d.expected = t.expected;
  d.description = t.description;
  return d;
}

// Unsigned integers, plain or optional, within [min, max].
template <class Section, class T>
SettingDescriptor integer(const Text& t, Ref<Section, T> at, std::uint64_t min, std::uint64_t max) {
  SettingDescriptor d = row(t, "integer");
  constexpr bool kOptional = !std::is_integral_v<T>;
  d.optional = kOptional;
  d.assign = [at, min, max](Settings& s, std::string_view text) {
    if constexpr (kOptional) {
      if (trim(text).empty()) {
        at(s).reset();
        return true;
      }
    }
    const auto v = parse_uint(text);
    if (!v || *v < min || *v > max) return false;
    if constexpr (kOptional) {
      at(s) = *v;
    } else {
      at(s) = static_cast<T>(*v);
    }
    return true;
  };
  d.show = [at](const Settings& s) -> std::optional<std::string> {
    if constexpr (kOptional) {
      if (!at(s)) return std::nullopt;
      return std::to_string(*at(s));
    } else {
      return std::to_string(at(s));
    }
  };
  d.to_json = [at](const Settings& s) -> json::value {
    if constexpr (kOptional) {
      if (!at(s)) return nullptr;
      return json::value(static_cast<std::uint64_t>(*at(s)));
    } else {
      return json::value(static_cast<std::uint64_t>(at(s)));
    }
  };
  return d;
}

template <class Section>
SettingDescriptor number(const Text& t, Ref<Section, double> at, double min, double max) {
  SettingDescriptor d = row(t, "number");
  d.assign = [at, min, max](Settings& s, std::string_view text) {
    const auto v = parse_double(text);
    if (!v || *v < min || *v > max) return false;
    at(s) = *v;
    return true;
  };
  d.show = [at](const Settings& s) -> std::optional<std::string> { return double_text(at(s)); };
  d.to_json = [at](const Settings& s) -> json::value { return json::value(at(s)); };
  return d;
}

template <class Section>
SettingDescriptor boolean(const Text& t, Ref<Section, bool> at) {
  SettingDescriptor d = row(t, "boolean");
  d.assign = [at](Settings& s, std::string_view text) {
    const auto v = parse_bool(text);
    if (!v) return false;
    at(s) = *v;
    return true;
  };
  d.show = [at](const Settings& s) -> std::optional<std::string> {
    return std::string(at(s) ? "true" : "false");
  };
  d.to_json = [at](const Settings& s) -> json::value { return json::value(at(s)); };
  return d;
}

using StringCheck = bool (*)(std::string_view);

bool any_text(std::string_view /*text*/) {
  return true;
}
bool non_empty_token(std::string_view text) {
  return !text.empty() && text.find_first_of(" \t\r\n") == std::string_view::npos;
}
bool rpc_url(std::string_view text) {
  return valid_url(text, {"http", "https", "ws", "wss"});
}
bool redis_url(std::string_view text) {
  return valid_url(text, {"redis", "rediss"});
}

// Strings, plain (must pass `check`, empty allowed only if `check` allows it)
// or optional (empty text = unset). URL-typed rows mask passwords when shown.
template <class Section, class T>
SettingDescriptor string(const Text& t, std::string_view type, Ref<Section, T> at,
                         StringCheck check) {
  SettingDescriptor d = row(t, type);
  constexpr bool kOptional = !std::is_same_v<T, std::string>;
  d.optional = kOptional;
  const bool is_url = type == "url";
  d.assign = [at, check, is_url](Settings& s, std::string_view raw) {
    const std::string_view text = trim(raw);
    if (is_url) register_url_password(text);
    if constexpr (kOptional) {
      if (text.empty()) {
        at(s).reset();
        return true;
      }
    }
    if (!check(text)) return false;
    at(s) = std::string(text);
    return true;
  };
  d.show = [at, is_url](const Settings& s) -> std::optional<std::string> {
    const std::string* value = nullptr;
    if constexpr (kOptional) {
      if (!at(s)) return std::nullopt;
      value = &*at(s);
    } else {
      value = &at(s);
    }
    return is_url ? mask_url_password(*value) : *value;
  };
  const auto show = d.show;
  d.to_json = [show](const Settings& s) -> json::value {
    const auto v = show(s);
    if (!v) return nullptr;
    return json::value(*v);
  };
  return d;
}

template <class Section>
SettingDescriptor list(const Text& t, Ref<Section, std::vector<std::string>> at,
                       StringCheck item_check, bool allow_empty) {
  SettingDescriptor d = row(t, "list");
  d.assign = [at, item_check, allow_empty](Settings& s, std::string_view text) {
    auto items = split_list(text);
    if (items.empty() && !allow_empty) return false;
    for (const auto& item : items) {
      register_url_password(item);
      if (!item_check(item)) return false;
    }
    at(s) = std::move(items);
    return true;
  };
  d.show = [at](const Settings& s) -> std::optional<std::string> {
    std::vector<std::string> shown;
    for (const auto& item : at(s)) shown.push_back(mask_url_password(item));
    return join_list(shown);
  };
  d.to_json = [at](const Settings& s) -> json::value {
    json::array out;
    for (const auto& item : at(s)) out.emplace_back(mask_url_password(item));
    return out;
  };
  return d;
}

template <class Section>
SettingDescriptor address(const Text& t, Ref<Section, std::optional<eth::Address>> at) {
  SettingDescriptor d = row(t, "address");
  d.optional = true;
  d.assign = [at](Settings& s, std::string_view raw) {
    const std::string_view text = trim(raw);
    if (text.empty()) {
      at(s).reset();
      return true;
    }
    const auto parsed = eth::parse_address(text);
    if (!parsed) return false;
    at(s) = *parsed;
    return true;
  };
  d.show = [at](const Settings& s) -> std::optional<std::string> {
    if (!at(s)) return std::nullopt;
    return eth::to_checksum(*at(s));
  };
  d.to_json = [at](const Settings& s) -> json::value {
    if (!at(s)) return nullptr;
    return json::value(eth::to_checksum(*at(s)));
  };
  return d;
}

template <class Section>
SettingDescriptor private_key(const Text& t, Ref<Section, std::optional<std::string>> at) {
  SettingDescriptor d = row(t, "private key");
  d.secret = true;
  d.optional = true;
  d.assign = [at](Settings& s, std::string_view raw) {
    const std::string_view text = trim(raw);
    logging::register_secret(text);
    if (text.empty()) {
      at(s).reset();
      return true;
    }
    auto key = normalize_private_key(text);
    if (!key) return false;
    logging::register_secret(*key);
    at(s) = std::move(*key);
    return true;
  };
  d.show = [at](const Settings& s) -> std::optional<std::string> {
    if (!at(s)) return std::nullopt;
    return std::string(logging::kRedacted);
  };
  d.to_json = [at](const Settings& s) -> json::value {
    if (!at(s)) return nullptr;
    return json::value(logging::kRedacted);
  };
  return d;
}

template <class Section, class E>
SettingDescriptor enumeration(const Text& t, Ref<Section, E> at,
                              std::optional<E> (*parse)(std::string_view) noexcept,
                              std::string_view (*name)(E) noexcept) {
  SettingDescriptor d = row(t, "enum");
  d.assign = [at, parse](Settings& s, std::string_view text) {
    const auto v = parse(lower_copy(trim(text)));
    if (!v) return false;
    at(s) = *v;
    return true;
  };
  d.show = [at, name](const Settings& s) -> std::optional<std::string> {
    return std::string(name(at(s)));
  };
  d.to_json = [at, name](const Settings& s) -> json::value { return json::value(name(at(s))); };
  return d;
}

// "off" is a valid logger threshold but not a sensible service setting: the
// operator would lose every error line.
std::optional<logging::Level> parse_log_level(std::string_view text) noexcept {
  const auto level = logging::parse_level(text);
  if (level == logging::Level::kOff) return std::nullopt;
  return level;
}

// ---- the table ------------------------------------------------------------------

using S = Settings;

std::vector<SettingDescriptor> build_table() {
  using ES = EventManagerSettings;
  std::vector<SettingDescriptor> t;
  // server
  t.push_back(string({"server.host", "SERVER_HOST", "a host name or IP address without spaces",
                      "Address the HTTP/WebSocket server listens on."},
                     "string", ref(&S::server, &ServerSettings::host), non_empty_token));
  t.push_back(integer({"server.port", "SERVER_PORT", "an integer between 0 and 65535",
                       "TCP port of the HTTP/WebSocket server (0 = any free port)."},
                      ref(&S::server, &ServerSettings::port), 0, 65535));
  t.push_back(list({"server.cors_origins", "SERVER_CORS_ORIGINS",
                    "a comma-separated list of origins like https://example.org, or *",
                    "Origins allowed by CORS besides the same origin."},
                   ref(&S::server, &ServerSettings::cors_origins), valid_origin, true));
  t.push_back(string({"server.static_dir", "SERVER_STATIC_DIR", "a directory path",
                      "Directory of the built web UI (empty = no web UI)."},
                     "path", ref(&S::server, &ServerSettings::static_dir), any_text));
  t.push_back(string({"server.abi_path", "SERVER_ABI_PATH", "a path of a readable file, or empty",
                      "Contract ABI served at /contracts/abi/Lottery.abi (empty = the ABI built "
                      "into the binary)."},
                     "path", ref(&S::server, &ServerSettings::abi_path), any_text));
  t.push_back(integer(
      {"server.max_body_bytes", "SERVER_MAX_BODY_BYTES", "an integer between 1024 and 16777216",
       "Largest accepted request body in bytes; larger bodies get 413."},
      ref(&S::server, &ServerSettings::max_body_bytes), 1024, 16777216));
  t.push_back(integer({"server.idle_timeout_seconds", "SERVER_IDLE_TIMEOUT_SECONDS",
                       "an integer between 1 and 3600",
                       "Idle or slow HTTP clients are disconnected after this many seconds."},
                      ref(&S::server, &ServerSettings::idle_timeout_seconds), 1, 3600));
  t.push_back(integer({"server.rate_limit_per_minute", "SERVER_RATE_LIMIT_PER_MINUTE",
                       "an integer between 1 and 100000",
                       "Requests per minute and client IP on POST routes and WebSocket upgrades."},
                      ref(&S::server, &ServerSettings::rate_limit_per_minute), 1, 100000));
  t.push_back(
      integer({"server.ws_max_clients", "SERVER_WS_MAX_CLIENTS", "an integer between 1 and 1000000",
               "WebSocket sessions beyond this number are refused."},
              ref(&S::server, &ServerSettings::ws_max_clients), 1, 1000000));
  t.push_back(
      integer({"server.ws_send_queue", "SERVER_WS_SEND_QUEUE", "an integer between 1 and 10000",
               "Messages queued per WebSocket session before it is treated as slow."},
              ref(&S::server, &ServerSettings::ws_send_queue), 1, 10000));
  // blockchain
  t.push_back(list({"blockchain.rpc_urls", "BLOCKCHAIN_RPC_URL",
                    "a comma-separated list of http, https, ws or wss URLs",
                    "Ethereum JSON-RPC endpoints; the healthiest is used, others are failovers."},
                   ref(&S::blockchain, &BlockchainSettings::rpc_urls), rpc_url, false));
  t.push_back(integer(
      {"blockchain.chain_id", "BLOCKCHAIN_CHAIN_ID", "a chain id between 1 and 4503599627370495",
       "Expected chain id; start-up fails when the node reports another."},
      ref(&S::blockchain, &BlockchainSettings::chain_id), 1, 4503599627370495ULL));
  t.push_back(address({"blockchain.contract_address", "BLOCKCHAIN_CONTRACT_ADDRESS",
                       "0x followed by 40 hex digits (EIP-55 checksum when mixed case)",
                       "Address of the Lottery contract."},
                      ref(&S::blockchain, &BlockchainSettings::contract_address)));
  t.push_back(address({"blockchain.operator_address", "BLOCKCHAIN_OPERATOR_ADDRESS",
                       "0x followed by 40 hex digits (EIP-55 checksum when mixed case)",
                       "Operator address an injected key must match (default: the contract's)."},
                      ref(&S::blockchain, &BlockchainSettings::operator_address)));
  t.push_back(private_key(
      {"blockchain.operator_private_key", "BLOCKCHAIN_OPERATOR_PRIVATE_KEY",
       "0x followed by 64 hex digits (a nonzero secp256k1 private key)",
       "Operator private key (secret; prefer the _FILE variant or run-time injection)."},
      ref(&S::blockchain, &BlockchainSettings::operator_private_key)));
  t.push_back(string(
      {"blockchain.operator_private_key_file", "BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE",
       "a file path", "File holding the operator private key (0x + 64 hex digits)."},
      "path", ref(&S::blockchain, &BlockchainSettings::operator_private_key_file), any_text));
  t.push_back(
      number({"blockchain.gas_multiplier", "BLOCKCHAIN_GAS_MULTIPLIER",
              "a number between 1.0 and 5.0", "Gas limit = estimated gas times this factor."},
             ref(&S::blockchain, &BlockchainSettings::gas_multiplier), 1.0, 5.0));
  t.push_back(number(
      {"blockchain.max_fee_gwei", "BLOCKCHAIN_MAX_FEE_GWEI", "a number between 0.001 and 1000000",
       "Highest fee per gas in gwei the operator will pay."},
      ref(&S::blockchain, &BlockchainSettings::max_fee_gwei), 0.001, 1000000.0));
  t.push_back(
      integer({"blockchain.rpc_timeout_seconds", "BLOCKCHAIN_RPC_TIMEOUT_SECONDS",
               "an integer between 1 and 300", "Timeout of one JSON-RPC request in seconds."},
              ref(&S::blockchain, &BlockchainSettings::rpc_timeout_seconds), 1, 300));
  // event_manager
  t.push_back(number({"event_manager.poll_interval_seconds", "EVENTMGR_POLL_INTERVAL_SECONDS",
                      "a number between 0.05 and 3600",
                      "Seconds between eth_blockNumber polls when the endpoint is http(s)."},
                     ref(&S::event_manager, &ES::poll_interval_seconds), 0.05, 3600.0));
  t.push_back(integer(
      {"event_manager.confirmations", "EVENTMGR_CONFIRMATIONS", "an integer between 0 and 1000",
       "Blocks after which an event is final (0 on a dev chain)."},
      ref(&S::event_manager, &ES::confirmations), 0, 1000));
  t.push_back(integer({"event_manager.start_block", "EVENTMGR_START_BLOCK",
                       "a block number (an integer of 0 or more)",
                       "First block of the history backfill (default: the deployment block)."},
                      ref(&S::event_manager, &ES::start_block), 0,
                      std::numeric_limits<std::uint64_t>::max()));
  t.push_back(integer({"event_manager.backfill_blocks", "EVENTMGR_BACKFILL_BLOCKS",
                       "an integer between 0 and 100000000",
                       "Blocks to backfill before the head when the deployment block is unknown."},
                      ref(&S::event_manager, &ES::backfill_blocks), 0, 100000000));
  t.push_back(integer({"event_manager.history_capacity", "EVENTMGR_HISTORY_CAPACITY",
                       "an integer between 1 and 1000000", "Finished rounds kept in memory."},
                      ref(&S::event_manager, &ES::history_capacity), 1, 1000000));
  t.push_back(integer({"event_manager.feed_capacity", "EVENTMGR_FEED_CAPACITY",
                       "an integer between 1 and 1000000", "Activity feed items kept in memory."},
                      ref(&S::event_manager, &ES::feed_capacity), 1, 1000000));
  t.push_back(integer({"event_manager.config_refresh_blocks", "EVENTMGR_CONFIG_REFRESH_BLOCKS",
                       "an integer between 1 and 100000",
                       "Re-read the contract config at least every this many blocks."},
                      ref(&S::event_manager, &ES::config_refresh_blocks), 1, 100000));
  t.push_back(integer({"event_manager.log_chunk_blocks", "EVENTMGR_LOG_CHUNK_BLOCKS",
                       "an integer between 1 and 1000000",
                       "Initial block range of one eth_getLogs request (shrinks on refusal)."},
                      ref(&S::event_manager, &ES::log_chunk_blocks), 1, 1000000));
  t.push_back(integer(
      {"event_manager.reorg_depth", "EVENTMGR_REORG_DEPTH", "an integer between 1 and 10000",
       "Recent block hashes remembered to detect and undo reorgs."},
      ref(&S::event_manager, &ES::reorg_depth), 1, 10000));
  // operator
  t.push_back(boolean({"operator.enabled", "OPERATOR_ENABLED", "true or false",
                       "Send draw/refund transactions when a key is available."},
                      ref(&S::operation, &OperatorSettings::enabled)));
  t.push_back(integer({"operator.replace_after_blocks", "OPERATOR_REPLACE_AFTER_BLOCKS",
                       "an integer between 1 and 1000",
                       "Replace a pending operator transaction after this many blocks."},
                      ref(&S::operation, &OperatorSettings::replace_after_blocks), 1, 1000));
  t.push_back(integer(
      {"operator.low_balance_draws", "OPERATOR_LOW_BALANCE_DRAWS", "an integer between 0 and 1000",
       "Warn when the balance covers fewer draws than this (0 = never)."},
      ref(&S::operation, &OperatorSettings::low_balance_draws), 0, 1000));
  // enclave
  t.push_back(
      boolean({"enclave.attestation_enabled", "ENCLAVE_ATTESTATION_ENABLED", "true or false",
               "Use the Nitro Secure Module (/dev/nsm) for attestation documents."},
              ref(&S::enclave, &EnclaveSettings::attestation_enabled)));
  // redis
  t.push_back(string({"redis.url", "REDIS_URL", "a redis:// or rediss:// URL with a host",
                      "Redis for multi-replica fan-out and leader election (unset = alone)."},
                     "url", ref(&S::redis, &RedisSettings::url), redis_url));
  t.push_back(string({"redis.key_prefix", "REDIS_KEY_PREFIX", "a non-empty word without spaces",
                      "Prefix of every Redis key and channel this service uses."},
                     "string", ref(&S::redis, &RedisSettings::key_prefix), non_empty_token));
  t.push_back(integer({"redis.lease_seconds", "REDIS_LEASE_SECONDS", "an integer between 2 and 300",
                       "Time to live of the leader lease."},
                      ref(&S::redis, &RedisSettings::lease_seconds), 2, 300));
  // log
  t.push_back(
      enumeration({"log.level", "APP_LOG_LEVEL", "one of debug, info, warn, error",
                   "Lowest level written to the log."},
                  ref(&S::log, &LogSettings::level), parse_log_level,
                  static_cast<std::string_view (*)(logging::Level) noexcept>(logging::to_string)));
  t.push_back(
      enumeration({"log.format", "APP_LOG_FORMAT", "text or json",
                   "Log line format: human text or one JSON object per line."},
                  ref(&S::log, &LogSettings::format), logging::parse_format,
                  static_cast<std::string_view (*)(logging::Format) noexcept>(logging::to_string)));
  t.push_back(
      string({"log.file", "APP_LOG_FILE", "a file path", "Also append log lines to this file."},
             "path", ref(&S::log, &LogSettings::file), any_text));
  return t;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1);
  std::vector<std::size_t> cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string_view to_string(Source source) noexcept {
  switch (source) {
    case Source::kDefault:
      return "default";
    case Source::kFile:
      return "file";
    case Source::kEnv:
      return "env";
    case Source::kFlag:
      return "flag";
  }
  return "unknown";
}

std::string SettingDescriptor::default_text() const {
  return show(Settings{}).value_or(std::string());
}

std::span<const SettingDescriptor> settings_table() {
  static const std::vector<SettingDescriptor> table = build_table();
  return table;
}

const SettingDescriptor* find_setting(std::string_view name) noexcept {
  for (const auto& d : settings_table()) {
    if (d.key == name || d.env == name) return &d;
  }
  return nullptr;
}

std::string suggest_key(std::string_view name) {
  const bool section_only = name.find('.') == std::string_view::npos;
  std::string best;
  std::size_t best_distance = 3;  // more than 2 edits away is not a typo
  const auto consider = [&](std::string_view candidate) {
    const std::size_t dist = edit_distance(lower_copy(name), candidate);
    if (dist < best_distance) {
      best_distance = dist;
      best = std::string(candidate);
    }
  };
  if (section_only) {
    for (const auto section : kSections) consider(section);
  } else {
    for (const auto& d : settings_table()) consider(d.key);
  }
  return best;
}

std::optional<std::string> normalize_private_key(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
  }
  if (text.size() != 64) return std::nullopt;
  std::string hex = lower_copy(text);
  if (!std::all_of(hex.begin(), hex.end(),
                   [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
    return std::nullopt;
  }
  // Same-length lower-case hex compares like the numbers it spells.
  constexpr std::string_view kGroupOrder =
      "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
  if (hex == std::string(64, '0') || std::string_view(hex) >= kGroupOrder) return std::nullopt;
  return "0x" + hex;
}

logging::LogOptions log_options(const Settings& settings) {
  logging::LogOptions options;
  options.level = settings.log.level;
  options.format = settings.log.format;
  options.file = settings.log.file.value_or(std::string());
  return options;
}

}  // namespace lottery::config
