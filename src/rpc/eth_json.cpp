// SPDX-License-Identifier: Apache-2.0
#include "rpc/eth_json.hpp"

#include "eth/hex.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lottery::rpc::eth_json {

namespace json = boost::json;

namespace {

[[noreturn]] void bad(std::string_view what, std::string_view problem) {
  throw RpcException(
      make_error(RpcErrc::kMalformedResponse, std::string(what) + " " + std::string(problem)));
}

std::string_view text_of(const json::value& v, std::string_view what) {
  const auto* s = v.if_string();
  if (s == nullptr) bad(what, "is not a string");
  return {s->data(), s->size()};
}

const json::object& object_of(const json::value& v, std::string_view what) {
  const auto* o = v.if_object();
  if (o == nullptr) bad(what, "is not an object");
  return *o;
}

const json::array& array_of(const json::value& v, std::string_view what) {
  const auto* a = v.if_array();
  if (a == nullptr) bad(what, "is not an array");
  return *a;
}

const json::value& field(const json::object& o, std::string_view key, std::string_view what) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) bad(std::string(what) + "." + std::string(key), "is missing");
  return *v;
}

std::string name(std::string_view what, std::string_view key) {
  return std::string(what) + "." + std::string(key);
}

json::value address_param(const eth::Address& a) {
  return json::value(eth::to_lower_hex(a));
}
json::value hash_param(const eth::Hash32& h) {
  return json::value(eth::hex_encode(h));
}

json::object call_object(const CallRequest& r) {
  json::object o;
  if (r.from) o["from"] = address_param(*r.from);
  if (r.to) o["to"] = address_param(*r.to);
  // "input" is the current name; old nodes only read "data". Send both.
  o["input"] = eth::hex_encode(r.data);
  o["data"] = eth::hex_encode(r.data);
  if (r.value) o["value"] = eth::u256_to_quantity(*r.value);
  if (r.gas) o["gas"] = eth::u256_to_quantity(eth::U256(*r.gas));
  return o;
}

}  // namespace

// ---- requests -------------------------------------------------------------

Call chain_id_request() {
  return {"eth_chainId", {}};
}
Call block_number_request() {
  return {"eth_blockNumber", {}};
}
Call gas_price_request() {
  return {"eth_gasPrice", {}};
}
Call max_priority_fee_request() {
  return {"eth_maxPriorityFeePerGas", {}};
}

Call block_by_number_request(const BlockTag& tag) {
  return {"eth_getBlockByNumber", json::array{json::value(tag.to_param()), json::value(false)}};
}

Call get_logs_request(const LogFilter& filter) {
  if (filter.topics.size() > 4)
    throw std::invalid_argument("eth_getLogs accepts at most 4 topic positions");
  if (filter.from_block > filter.to_block)
    throw std::invalid_argument("eth_getLogs from_block is after to_block");
  json::object o;
  o["fromBlock"] = BlockTag::at(filter.from_block).to_param();
  o["toBlock"] = BlockTag::at(filter.to_block).to_param();
  if (filter.addresses.size() == 1) {
    o["address"] = address_param(filter.addresses.front());
  } else if (!filter.addresses.empty()) {
    json::array a;
    for (const auto& addr : filter.addresses) a.push_back(address_param(addr));
    o["address"] = std::move(a);
  }
  if (!filter.topics.empty()) {
    json::array topics;
    for (const auto& position : filter.topics) {
      if (position.empty()) {
        topics.emplace_back(nullptr);
      } else if (position.size() == 1) {
        topics.push_back(hash_param(position.front()));
      } else {
        json::array any;
        for (const auto& t : position) any.push_back(hash_param(t));
        topics.emplace_back(std::move(any));
      }
    }
    o["topics"] = std::move(topics);
  }
  return {"eth_getLogs", json::array{std::move(o)}};
}

Call eth_call_request(const CallRequest& request, const BlockTag& tag) {
  return {"eth_call", json::array{call_object(request), json::value(tag.to_param())}};
}

Call estimate_gas_request(const CallRequest& request) {
  return {"eth_estimateGas", json::array{call_object(request)}};
}

Call transaction_count_request(const eth::Address& address, const BlockTag& tag) {
  return {"eth_getTransactionCount",
          json::array{address_param(address), json::value(tag.to_param())}};
}

Call fee_history_request(std::uint64_t block_count, const BlockTag& newest,
                         std::span<const double> percentiles) {
  json::array p;
  for (double x : percentiles) {
    // Sent as whole numbers: Boost.JSON writes doubles in exponent form
    // (2.5E1), which Anvil's WebSocket decoder rejects.
    const double clamped = std::isfinite(x) ? std::clamp(x, 0.0, 100.0) : 0.0;
    p.emplace_back(static_cast<std::uint64_t>(std::lround(clamped)));
  }
  return {"eth_feeHistory", json::array{json::value(eth::u256_to_quantity(eth::U256(block_count))),
                                        json::value(newest.to_param()), std::move(p)}};
}

