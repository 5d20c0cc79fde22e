// SPDX-License-Identifier: Apache-2.0
#pragma once

// A local chain with the real Lottery contract, for integration tests of the
// follower, the operator and the server.
//
//   LotteryChain chain;                       // Anvil on a free port, Lottery deployed
//   chain.bet(2, 1'000'000'000'000'000);      // account 2 bets 0.001 ETH
//   chain.increase_time(200); chain.mine();   // past the betting window
//   chain.draw_winner();                      // from the operator (account 1)
//
// Transactions are sent with eth_sendTransaction from Anvil's unlocked dev
// accounts (no signing here), so this helper depends on nothing of ours and
// can check our code independently. Calls throw std::runtime_error with the
// node's message (e.g. a revert reason). Not thread-safe; one per test.

#include "support/anvil_process.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace lottery::integration {

/// Anvil's default accounts (mnemonic "test test … junk"), checksummed.
inline constexpr std::array<std::string_view, 10> kDevAddresses = {
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
    "0x976EA74026E726554dB657fA54763abd0C3a0aa9", "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
    "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f", "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"};

/// Their well-known private keys (public test keys: never use them on a real network).
inline constexpr std::array<std::string_view, 10> kDevPrivateKeys = {
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6"};

/// 0.001 ether, the contract's default minimum bet.
inline constexpr std::uint64_t kMinBetWei = 1'000'000'000'000'000;

struct LotteryChainOptions {
  AnvilOptions anvil;
  /// Publisher commission in basis points (constructor argument, max 1000).
  std::uint64_t commission_bps = 500;
  /// Account index of the publisher (deployer) and of the operator.
  std::size_t publisher = 0;
  std::size_t operator_account = 1;
};

class LotteryChain {
 public:
  /// Starts Anvil, deploys Lottery from `publisher` and calls
  /// setOperator(operator_account). Throws std::runtime_error on failure.
  explicit LotteryChain(LotteryChainOptions options = {});
  /// Attaches to an already running Anvil where the contract exists (e.g.
  /// one restarted with --load-state); no deployment.
  LotteryChain(std::unique_ptr<AnvilProcess> anvil, std::string contract_address,
               LotteryChainOptions options = {});
  ~LotteryChain();
  LotteryChain(const LotteryChain&) = delete;
  LotteryChain& operator=(const LotteryChain&) = delete;

  AnvilProcess& anvil() { return *anvil_; }
  /// Stops Anvil (SIGTERM; with --dump-state it writes its state) and hands
  /// back nothing: attach a new one with `replace_anvil`.
  void stop_anvil();
  void replace_anvil(std::unique_ptr<AnvilProcess> anvil);

  std::string http_url() const { return anvil_->http_url(); }
  std::string ws_url() const { return anvil_->ws_url(); }
  /// Lower-case "0x…" address of the deployed contract.
  const std::string& contract_address() const noexcept { return contract_; }
  /// Lower-case "0x…" address of dev account `index` (0..9).
  static std::string address(std::size_t index);
  static std::string private_key(std::size_t index);
  std::string operator_address() const { return address(options_.operator_account); }
  std::string publisher_address() const { return address(options_.publisher); }
  /// The block the contract was created in.
  std::uint64_t deploy_block() const noexcept { return deploy_block_; }

  // ---- raw JSON-RPC ----

  /// Sends one request and returns its "result"; throws std::runtime_error
  /// with the node's error message.
  boost::json::value rpc(const std::string& method, const boost::json::array& params = {});

  // ---- transactions (eth_sendTransaction from unlocked dev accounts) ----

  /// Sends a transaction and returns its hash. With automine on (the
  /// default, as `set_automine` last left it), it waits for the receipt, so
  /// the transaction is mined and visible when this returns, and a mined
  /// transaction that reverted throws. A transaction the node refuses (e.g. a revert found
  /// by gas estimation) throws with the node's message.
  std::string send(std::size_t from, std::string_view data_hex, std::uint64_t value_wei = 0,
                   std::optional<std::uint64_t> gas = std::nullopt);
  /// The transaction object for `send` (for anvil_reorg's replacement list).
  boost::json::object transaction(std::size_t from, std::string_view data_hex,
                                  std::uint64_t value_wei = 0) const;
  /// eth_getTransactionReceipt (null while pending).
  boost::json::value receipt(const std::string& txn_hash);
  /// Polls the receipt until it exists; throws after `timeout`.
  boost::json::value wait_receipt(
      const std::string& txn_hash,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000));

  std::string bet(std::size_t account, std::uint64_t wei);
  std::string draw_winner();   ///< from the operator account
  std::string refund_round();  ///< from the operator account
  std::string refund_expired_round(std::size_t from);
  std::string start_round();                      ///< from the operator account
  std::string set_operator(std::size_t account);  ///< from the publisher

  // ---- chain control ----

  void mine(std::uint64_t blocks = 1);
  void increase_time(std::uint64_t seconds);
  void set_automine(bool on);
  std::string snapshot();
  void revert(const std::string& snapshot_id);
  /// anvil_reorg: replaces the last `depth` blocks with as many new ones;
  /// `txs` holds [transaction, block offset] pairs to include in them.
  void reorg(std::uint64_t depth, const boost::json::array& txs = {});

  // ---- reads ----

  std::uint64_t block_number();
  /// eth_getBlockByNumber(n, false).
  boost::json::value block(std::uint64_t number);
  /// The contract's logs in blocks from..to (inclusive).
  boost::json::array get_logs(std::uint64_t from, std::uint64_t to);
  /// eth_call of `data_hex` on the contract at "latest"; returns the "0x…" result.
  std::string call(std::string_view data_hex);
  /// eth_getTransactionCount of `address` at block `tag` ("latest", "pending", …).
  std::uint64_t nonce(const std::string& address, const char* tag = "latest");
  /// The "0x…" topic of an event, e.g. "RoundRefunded(uint256,uint256,uint256,string,uint256)":
  /// Keccak-256 of the signature, computed by the node (web3_sha3), not by our code.
  std::string event_topic(std::string_view event_signature);
  /// How many of the contract's logs on the canonical chain (block 0 to the head) have
  /// `event_signature`'s topic first.
  std::size_t count_logs(std::string_view event_signature);

  /// Function selectors (4 bytes as "0x…") of the calls above.
  static constexpr std::string_view kPlaceBet = "0xf90f4560";
  static constexpr std::string_view kDrawWinner = "0xb2185bb1";
  static constexpr std::string_view kRefundRound = "0x60f8af90";
  static constexpr std::string_view kRefundExpiredRound = "0xdef20daf";
  static constexpr std::string_view kStartRound = "0x55e3f086";
  static constexpr std::string_view kSetOperator = "0xb3ab15fb";
  static constexpr std::string_view kGetRound = "0x9f8743f7";
  static constexpr std::string_view kGetParticipantsWithBets = "0xbd5c8d99";

 private:
  void deploy();

  LotteryChainOptions options_;
  std::unique_ptr<AnvilProcess> anvil_;
  std::string contract_;
  std::uint64_t deploy_block_ = 0;
  bool automine_ = true;
};

/// "0x" + 64 hex digits of `value` (an ABI word).
std::string abi_word(std::uint64_t value);
/// An address as an ABI word.
std::string abi_address_word(std::string_view address);
/// "0x1a" style quantity.
std::string quantity(std::uint64_t value);
/// Parses a "0x…" quantity that fits 64 bits; throws std::runtime_error.
std::uint64_t parse_quantity(const boost::json::value& value);

}  // namespace lottery::integration
