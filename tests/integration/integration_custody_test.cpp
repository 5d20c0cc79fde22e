// SPDX-License-Identifier: Apache-2.0
// Key custody end to end against the real binary: `lottery serve` without a
// key reports operator "no_key"; `lottery inject-key` (with a dev attestation
// check) installs the operator key at run time and the operator starts
// without a restart; wrong and repeated injections are refused; the key never
// appears in any output.
#include "support/http_test_client.hpp"
#include "support/lottery_chain.hpp"
#include "support/process_runner.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

namespace lottery::integration {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string lottery_bin() {
  // LOTTERY_TEST_BIN lets a developer point the test at another build of the binary.
  if (const char* over = std::getenv("LOTTERY_TEST_BIN"); over != nullptr && *over != 0)
    return over;
  return LOTTERY_BIN;
}

bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return condition();
}

std::string operator_status(std::uint16_t port) {
  const HttpReply reply = http_request(port, "GET", "/api/health");
  const boost::json::value doc = reply.json();
  const auto* components = doc.is_object() ? doc.as_object().if_contains("components") : nullptr;
  const auto* op = components != nullptr && components->is_object()
                       ? components->as_object().if_contains("operator")
                       : nullptr;
  const auto* status =
      op != nullptr && op->is_object() ? op->as_object().if_contains("status") : nullptr;
  return status != nullptr && status->is_string() ? std::string(status->as_string())
                                                  : std::string();
}

class CustodyServe : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!AnvilProcess::available()) GTEST_SKIP() << "node_modules/.bin/anvil missing";
    dir_ = fs::temp_directory_path() / ("custody_it_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    chain_ = std::make_unique<LotteryChain>();
    // An empty config file, so no ./lottery.conf of the developer is read.
    std::ofstream(dir_ / "none.conf") << "{}\n";
    serve_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{lottery_bin(), "serve", "--config", (dir_ / "none.conf").string(),
                                 "--set", "blockchain.rpc_urls=" + chain_->http_url(), "--set",
                                 "blockchain.contract_address=" + chain_->contract_address(),
                                 "--set", "server.port=0", "--set", "server.static_dir=", "--set",
                                 "event_manager.confirmations=0", "--set",
                                 "event_manager.poll_interval_seconds=0.2"},
        (dir_ / "serve.log").string());
    ASSERT_TRUE(wait_for(
        [&] {
          const std::string log = serve_->read_log();
          const auto at = log.find("http_port=");
          if (at == std::string::npos) return false;
          port_ = static_cast<std::uint16_t>(std::stoi(log.substr(at + 10)));
          return port_ != 0;
        },
        20s))
        << serve_->read_log();
  }

  void TearDown() override {
    if (serve_) serve_->stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string key_file(std::size_t account) {
    const fs::path path = dir_ / ("key" + std::to_string(account));
    std::ofstream(path) << LotteryChain::private_key(account) << "\n";
    ::chmod(path.c_str(), 0600);
    return path.string();
  }

  ProcessResult inject(std::size_t account, bool attest) {
    std::vector<std::string> argv = {lottery_bin(), "inject-key",
                                     "--url",       "http://127.0.0.1:" + std::to_string(port_),
                                     "--key-file",  key_file(account)};
    if (attest) {
      argv.emplace_back("--attest");
      argv.emplace_back("--allow-dev");
    }
    ProcessResult r = run_process(argv, 30s);
    outputs_ += r.out + r.err;
    return r;
  }

  fs::path dir_;
  std::unique_ptr<LotteryChain> chain_;
  std::unique_ptr<BackgroundProcess> serve_;
  std::uint16_t port_ = 0;
  std::string outputs_;
};

TEST_F(CustodyServe, InjectedKeyStartsTheOperatorWithoutRestart) {
  // No key configured: read-only, and the contract's operator() is known after the first sync.
  ASSERT_TRUE(wait_for([&] { return operator_status(port_) == "no_key"; }, 30s))
      << serve_->read_log();
  ASSERT_TRUE(
      wait_for([&] { return http_request(port_, "GET", "/api/ready").status == 200; }, 30s));

  const HttpReply pub = http_request(port_, "GET", "/api/get_pub_key");
  ASSERT_EQ(pub.status, 200);
  EXPECT_EQ(pub.json().at("curve").as_string(), "secp384r1");
  EXPECT_EQ(pub.json().at("public_key_hex").as_string().size(), 194u);

  const HttpReply att = http_request(port_, "GET", "/api/attestation?nonce=0badf00d");
  ASSERT_EQ(att.status, 200) << att.body;
  EXPECT_EQ(att.json().at("dev").as_bool(), true);
  EXPECT_EQ(att.json().at("nonce").as_string(), "0badf00d");
  EXPECT_EQ(att.json().at("public_key").as_string(), pub.json().at("public_key_hex").as_string());
  const HttpReply raw = http_request(port_, "POST", "/.well-known/attestation?nonce=01", "");
  EXPECT_EQ(raw.status, 200);
  EXPECT_EQ(raw.header("content-type"), "application/cbor");

  // A dev document is refused by the CLI unless --allow-dev, and verify-attestation says so.
  const ProcessResult verify = run_process(
      {lottery_bin(), "verify-attestation", "--url", "http://127.0.0.1:" + std::to_string(port_)},
      30s);
  EXPECT_EQ(verify.exit_code, 3) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("DEV DOCUMENT"), std::string::npos);
  EXPECT_NE(verify.out.find("binding"), std::string::npos);

  // The key of another account: refused (exit 4), still read-only.
  const ProcessResult wrong = inject(2, false);
  EXPECT_EQ(wrong.exit_code, 4) << wrong.out << wrong.err;
  EXPECT_NE(wrong.err.find("wrong_key"), std::string::npos);
  EXPECT_EQ(operator_status(port_), "no_key");

  // The operator's key (account 1), after checking the (dev) attestation.
  const ProcessResult ok = inject(1, true);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("injected"), std::string::npos);
  EXPECT_NE(ok.out.find(std::string(kDevAddresses[1])), std::string::npos);
  EXPECT_TRUE(wait_for([&] { return operator_status(port_) == "running"; }, 15s))
      << operator_status(port_);

  // One-time rule.
  const ProcessResult again = inject(1, false);
  EXPECT_EQ(again.exit_code, 4);
  EXPECT_NE(again.err.find("403"), std::string::npos);

  // The operator really operates: a round with two players gets drawn.
  chain_->bet(3, kMinBetWei);
  chain_->bet(4, kMinBetWei);
  chain_->increase_time(200);
  chain_->mine();
  EXPECT_TRUE(wait_for(
      [&] {
        chain_->mine();
        const HttpReply history = http_request(port_, "GET", "/api/history");
        const auto doc = history.json();
        return doc.is_object() && doc.as_object().contains("rounds") &&
               !doc.at("rounds").as_array().empty();
      },
      30s))
      << serve_->read_log();

  serve_->stop();
  const std::string everything = serve_->read_log() + outputs_ + verify.out + verify.err;
  for (std::size_t account : {1u, 2u}) {
    const std::string secret = LotteryChain::private_key(account).substr(2);
    EXPECT_EQ(everything.find(secret), std::string::npos) << "key " << account << " leaked";
    EXPECT_EQ(everything.find(secret.substr(0, 20)), std::string::npos);
  }
}

}  // namespace
}  // namespace lottery::integration
