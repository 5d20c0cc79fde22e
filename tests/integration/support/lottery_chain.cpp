// SPDX-License-Identifier: Apache-2.0
#include "support/lottery_chain.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace lottery::integration {

namespace json = boost::json;

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string read_bytecode() {
  const std::string path = std::string(LOTTERY_SOURCE_DIR) + "/contracts/out/Lottery.bin";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string code = text.str();
  while (!code.empty() && std::isspace(static_cast<unsigned char>(code.back()))) code.pop_back();
  if (code.rfind("0x", 0) == 0) code.erase(0, 2);
  return code;
}

}  // namespace

std::string quantity(std::uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(value));
  return buffer;
}

std::string abi_word(std::uint64_t value) {
  char buffer[67];
  std::snprintf(buffer, sizeof buffer, "0x%064llx", static_cast<unsigned long long>(value));
  return buffer;
}

std::string abi_address_word(std::string_view address) {
  std::string hex = lower(address);
  if (hex.rfind("0x", 0) == 0) hex.erase(0, 2);
  if (hex.size() != 40) throw std::invalid_argument("not an address: " + std::string(address));
  return "0x" + std::string(24, '0') + hex;
}

std::uint64_t parse_quantity(const json::value& value) {
  if (!value.is_string())
    throw std::runtime_error("expected a quantity, got " + json::serialize(value));
  const std::string text(value.as_string());
  if (text.size() < 3 || text.rfind("0x", 0) != 0 || text.size() > 18) {
    throw std::runtime_error("bad quantity " + text);
  }
  return std::stoull(text.substr(2), nullptr, 16);
}

LotteryChain::LotteryChain(LotteryChainOptions options)
    : options_(std::move(options)), anvil_(std::make_unique<AnvilProcess>(options_.anvil)) {
  deploy();
}

LotteryChain::LotteryChain(std::unique_ptr<AnvilProcess> anvil, std::string contract_address,
                           LotteryChainOptions options)
    : options_(std::move(options)), anvil_(std::move(anvil)), contract_(lower(contract_address)) {}

LotteryChain::~LotteryChain() = default;

void LotteryChain::stop_anvil() {
  anvil_->stop();
}

void LotteryChain::replace_anvil(std::unique_ptr<AnvilProcess> anvil) {
  anvil_ = std::move(anvil);
}

std::string LotteryChain::address(std::size_t index) {
  return lower(kDevAddresses.at(index));
}

std::string LotteryChain::private_key(std::size_t index) {
  return std::string(kDevPrivateKeys.at(index));
}

json::value LotteryChain::rpc(const std::string& method, const json::array& params) {
  const std::string reply_text = anvil_->rpc(method, json::serialize(params));
  json::value reply;
  try {
    reply = json::parse(reply_text);
  } catch (const std::exception&) {
    throw std::runtime_error(method + ": reply is not JSON: " + reply_text.substr(0, 200));
  }
  if (!reply.is_object())
    throw std::runtime_error(method + ": unexpected reply " + reply_text.substr(0, 200));
  const auto& object = reply.as_object();
  if (const auto* error = object.if_contains("error")) {
    throw std::runtime_error(method + " failed: " + json::serialize(*error));
  }
  const auto* result = object.if_contains("result");
  if (result == nullptr)
    throw std::runtime_error(method + ": reply without result: " + reply_text.substr(0, 200));
  return *result;
}

json::object LotteryChain::transaction(std::size_t from, std::string_view data_hex,
                                       std::uint64_t value_wei) const {
  json::object txn;
  txn["from"] = address(from);
  if (!contract_.empty()) txn["to"] = contract_;
  txn["data"] = std::string(data_hex);
  txn["value"] = quantity(value_wei);
  return txn;
}

std::string LotteryChain::send(std::size_t from, std::string_view data_hex, std::uint64_t value_wei,
                               std::optional<std::uint64_t> gas) {
  json::object txn = transaction(from, data_hex, value_wei);
  if (gas) txn["gas"] = quantity(*gas);
  json::array params;
  params.push_back(txn);
  const json::value hash = rpc("eth_sendTransaction", params);
  if (!hash.is_string())
    throw std::runtime_error("eth_sendTransaction returned " + json::serialize(hash));
  std::string txn_hash(hash.as_string());
  if (automine_) {
    const json::value r = wait_receipt(txn_hash);
    if (r.at("status") != "0x1") {
      throw std::runtime_error("transaction " + txn_hash + " reverted (data " +
                               std::string(data_hex.substr(0, 10)) +
                               "): " + json::serialize(r).substr(0, 300));
    }
  }
  return txn_hash;
}

json::value LotteryChain::receipt(const std::string& txn_hash) {
  json::array params;
  params.emplace_back(txn_hash);
  return rpc("eth_getTransactionReceipt", params);
}