Call send_raw_transaction_request(eth::ByteView raw) {
  return {"eth_sendRawTransaction", json::array{json::value(eth::hex_encode(raw))}};
}

Call transaction_receipt_request(const eth::Hash32& txn_hash) {
  return {"eth_getTransactionReceipt", json::array{hash_param(txn_hash)}};
}

Call balance_request(const eth::Address& address, const BlockTag& tag) {
  return {"eth_getBalance", json::array{address_param(address), json::value(tag.to_param())}};
}

Call code_request(const eth::Address& address, const BlockTag& tag) {
  return {"eth_getCode", json::array{address_param(address), json::value(tag.to_param())}};
}

// ---- parsers --------------------------------------------------------------

eth::U256 parse_quantity(const json::value& v, std::string_view what) {
  const auto text = text_of(v, what);
  // Leading zeros are tolerated (some nodes pad); size and digits are not.
  auto n = eth::u256_from_hex(text);
  if (!n) bad(what, "is not a hex quantity (" + n.error().message() + ")");
  return *n;
}

std::uint64_t parse_u64(const json::value& v, std::string_view what) {
  auto n = eth::u256_to_u64(parse_quantity(v, what));
  if (!n) bad(what, "does not fit 64 bits");
  return *n;
}

eth::Bytes parse_data(const json::value& v, std::string_view what) {
  auto bytes = eth::hex_decode(text_of(v, what));
  if (!bytes) bad(what, "is not hex data (" + bytes.error().message() + ")");
  return std::move(*bytes);
}

eth::Hash32 parse_hash(const json::value& v, std::string_view what) {
  auto h = eth::hex_decode_fixed<32>(text_of(v, what));
  if (!h) bad(what, "is not a 32-byte hex value (" + h.error().message() + ")");
  return *h;
}

eth::Address parse_address(const json::value& v, std::string_view what) {
  const auto text = text_of(v, what);
  // Nodes send lower-case; a mixed-case address must still carry a valid checksum.
  auto a = eth::parse_address(text);
  if (!a) bad(what, "is not an address (" + a.error().message() + ")");
  return *a;
}

std::optional<BlockHeader> parse_block_header(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  constexpr std::string_view what = "block";
  const auto& o = object_of(v, what);
  BlockHeader h;
  h.number = parse_u64(field(o, "number", what), name(what, "number"));
  h.hash = parse_hash(field(o, "hash", what), name(what, "hash"));
  h.parent_hash = parse_hash(field(o, "parentHash", what), name(what, "parentHash"));
  h.timestamp = parse_u64(field(o, "timestamp", what), name(what, "timestamp"));
  if (const auto* fee = o.if_contains("baseFeePerGas"); fee != nullptr && !fee->is_null()) {
    h.base_fee_per_gas = parse_quantity(*fee, name(what, "baseFeePerGas"));
  }
  return h;
}

Log parse_log(const json::value& v) {
  constexpr std::string_view what = "log";
  const auto& o = object_of(v, what);
  Log log;
  log.address = parse_address(field(o, "address", what), name(what, "address"));
  const auto& topics = array_of(field(o, "topics", what), name(what, "topics"));
  if (topics.size() > 4) bad(name(what, "topics"), "has more than 4 entries");
  for (const auto& t : topics) log.topics.push_back(parse_hash(t, name(what, "topics[]")));
  log.data = parse_data(field(o, "data", what), name(what, "data"));
  log.block_number = parse_u64(field(o, "blockNumber", what), name(what, "blockNumber"));
  log.block_hash = parse_hash(field(o, "blockHash", what), name(what, "blockHash"));
  log.transaction_hash =
      parse_hash(field(o, "transactionHash", what), name(what, "transactionHash"));
  log.transaction_index =
      parse_u64(field(o, "transactionIndex", what), name(what, "transactionIndex"));
  log.log_index = parse_u64(field(o, "logIndex", what), name(what, "logIndex"));
  if (const auto* removed = o.if_contains("removed"); removed != nullptr && !removed->is_null()) {
    if (!removed->is_bool()) bad(name(what, "removed"), "is not a boolean");
    log.removed = removed->get_bool();
  }
  return log;
}

std::vector<Log> parse_logs(const json::value& v) {
  const auto& arr = array_of(v, "eth_getLogs result");
  std::vector<Log> logs;
  logs.reserve(arr.size());
  for (const auto& item : arr) logs.push_back(parse_log(item));
  return logs;
}

