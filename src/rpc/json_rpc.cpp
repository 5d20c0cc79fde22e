// SPDX-License-Identifier: Apache-2.0
#include "rpc/json_rpc.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <unordered_map>

namespace lottery::rpc {

namespace json = boost::json;

namespace {

CallOutcome malformed(std::string message) {
  CallOutcome out;
  out.error = make_error(RpcErrc::kMalformedResponse, std::move(message));
  return out;
}

/// The reply's id as one of ours: nullopt for null, a negative, fractional,
/// string or other non-integer id.
std::optional<RequestId> numeric_id(const json::value& id) {
  if (id.is_uint64()) return id.get_uint64();
  if (id.is_int64() && id.get_int64() >= 0) return static_cast<RequestId>(id.get_int64());
  return std::nullopt;
}

std::optional<std::int64_t> integer_code(const json::value& code) {
  if (code.is_int64()) return code.get_int64();
  if (code.is_uint64() && code.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(code.get_uint64());
  }
  return std::nullopt;
}

/// Turns a reply object into an outcome, ignoring its id (checked by callers).
CallOutcome outcome_from_object(const json::object& obj) {
  if (const auto* version = obj.if_contains("jsonrpc")) {
    if (!version->is_string() || version->get_string() != "2.0") {
      return malformed("reply is not JSON-RPC 2.0 (\"jsonrpc\" is not \"2.0\")");
    }
  }
  const auto* result = obj.if_contains("result");
  const auto* error = obj.if_contains("error");
  if (result != nullptr && error != nullptr && !error->is_null()) {
    return malformed("reply has both \"result\" and \"error\"");
  }
  if (error != nullptr && !error->is_null()) {
    const auto* err = error->if_object();
    if (err == nullptr) return malformed("reply \"error\" is not an object");
    const auto* code = err->if_contains("code");
    const auto* message = err->if_contains("message");
    if (code == nullptr || !integer_code(*code))
      return malformed("reply error has no integer \"code\"");
    RpcError e;
    e.code = *integer_code(*code);
    if (message != nullptr && message->is_string()) {
      e.message = std::string(message->get_string());
    } else if (message != nullptr && !message->is_null()) {
      return malformed("reply error \"message\" is not a string");
    }
    if (const auto* data = err->if_contains("data")) e.data = *data;
    // Some nodes put the detail (e.g. the real range limit) only in data.
    std::string text = e.message;
    if (const auto* d = e.data.if_string()) text += " " + std::string(*d);
    if (const auto* d = e.data.if_object()) {
      for (const char* key : {"message", "payload", "reason"}) {
        if (const auto* v = d->if_contains(key); v != nullptr && v->is_string()) {
          text += " " + std::string(v->get_string());
        }
      }
    }
    e.kind = classify_node_error(e.code, text);
    CallOutcome out;
    out.error = std::move(e);
    return out;
  }
  if (result == nullptr) return malformed("reply has neither \"result\" nor \"error\"");
  CallOutcome out;
  out.result = *result;
  return out;
}

}  // namespace

const json::value& CallOutcome::value() const {
  if (error) throw RpcException(*error);
  return result;
}

std::string serialize_request(RequestId id, const Call& call) {
  json::object obj;
  obj["jsonrpc"] = "2.0";
  obj["id"] = id;
  obj["method"] = call.method;
  obj["params"] = call.params;
  return json::serialize(obj);
}

std::string serialize_batch(std::span<const RequestId> ids, std::span<const Call> calls) {
  json::array arr;
  arr.reserve(calls.size());
  for (std::size_t i = 0; i < calls.size() && i < ids.size(); ++i) {
    json::object obj;
    obj["jsonrpc"] = "2.0";
    obj["id"] = ids[i];
    obj["method"] = calls[i].method;
    obj["params"] = calls[i].params;
    arr.emplace_back(std::move(obj));
  }
  return json::serialize(arr);
}

std::optional<json::value> parse_json(std::string_view text) noexcept {
  try {
    json::parse_options options;
    options.max_depth = kMaxJsonDepth;
    boost::system::error_code ec;
    auto value = json::parse(text, ec, json::storage_ptr(), options);
    if (ec) return std::nullopt;
    return value;
  } catch (...) {
    return std::nullopt;  // allocation failure on a huge reply
  }
}

CallOutcome parse_response_value(const json::value& reply, RequestId expected_id) noexcept {
  try {
    if (reply.is_array()) return malformed("expected one reply but got a batch");
    const auto* obj = reply.if_object();
    if (obj == nullptr) return malformed("reply is not a JSON object");
    const auto* id = obj->if_contains("id");
    if (id == nullptr) return malformed("reply has no \"id\"");
    if (id->is_null()) {
      // Only an error may come without our id: it is about our request.
      auto out = outcome_from_object(*obj);
      if (out.ok()) return malformed("reply has a null \"id\"");
      return out;
    }
    const auto got = numeric_id(*id);
    if (!got || *got != expected_id) {
      return malformed("reply id " + json::serialize(*id) + " does not match request id " +
                       std::to_string(expected_id));
    }
    return outcome_from_object(*obj);
  } catch (...) {
    return malformed("reply could not be processed (out of memory)");
  }
}

CallOutcome parse_response(std::string_view text, RequestId expected_id) noexcept {
  auto parsed = parse_json(text);
  if (!parsed) return malformed("reply is not valid JSON");
  return parse_response_value(*parsed, expected_id);
}

std::vector<CallOutcome> parse_batch_response_value(const json::value& reply,
                                                    std::span<const RequestId> ids) noexcept {
  std::vector<CallOutcome> out;
  try {
    out.resize(ids.size());
    auto fail_all = [&](const CallOutcome& why) {
      for (auto& o : out) o = why;
      return out;
    };
    if (const auto* obj = reply.if_object()) {
      // A lone error object answers the whole batch (batch too large, rate limit).
      auto single = outcome_from_object(*obj);
      if (single.ok()) return fail_all(malformed("expected a batch reply but got a single result"));
      return fail_all(single);
    }
    const auto* arr = reply.if_array();
    if (arr == nullptr) return fail_all(malformed("batch reply is not a JSON array"));
    std::unordered_map<RequestId, std::size_t> index;
    for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
    std::vector<bool> seen(ids.size(), false);
    for (const auto& item : *arr) {
      const auto* obj = item.if_object();
      if (obj == nullptr) return fail_all(malformed("batch reply item is not an object"));
      const auto* id = obj->if_contains("id");
      if (id == nullptr) return fail_all(malformed("batch reply item has no \"id\""));
      if (id->is_null()) {
        auto single = outcome_from_object(*obj);
        if (single.ok()) return fail_all(malformed("batch reply item has a null \"id\""));
        return fail_all(single);
      }
      const auto got = numeric_id(*id);
      const auto it = got ? index.find(*got) : index.end();
      if (it == index.end()) {
        return fail_all(malformed("batch reply has unknown id " + json::serialize(*id)));
      }
      if (seen[it->second])
        return fail_all(malformed("batch reply repeats id " + json::serialize(*id)));
      seen[it->second] = true;
      out[it->second] = outcome_from_object(*obj);
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (!seen[i])
        out[i] = malformed("batch reply has no answer for id " + std::to_string(ids[i]));
    }
    return out;
  } catch (...) {
    for (auto& o : out) {
      o.result = nullptr;
      o.error = RpcError{};
      o.error->kind = RpcErrc::kMalformedResponse;
    }
    return out;
  }
}

std::vector<CallOutcome> parse_batch_response(std::string_view text,
                                              std::span<const RequestId> ids) noexcept {
  auto parsed = parse_json(text);
  if (!parsed) {
    std::vector<CallOutcome> out;
    try {
      out.assign(ids.size(), malformed("batch reply is not valid JSON"));
    } catch (...) {
      out.clear();
    }
    return out;
  }
  return parse_batch_response_value(*parsed, ids);
}

IncomingMessage inspect_message(std::string_view text) noexcept {
  IncomingMessage msg;
  try {
    msg.parsed = parse_json(text);
    if (!msg.parsed) return msg;
    if (const auto* arr = msg.parsed->if_array()) {
      for (const auto& item : *arr) {
        const auto* obj = item.if_object();
        if (obj == nullptr) continue;
        if (const auto* id = obj->if_contains("id")) {
          if (auto n = numeric_id(*id)) msg.ids.push_back(*n);
        }
      }
      if (!msg.ids.empty()) msg.kind = IncomingMessage::Kind::kResponse;
      return msg;
    }
    const auto* obj = msg.parsed->if_object();
    if (obj == nullptr) return msg;
    if (const auto* method = obj->if_contains("method")) {
      if (!method->is_string() || method->get_string() != "eth_subscription") return msg;
      const auto* params = obj->if_contains("params");
      const auto* p = params != nullptr ? params->if_object() : nullptr;
      if (p == nullptr) return msg;
      const auto* sub = p->if_contains("subscription");
      const auto* result = p->if_contains("result");
      if (sub == nullptr || !sub->is_string() || result == nullptr) return msg;
      msg.kind = IncomingMessage::Kind::kNotification;
      msg.subscription = std::string(sub->get_string());
      msg.result = *result;
      return msg;
    }
    if (const auto* id = obj->if_contains("id")) {
      if (auto n = numeric_id(*id)) {
        msg.ids.push_back(*n);
        msg.kind = IncomingMessage::Kind::kResponse;
      }
    }
    return msg;
  } catch (...) {
    IncomingMessage invalid;
    return invalid;
  }
}

}  // namespace lottery::rpc