json::value LotteryChain::wait_receipt(const std::string& txn_hash,
                                       std::chrono::milliseconds timeout) {
  // Anvil answers eth_sendTransaction before the mined block is visible to
  // every other call, so poll briefly.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    json::value r = receipt(txn_hash);
    if (!r.is_null()) return r;
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("transaction " + txn_hash + " was not mined within " +
                               std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void LotteryChain::deploy() {
  const std::string code = "0x" + read_bytecode() + abi_word(options_.commission_bps).substr(2);
  json::object txn;
  txn["from"] = address(options_.publisher);
  txn["data"] = code;
  json::array params;
  params.push_back(txn);
  const json::value hash = rpc("eth_sendTransaction", params);
  const json::value r = wait_receipt(std::string(hash.as_string()));
  if (!r.is_object() || !r.as_object().contains("contractAddress") ||
      !r.at("contractAddress").is_string()) {
    throw std::runtime_error("deployment was not mined: " + json::serialize(r));
  }
  if (r.at("status") != "0x1")
    throw std::runtime_error("deployment reverted: " + json::serialize(r));
  contract_ = lower(std::string(r.at("contractAddress").as_string()));
  deploy_block_ = parse_quantity(r.at("blockNumber"));
  set_operator(options_.operator_account);
}

std::string LotteryChain::bet(std::size_t account, std::uint64_t wei) {
  return send(account, kPlaceBet, wei);
}
// The draw's gas depends on the seed (how far the walk over participants
// goes, which winner is paid), and the seed at execution differs from the one
// eth_estimateGas saw; a fixed generous limit avoids sporadic out-of-gas.
constexpr std::uint64_t kRoundEndGas = 3'000'000;

std::string LotteryChain::draw_winner() {
  return send(options_.operator_account, kDrawWinner, 0, kRoundEndGas);
}
std::string LotteryChain::refund_round() {
  return send(options_.operator_account, kRefundRound, 0, kRoundEndGas);
}
std::string LotteryChain::refund_expired_round(std::size_t from) {
  return send(from, kRefundExpiredRound, 0, kRoundEndGas);
}
std::string LotteryChain::start_round() {
  return send(options_.operator_account, kStartRound);
}
std::string LotteryChain::set_operator(std::size_t account) {
  return send(options_.publisher,
              std::string(kSetOperator) + abi_address_word(address(account)).substr(2));
}

void LotteryChain::mine(std::uint64_t blocks) {
  json::array params;
  params.emplace_back(quantity(blocks));
  rpc("anvil_mine", params);
}

void LotteryChain::increase_time(std::uint64_t seconds) {
  json::array params;
  params.emplace_back(seconds);
  rpc("evm_increaseTime", params);
}

void LotteryChain::set_automine(bool on) {
  automine_ = on;
  json::array params;
  params.emplace_back(on);
  rpc("evm_setAutomine", params);
}

std::string LotteryChain::snapshot() {
  const json::value id = rpc("evm_snapshot");
  return std::string(id.as_string());
}

void LotteryChain::revert(const std::string& snapshot_id) {
  json::array params;
  params.emplace_back(snapshot_id);
  if (rpc("evm_revert", params) != true)
    throw std::runtime_error("evm_revert refused snapshot " + snapshot_id);
}

void LotteryChain::reorg(std::uint64_t depth, const json::array& txs) {
  json::array params;
  params.emplace_back(depth);
  params.push_back(txs);
  rpc("anvil_reorg", params);
}

std::uint64_t LotteryChain::block_number() {
  return parse_quantity(rpc("eth_blockNumber"));
}

json::value LotteryChain::block(std::uint64_t number) {
  json::array params;
  params.emplace_back(quantity(number));
  params.emplace_back(false);
  return rpc("eth_getBlockByNumber", params);
}

json::array LotteryChain::get_logs(std::uint64_t from, std::uint64_t to) {
  json::object filter;
  filter["address"] = contract_;
  filter["fromBlock"] = quantity(from);
  filter["toBlock"] = quantity(to);
  json::array params;
  params.push_back(filter);
  json::value logs = rpc("eth_getLogs", params);
  if (!logs.is_array()) throw std::runtime_error("eth_getLogs returned " + json::serialize(logs));
  return logs.as_array();
}

std::string LotteryChain::call(std::string_view data_hex) {
  json::object request;
  request["to"] = contract_;
  request["data"] = std::string(data_hex);
  json::array params;
  params.push_back(request);
  params.emplace_back("latest");
  const json::value result = rpc("eth_call", params);
  return std::string(result.as_string());
}

std::uint64_t LotteryChain::nonce(const std::string& address, const char* tag) {
  json::array params;
  params.emplace_back(address);
  params.emplace_back(tag);
  return parse_quantity(rpc("eth_getTransactionCount", params));
}

std::string LotteryChain::event_topic(std::string_view event_signature) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string data = "0x";
  for (const char c : event_signature) {
    const auto byte = static_cast<unsigned char>(c);
    data += kDigits[byte >> 4];
    data += kDigits[byte & 0x0f];
  }
  json::array params;
  params.emplace_back(data);
  const json::value topic = rpc("web3_sha3", params);
  if (!topic.is_string()) throw std::runtime_error("web3_sha3 returned " + json::serialize(topic));
  return lower(topic.as_string());
}

std::size_t LotteryChain::count_logs(std::string_view event_signature) {
  const std::string topic = event_topic(event_signature);
  std::size_t n = 0;
  for (const auto& log : get_logs(0, block_number())) {
    const auto& topics = log.as_object().at("topics").as_array();
    if (!topics.empty() && lower(topics[0].as_string()) == topic) ++n;
  }
  return n;
}

}  // namespace lottery::integration