std::optional<Receipt> parse_receipt(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  constexpr std::string_view what = "receipt";
  const auto& o = object_of(v, what);
  Receipt r;
  r.transaction_hash = parse_hash(field(o, "transactionHash", what), name(what, "transactionHash"));
  r.block_number = parse_u64(field(o, "blockNumber", what), name(what, "blockNumber"));
  r.block_hash = parse_hash(field(o, "blockHash", what), name(what, "blockHash"));
  r.transaction_index =
      parse_u64(field(o, "transactionIndex", what), name(what, "transactionIndex"));
  r.from = parse_address(field(o, "from", what), name(what, "from"));
  if (const auto* to = o.if_contains("to"); to != nullptr && !to->is_null()) {
    r.to = parse_address(*to, name(what, "to"));
  }
  if (const auto* created = o.if_contains("contractAddress");
      created != nullptr && !created->is_null()) {
    r.contract_address = parse_address(*created, name(what, "contractAddress"));
  }
  const auto status = parse_u64(field(o, "status", what), name(what, "status"));
  if (status > 1) bad(name(what, "status"), "is neither 0x0 nor 0x1");
  r.status = status == 1;
  r.gas_used = parse_u64(field(o, "gasUsed", what), name(what, "gasUsed"));
  r.cumulative_gas_used =
      parse_u64(field(o, "cumulativeGasUsed", what), name(what, "cumulativeGasUsed"));
  if (const auto* price = o.if_contains("effectiveGasPrice");
      price != nullptr && !price->is_null()) {
    r.effective_gas_price = parse_quantity(*price, name(what, "effectiveGasPrice"));
  }
  const auto& logs = array_of(field(o, "logs", what), name(what, "logs"));
  for (const auto& item : logs) r.logs.push_back(parse_log(item));
  return r;
}

FeeHistory parse_fee_history(const json::value& v) {
  constexpr std::string_view what = "feeHistory";
  const auto& o = object_of(v, what);
  FeeHistory fh;
  fh.oldest_block = parse_u64(field(o, "oldestBlock", what), name(what, "oldestBlock"));
  for (const auto& fee : array_of(field(o, "baseFeePerGas", what), name(what, "baseFeePerGas"))) {
    fh.base_fee_per_gas.push_back(parse_quantity(fee, name(what, "baseFeePerGas[]")));
  }
  for (const auto& ratio : array_of(field(o, "gasUsedRatio", what), name(what, "gasUsedRatio"))) {
    double r = 0;
    if (ratio.is_double()) {
      r = ratio.get_double();
    } else if (ratio.is_int64()) {
      r = static_cast<double>(ratio.get_int64());
    } else if (ratio.is_uint64()) {
      r = static_cast<double>(ratio.get_uint64());
    } else {
      bad(name(what, "gasUsedRatio[]"), "is not a number");
    }
    if (!std::isfinite(r) || r < 0)
      bad(name(what, "gasUsedRatio[]"), "is not a non-negative number");
    fh.gas_used_ratio.push_back(r);
  }
  if (const auto* reward = o.if_contains("reward"); reward != nullptr && !reward->is_null()) {
    for (const auto& block : array_of(*reward, name(what, "reward"))) {
      std::vector<eth::U256> fees;
      for (const auto& fee : array_of(block, name(what, "reward[]"))) {
        fees.push_back(parse_quantity(fee, name(what, "reward[][]")));
      }
      fh.reward.push_back(std::move(fees));
    }
    if (fh.reward.size() != fh.gas_used_ratio.size())
      bad(name(what, "reward"), "length differs from gasUsedRatio");
  }
  // baseFeePerGas has one entry more (the next block) — some nodes send equal lengths.
  if (fh.base_fee_per_gas.size() != fh.gas_used_ratio.size() + 1 &&
      fh.base_fee_per_gas.size() != fh.gas_used_ratio.size()) {
    bad(name(what, "baseFeePerGas"), "length does not match gasUsedRatio");
  }
  return fh;
}

}  // namespace lottery::rpc::eth_json

namespace lottery::rpc {

std::string BlockTag::to_param() const {
  switch (kind) {
    case Kind::kNumber:
      return eth::u256_to_quantity(eth::U256(number));
    case Kind::kLatest:
      return "latest";
    case Kind::kPending:
      return "pending";
    case Kind::kSafe:
      return "safe";
    case Kind::kFinalized:
      return "finalized";
    case Kind::kEarliest:
      return "earliest";
  }
  return "latest";
}

}  // namespace lottery::rpc
