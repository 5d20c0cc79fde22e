// SPDX-License-Identifier: Apache-2.0
#include "config/load.hpp"

#include "test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace lottery::config {
namespace {

using test::ConfigTest;
using test::kKey;
using test::kKeyUpper;
using test::load_with;
using test::TempDir;
using ::testing::ElementsAre;

// ---- precedence ---------------------------------------------------------------

struct PrecedenceCase {
  std::string key;        // table key, also the --set name
  std::string env;        // environment name
  std::string file_json;  // the value as written in the config file
  std::string env_value;
  std::string flag_value;
  std::string default_shown, file_shown, env_shown, flag_shown;
};

TEST_F(ConfigTest, DefaultsThenFileThenEnvThenFlags) {
  const std::vector<PrecedenceCase> cases = {
      {"server.port", "SERVER_PORT", "7001", "7002", "7003", "6080", "7001", "7002", "7003"},
      {"blockchain.gas_multiplier", "BLOCKCHAIN_GAS_MULTIPLIER", "1.5", "2", "2.5", "1.2", "1.5",
       "2", "2.5"},
      {"blockchain.rpc_urls", "BLOCKCHAIN_RPC_URL", R"(["http://file:1", "ws://file:2"])",
       "https://env:3", "wss://flag:4,http://flag:5", "http://127.0.0.1:8545",
       "http://file:1,ws://file:2", "https://env:3", "wss://flag:4,http://flag:5"},
      {"log.level", "APP_LOG_LEVEL", R"("warn")", "error", "debug", "info", "warn", "error",
       "debug"},
      {"operator.enabled", "OPERATOR_ENABLED", "false", "true", "no", "true", "false", "true",
       "false"},
      {"event_manager.start_block", "EVENTMGR_START_BLOCK", "100", "200", "300", "", "100", "200",
       "300"},
      {"blockchain.contract_address", "BLOCKCHAIN_CONTRACT_ADDRESS",
       R"("0x5fbdb2315678afecb367f032d93f642f64180aa3")",
       "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512", "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
       "", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
       "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key);
    const auto* d = find_setting(c.key);
    ASSERT_NE(d, nullptr);
    const std::string section(d->section());
    const std::string name(d->name());
    TempDir dir;
    const std::string file =
        dir.write("lottery.conf", "{\"" + section + "\": {\"" + name + "\": " + c.file_json + "}}");

    const auto defaults = load_with({});
    ASSERT_TRUE(defaults.ok()) << defaults.errors.front();
    EXPECT_EQ(d->show(defaults.settings).value_or(""), c.default_shown);
    EXPECT_EQ(defaults.source_of(c.key), Source::kDefault);

    const auto from_file = load_with({}, file);
    ASSERT_TRUE(from_file.ok()) << from_file.errors.front();
    EXPECT_EQ(d->show(from_file.settings).value_or(""), c.file_shown);
    EXPECT_EQ(from_file.source_of(c.key), Source::kFile);

    const auto from_env = load_with({{c.env, c.env_value}}, file);
    ASSERT_TRUE(from_env.ok()) << from_env.errors.front();
    EXPECT_EQ(d->show(from_env.settings).value_or(""), c.env_shown);
    EXPECT_EQ(from_env.source_of(c.key), Source::kEnv);

    const auto from_flag = load_with({{c.env, c.env_value}}, file, {{c.key, c.flag_value}});
    ASSERT_TRUE(from_flag.ok()) << from_flag.errors.front();
    EXPECT_EQ(d->show(from_flag.settings).value_or(""), c.flag_shown);
    EXPECT_EQ(from_flag.source_of(c.key), Source::kFlag);
  }
}

TEST_F(ConfigTest, TypedValuesLandInTheStruct) {
  const auto r = load_with({{"SERVER_PORT", "8081"},
                            {"BLOCKCHAIN_CHAIN_ID", "31337"},
                            {"EVENTMGR_POLL_INTERVAL_SECONDS", "0.25"},
                            {"EVENTMGR_CONFIRMATIONS", "0"},
                            {"ENCLAVE_ATTESTATION_ENABLED", "TRUE"},
                            {"APP_LOG_FORMAT", "json"},
                            {"APP_LOG_FILE", "/var/log/lottery.log"},
                            {"REDIS_URL", "redis://localhost:6379/0"}});
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.settings.server.port, 8081);
  EXPECT_EQ(r.settings.blockchain.chain_id, 31337U);
  EXPECT_DOUBLE_EQ(r.settings.event_manager.poll_interval_seconds, 0.25);
  EXPECT_EQ(r.settings.event_manager.confirmations, 0U);
  EXPECT_TRUE(r.settings.enclave.attestation_enabled);
  EXPECT_EQ(r.settings.log.format, logging::Format::kJson);
  EXPECT_EQ(r.settings.log.file, "/var/log/lottery.log");
  EXPECT_EQ(r.settings.redis.url, "redis://localhost:6379/0");
}

TEST_F(ConfigTest, FlagsMayUseEnvNamesAndTheLastOneWins) {
  const auto r = load_with({}, std::nullopt,
                           {{"SERVER_PORT", "1"}, {"server.port", "2"}, {"SERVER_PORT", "3"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.settings.server.port, 3);
}

TEST_F(ConfigTest, EmptyEnvironmentVariablesCountAsUnset) {
  const auto r = load_with({{"SERVER_PORT", ""}, {"BLOCKCHAIN_RPC_URL", ""}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.settings.server.port, 6080);
  EXPECT_EQ(r.source_of("server.port"), Source::kDefault);
}

TEST_F(ConfigTest, EmptyFlagUnsetsAnOptionalSetting) {
  const auto r =
      load_with({{"BLOCKCHAIN_CHAIN_ID", "5"}}, std::nullopt, {{"blockchain.chain_id", ""}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.settings.blockchain.chain_id, std::nullopt);
  EXPECT_EQ(r.source_of("blockchain.chain_id"), Source::kFlag);
}

// ---- lists ----------------------------------------------------------------------

TEST_F(ConfigTest, CommaSeparatedUrlListsAreTrimmed) {
  const auto r = load_with(
      {{"BLOCKCHAIN_RPC_URL", " http://a:8545 ,wss://b.example/ws,, https://c.example/v3/x "},
       {"SERVER_CORS_ORIGINS", "https://lottery.example, http://localhost:5173"}});
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_THAT(r.settings.blockchain.rpc_urls,
              ElementsAre("http://a:8545", "wss://b.example/ws", "https://c.example/v3/x"));
  EXPECT_THAT(r.settings.server.cors_origins,
              ElementsAre("https://lottery.example", "http://localhost:5173"));
}

TEST_F(ConfigTest, CorsWildcardAndEmptyListAreAllowed) {
  auto r = load_with({{"SERVER_CORS_ORIGINS", "*"}});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r.settings.server.cors_origins, ElementsAre("*"));
  r = load_with({}, std::nullopt, {{"server.cors_origins", ""}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.settings.server.cors_origins.empty());
}

TEST_F(ConfigTest, JsonArraysAndStringsBothWorkForLists) {
  TempDir dir;
  const auto file =
      dir.write("c.json", R"({"blockchain": {"rpc_urls": ["http://a:1", "http://b:2"]},
                    "server": {"cors_origins": "https://x.example,https://y.example"}})");
  const auto r = load_with({}, file);
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_THAT(r.settings.blockchain.rpc_urls, ElementsAre("http://a:1", "http://b:2"));
  EXPECT_THAT(r.settings.server.cors_origins,
              ElementsAre("https://x.example", "https://y.example"));
}

// ---- validation: one exact line per problem ---------------------------------------

struct BadValue {
  std::string env;
  std::string value;
  std::string line;
};

TEST_F(ConfigTest, EveryInvalidValueGivesOneExactLine) {
  const std::string port = "expected an integer between 0 and 65535";
  const std::string origins =
      "expected a comma-separated list of origins like https://example.org, or *";
  const std::string rpc = "expected a comma-separated list of http, https, ws or wss URLs";
  const std::string addr =
      "expected 0x followed by 40 hex digits (EIP-55 checksum when mixed case)";
  const std::string gas = "expected a number between 1.0 and 5.0";
  const std::vector<BadValue> cases = {
      {"SERVER_HOST", "bad host",
       "config: SERVER_HOST=\"bad host\" is not valid: expected a host "
       "name or IP address without spaces"},
      {"SERVER_PORT", "65536", "config: SERVER_PORT=\"65536\" is not valid: " + port},
      {"SERVER_PORT", "-1", "config: SERVER_PORT=\"-1\" is not valid: " + port},
      {"SERVER_PORT", "80x", "config: SERVER_PORT=\"80x\" is not valid: " + port},
      {"SERVER_PORT", "0x50", "config: SERVER_PORT=\"0x50\" is not valid: " + port},
      {"SERVER_CORS_ORIGINS", "https://a.example/path",
       "config: SERVER_CORS_ORIGINS=\"https://a.example/path\" is not valid: " + origins},
      {"SERVER_CORS_ORIGINS", "ftp://a.example",
       "config: SERVER_CORS_ORIGINS=\"ftp://a.example\" is not valid: " + origins},
      {"SERVER_MAX_BODY_BYTES", "100",
       "config: SERVER_MAX_BODY_BYTES=\"100\" is not valid: expected an integer between 1024 and "
       "16777216"},
      {"SERVER_IDLE_TIMEOUT_SECONDS", "0",
       "config: SERVER_IDLE_TIMEOUT_SECONDS=\"0\" is not valid: expected an integer between 1 and "
       "3600"},
      {"SERVER_RATE_LIMIT_PER_MINUTE", "0",
       "config: SERVER_RATE_LIMIT_PER_MINUTE=\"0\" is not valid: expected an integer between 1 "
       "and 100000"},
      {"SERVER_WS_MAX_CLIENTS", "0",
       "config: SERVER_WS_MAX_CLIENTS=\"0\" is not valid: expected an integer between 1 and "
       "1000000"},
      {"SERVER_WS_SEND_QUEUE", "10001",
       "config: SERVER_WS_SEND_QUEUE=\"10001\" is not valid: expected an integer between 1 and "
       "10000"},
      {"BLOCKCHAIN_RPC_URL", "ftp://node.example",
       "config: BLOCKCHAIN_RPC_URL=\"ftp://node.example\" is not valid: " + rpc},
      {"BLOCKCHAIN_RPC_URL", " , ", "config: BLOCKCHAIN_RPC_URL=\" , \" is not valid: " + rpc},
      {"BLOCKCHAIN_RPC_URL", "http://ok:8545,not a url",
       "config: BLOCKCHAIN_RPC_URL=\"http://ok:8545,not a url\" is not valid: " + rpc},
      {"BLOCKCHAIN_CHAIN_ID", "0",
       "config: BLOCKCHAIN_CHAIN_ID=\"0\" is not valid: expected a chain id between 1 and "
       "4503599627370495"},
      {"BLOCKCHAIN_CONTRACT_ADDRESS", "0x123",
       "config: BLOCKCHAIN_CONTRACT_ADDRESS=\"0x123\" is not valid: " + addr},
      {"BLOCKCHAIN_CONTRACT_ADDRESS", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",
       "config: BLOCKCHAIN_CONTRACT_ADDRESS=\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD\" is not "
       "valid: " +
           addr},
      {"BLOCKCHAIN_OPERATOR_ADDRESS", "operator",
       "config: BLOCKCHAIN_OPERATOR_ADDRESS=\"operator\" is not valid: " + addr},
      {"BLOCKCHAIN_OPERATOR_PRIVATE_KEY", std::string(kKey.substr(0, 60)),
       "config: BLOCKCHAIN_OPERATOR_PRIVATE_KEY=[REDACTED] is not valid: expected 0x followed by "
       "64 hex digits (a nonzero secp256k1 private key)"},
      {"BLOCKCHAIN_OPERATOR_PRIVATE_KEY", "0x" + std::string(64, '0'),
       "config: BLOCKCHAIN_OPERATOR_PRIVATE_KEY=[REDACTED] is not valid: expected 0x followed by "
       "64 hex digits (a nonzero secp256k1 private key)"},
      {"BLOCKCHAIN_GAS_MULTIPLIER", "abc",
       "config: BLOCKCHAIN_GAS_MULTIPLIER=\"abc\" is not valid: " + gas},
      {"BLOCKCHAIN_GAS_MULTIPLIER", "0.99",
       "config: BLOCKCHAIN_GAS_MULTIPLIER=\"0.99\" is not valid: " + gas},
      {"BLOCKCHAIN_GAS_MULTIPLIER", "5.01",
       "config: BLOCKCHAIN_GAS_MULTIPLIER=\"5.01\" is not valid: " + gas},
      {"BLOCKCHAIN_GAS_MULTIPLIER", "nan",
       "config: BLOCKCHAIN_GAS_MULTIPLIER=\"nan\" is not valid: " + gas},
      {"BLOCKCHAIN_GAS_MULTIPLIER", "+1.5",
       "config: BLOCKCHAIN_GAS_MULTIPLIER=\"+1.5\" is not valid: " + gas},
      {"BLOCKCHAIN_MAX_FEE_GWEI", "0",
       "config: BLOCKCHAIN_MAX_FEE_GWEI=\"0\" is not valid: expected a number between 0.001 and "
       "1000000"},
      {"BLOCKCHAIN_RPC_TIMEOUT_SECONDS", "301",
       "config: BLOCKCHAIN_RPC_TIMEOUT_SECONDS=\"301\" is not valid: expected an integer between 1 "
       "and 300"},
      {"EVENTMGR_POLL_INTERVAL_SECONDS", "0",
       "config: EVENTMGR_POLL_INTERVAL_SECONDS=\"0\" is not valid: expected a number between 0.05 "
       "and 3600"},
      {"EVENTMGR_CONFIRMATIONS", "1001",
       "config: EVENTMGR_CONFIRMATIONS=\"1001\" is not valid: expected an integer between 0 and "
       "1000"},
      {"EVENTMGR_START_BLOCK", "-5",
       "config: EVENTMGR_START_BLOCK=\"-5\" is not valid: expected a block number (an integer of 0 "
       "or more)"},
      {"EVENTMGR_START_BLOCK", "18446744073709551616",
       "config: EVENTMGR_START_BLOCK=\"18446744073709551616\" is not valid: expected a block "
       "number "
       "(an integer of 0 or more)"},
      {"EVENTMGR_BACKFILL_BLOCKS", "100000001",
       "config: EVENTMGR_BACKFILL_BLOCKS=\"100000001\" is not valid: expected an integer between 0 "
       "and 100000000"},
      {"EVENTMGR_HISTORY_CAPACITY", "0",
       "config: EVENTMGR_HISTORY_CAPACITY=\"0\" is not valid: expected an integer between 1 and "
       "1000000"},
      {"EVENTMGR_FEED_CAPACITY", "1000001",
       "config: EVENTMGR_FEED_CAPACITY=\"1000001\" is not valid: expected an integer between 1 and "
       "1000000"},
      {"EVENTMGR_CONFIG_REFRESH_BLOCKS", "0",
       "config: EVENTMGR_CONFIG_REFRESH_BLOCKS=\"0\" is not valid: expected an integer between 1 "
       "and 100000"},
      {"EVENTMGR_LOG_CHUNK_BLOCKS", "0",
       "config: EVENTMGR_LOG_CHUNK_BLOCKS=\"0\" is not valid: expected an integer between 1 and "
       "1000000"},
      {"EVENTMGR_REORG_DEPTH", "0",
       "config: EVENTMGR_REORG_DEPTH=\"0\" is not valid: expected an integer between 1 and 10000"},
      {"OPERATOR_ENABLED", "maybe",
       "config: OPERATOR_ENABLED=\"maybe\" is not valid: expected true or false"},
      {"OPERATOR_REPLACE_AFTER_BLOCKS", "0",
       "config: OPERATOR_REPLACE_AFTER_BLOCKS=\"0\" is not valid: expected an integer between 1 "
       "and 1000"},
      {"OPERATOR_LOW_BALANCE_DRAWS", "1001",
       "config: OPERATOR_LOW_BALANCE_DRAWS=\"1001\" is not valid: expected an integer between 0 "
       "and 1000"},
      {"ENCLAVE_ATTESTATION_ENABLED", "2",
       "config: ENCLAVE_ATTESTATION_ENABLED=\"2\" is not valid: expected true or false"},
      {"REDIS_URL", "http://redis:6379",
       "config: REDIS_URL=\"http://redis:6379\" is not valid: expected a redis:// or rediss:// URL "
       "with a host"},
      {"REDIS_KEY_PREFIX", "a b",
       "config: REDIS_KEY_PREFIX=\"a b\" is not valid: expected a non-empty word without spaces"},
      {"REDIS_LEASE_SECONDS", "1",
       "config: REDIS_LEASE_SECONDS=\"1\" is not valid: expected an integer between 2 and 300"},
      {"APP_LOG_LEVEL", "verbose",
       "config: APP_LOG_LEVEL=\"verbose\" is not valid: expected one of debug, info, warn, error"},
      {"APP_LOG_LEVEL", "off",
       "config: APP_LOG_LEVEL=\"off\" is not valid: expected one of debug, info, warn, error"},
      {"APP_LOG_FORMAT", "xml",
       "config: APP_LOG_FORMAT=\"xml\" is not valid: expected text or json"},
      {"SERVER_HOST", "tab\there",
       "config: SERVER_HOST=\"tab\\x09here\" is not valid: expected a host name or IP address "
       "without spaces"},
  };
  std::set<std::string> covered;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.env + "=" + c.value);
    const auto r = load_with({{c.env, c.value}});
    EXPECT_THAT(r.errors, ElementsAre(c.line));
    covered.insert(c.env);
  }
  // Every setting that can be wrong has at least one case above (paths take
  // any text and are checked when used).
  for (const auto& d : settings_table()) {
    if (d.type == "path") continue;
    EXPECT_TRUE(covered.count(std::string(d.env)) == 1) << "no error case for " << d.env;
  }
}

TEST_F(ConfigTest, AllErrorsAreCollectedInTableOrder) {
  const auto r = load_with(
      {{"APP_LOG_FORMAT", "xml"}, {"SERVER_PORT", "x"}, {"BLOCKCHAIN_GAS_MULTIPLIER", "9"}});
  EXPECT_THAT(r.errors,
              ElementsAre("config: SERVER_PORT=\"x\" is not valid: expected an integer between 0 "
                          "and 65535",
                          "config: BLOCKCHAIN_GAS_MULTIPLIER=\"9\" is not valid: expected a number "
                          "between 1.0 and 5.0",
                          "config: APP_LOG_FORMAT=\"xml\" is not valid: expected text or json"));
}

TEST_F(ConfigTest, LongValuesAreCutInErrorLines) {
  const auto r = load_with({{"SERVER_HOST", std::string(300, 'h') + " x"}});
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0], "config: SERVER_HOST=\"" + std::string(200, 'h') +
                             "...\" is not valid: expected a host name or IP address without "
                             "spaces");
}

TEST_F(ConfigTest, FlagErrorsNameTheCommandLine) {
  const auto r = load_with({}, std::nullopt,
                           {{"server.port", "x"}, {"server.prot", "1"}, {"nothing.like.it", "1"}});
  EXPECT_THAT(r.errors,
              ElementsAre("config: server.port=\"x\" (from the command line) is not valid: "
                          "expected an integer between 0 and 65535",
                          "config: unknown setting \"server.prot\" on the command line (did you "
                          "mean \"server.port\"?)",
                          "config: unknown setting \"nothing.like.it\" on the command line"));
}

// ---- the config file ---------------------------------------------------------------

TEST_F(ConfigTest, FileErrorsNameTheFile) {
  TempDir dir;
  const auto file = dir.write("lottery.conf", R"({
    "blockchain": {"gas_multiplier": "abc", "chain_id": true, "rpc_urls": [1],
                   "operator_private_key": 12345678901},
    "server": {"port": {"a": 1}, "host": ["h"]}
  })");
  const auto r = load_with({}, file);
  EXPECT_THAT(
      r.errors,
      ElementsAre(
          "config: blockchain.gas_multiplier=\"abc\" (in " + file +
              ") is not valid: expected a number between 1.0 and 5.0",
          "config: blockchain.chain_id=\"true\" (in " + file +
              ") is not valid: expected a chain id between 1 and 4503599627370495",
          "config: blockchain.rpc_urls=\"[1]\" (in " + file +
              ") is not valid: expected a comma-separated list of http, https, ws or wss URLs",
          "config: blockchain.operator_private_key=[REDACTED] (in " + file +
              ") is not valid: expected 0x followed by 64 hex digits (a nonzero secp256k1 "
              "private key)",
          "config: server.port=\"{\\\"a\\\":1}\" (in " + file +
              ") is not valid: expected an integer between 0 and 65535",
          "config: server.host=\"[\\\"h\\\"]\" (in " + file +
              ") is not valid: expected a host name or IP address without spaces"));
}

TEST_F(ConfigTest, UnknownKeysAndSectionsAreErrorsButTheRestApplies) {
  TempDir dir;
  const auto file = dir.write("lottery.conf", R"({
    "server": {"hots": "x", "port": 7000, "SERVER_HOST": "y"},
    "srever": {},
    "metrics": {"enabled": true},
    "log": "debug"
  })");
  const auto r = load_with({}, file);
  EXPECT_THAT(
      r.errors,
      ElementsAre(
          "config: unknown setting \"server.hots\" in " + file + " (did you mean \"server.host\"?)",
          "config: unknown setting \"server.SERVER_HOST\" in " + file,
          "config: unknown section \"srever\" in " + file + " (did you mean \"server\"?)",
          "config: unknown section \"metrics\" in " + file +
              " (sections are server, blockchain, event_manager, operator, "
              "enclave, redis, log)",
          "config: section \"log\" in " + file + " must be a JSON object"));
  EXPECT_EQ(r.settings.server.port, 7000);
}

TEST_F(ConfigTest, MalformedJsonGivesLineAndColumn) {
  TempDir dir;
  const auto file = dir.write("bad.conf", "{\n  \"server\": {\n    \"port\": 80 80\n  }\n}\n");
  const auto r = load_with({}, file);
  EXPECT_THAT(r.errors, ElementsAre("config: " + file + ":3:16: not valid JSON: syntax error"));

  const auto truncated = dir.write("cut.conf", "{\"server\": {\"port\": 80");
  const auto r2 = load_with({}, truncated);
  EXPECT_THAT(r2.errors,
              ElementsAre("config: " + truncated + ":1:23: not valid JSON: incomplete JSON"));
}

TEST_F(ConfigTest, TopLevelMustBeAnObject) {
  TempDir dir;
  const auto file = dir.write("list.conf", "[1, 2]");
  EXPECT_THAT(load_with({}, file).errors,
              ElementsAre("config: " + file +
                          " must hold a JSON object with the sections server, blockchain, "
                          "event_manager, operator, enclave, redis, log"));
}

TEST_F(ConfigTest, CommentsTrailingCommasAndNullsAreAccepted) {
  TempDir dir;
  const auto file = dir.write("c.conf", R"({
    // the dev chain
    "blockchain": {"chain_id": 31337, "max_fee_gwei": 2.5, "operator_address": null,},
    /* block comment */
    "event_manager": {"confirmations": 0},
  })");
  const auto r = load_with({}, file);
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.config_file, file);
  EXPECT_EQ(r.settings.blockchain.chain_id, 31337U);
  EXPECT_DOUBLE_EQ(r.settings.blockchain.max_fee_gwei, 2.5);
  EXPECT_EQ(r.settings.blockchain.operator_address, std::nullopt);
  EXPECT_EQ(r.source_of("blockchain.operator_address"), Source::kDefault);
  EXPECT_EQ(r.settings.event_manager.confirmations, 0U);
}

TEST_F(ConfigTest, MissingExplicitFileIsAnError) {
  TempDir dir;
  const auto path = dir.path("nope.conf");
  EXPECT_THAT(load_with({}, path).errors, ElementsAre("config: cannot read config file \"" + path +
                                                      "\": No such file or directory"));
}

TEST_F(ConfigTest, DefaultFileIsReadOnlyWhenItExists) {
  TempDir dir;
  LoadOptions options;
  options.default_config_file = dir.path("lottery.conf");
  auto r = load(options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config_file, "");

  dir.write("lottery.conf", R"({"server": {"port": 9999}})");
  r = load(options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config_file, options.default_config_file);
  EXPECT_EQ(r.settings.server.port, 9999);
}

// ---- the operator key ----------------------------------------------------------------

TEST_F(ConfigTest, KeyFromEnvIsNormalisedAndRegisteredAsSecret) {
  const auto r = load_with({{"BLOCKCHAIN_OPERATOR_PRIVATE_KEY", std::string(kKeyUpper)}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.settings.blockchain.operator_private_key, std::string(kKey));
  EXPECT_EQ(logging::redact("k=" + std::string(kKey)), "k=[REDACTED]");
  EXPECT_EQ(logging::redact(kKey.substr(2)), "[REDACTED]");
}

TEST_F(ConfigTest, InvalidKeyIsStillRegisteredAsSecret) {
  const std::string almost(kKey.substr(0, 60));
  const auto r = load_with({{"BLOCKCHAIN_OPERATOR_PRIVATE_KEY", almost}});
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(logging::contains_secret(almost));
}

TEST_F(ConfigTest, KeyFileIsReadAndTrimmed) {
  TempDir dir;
  const auto path = dir.write("key", "  " + std::string(kKey.substr(2)) + "\n");
  const auto r = load_with({{"BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE", path}});
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.settings.blockchain.operator_private_key, std::string(kKey));
  EXPECT_EQ(r.source_of("blockchain.operator_private_key"), Source::kEnv);
  EXPECT_TRUE(logging::contains_secret(kKeyUpper));
}

TEST_F(ConfigTest, KeyFileErrors) {
  TempDir dir;
  const auto missing = dir.path("missing");
  EXPECT_THAT(load_with({{"BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE", missing}}).errors,
              ElementsAre("config: BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE=\"" + missing +
                          "\" cannot be read: No such file or directory"));

  const std::string not_a_key = "this-is-not-a-private-key";
  const auto bad = dir.write("bad", not_a_key + "\n");
  EXPECT_THAT(load_with({{"BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE", bad}}).errors,
              ElementsAre("config: BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE=\"" + bad +
                          "\" does not hold a valid key: expected 0x followed by 64 hex digits (a "
                          "nonzero secp256k1 private key)"));
  EXPECT_TRUE(logging::contains_secret(not_a_key));

  const auto big = dir.write("big", std::string(5000, 'a'));
  EXPECT_THAT(load_with({}, std::nullopt, {{"blockchain.operator_private_key_file", big}}).errors,
              ElementsAre("config: blockchain.operator_private_key_file=\"" + big +
                          "\" (from the command line) is too large to hold a private key"));

  EXPECT_THAT(load_with({{"BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE", dir.path("")}}).errors,
              ElementsAre(::testing::StartsWith("config: BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE=")));
}

TEST_F(ConfigTest, AbiPathMustBeAReadableFile) {
  TempDir dir;
  // Empty (the default) means the ABI built into the binary.
  auto r = load_with({});
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.settings.server.abi_path, "");

  const auto abi = dir.write("Lottery.abi", "[]");
  r = load_with({{"SERVER_ABI_PATH", abi}});
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.settings.server.abi_path, abi);

  const auto missing = dir.path("missing.abi");
  EXPECT_THAT(load_with({{"SERVER_ABI_PATH", missing}}).errors,
              ElementsAre("config: SERVER_ABI_PATH=\"" + missing +
                          "\" is not a readable file; point it at contracts/out/Lottery.abi or "
                          "leave it empty to serve the ABI built into the binary"));
  // A directory is not a file either, whichever source names it.
  const auto file = dir.write("c.conf", R"({"server": {"abi_path": ")" + dir.path("") + R"("}})");
  EXPECT_THAT(load_with({}, file).errors,
              ElementsAre(::testing::StartsWith("config: server.abi_path=\"" + dir.path("") +
                                                "\" (in " + file + ") is not a readable file")));
}

TEST_F(ConfigTest, KeyAndKeyFileFromTheSameSourceConflict) {
  TempDir dir;
  const auto path = dir.write("key", std::string(kKey));
  EXPECT_THAT(load_with({{"BLOCKCHAIN_OPERATOR_PRIVATE_KEY", std::string(kKey)},
                         {"BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE", path}})
                  .errors,
              ElementsAre("config: both BLOCKCHAIN_OPERATOR_PRIVATE_KEY and "
                          "BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE are set; set only one of them"));
  const auto file =
      dir.write("c.conf", R"({"blockchain": {"operator_private_key": ")" + std::string(kKey) +
                              R"(", "operator_private_key_file": ")" + path + R"("}})");
  EXPECT_THAT(load_with({}, file).errors,
              ElementsAre("config: both blockchain.operator_private_key and "
                          "blockchain.operator_private_key_file are set in " +
                          file + "; set only one of them"));
}

TEST_F(ConfigTest, TheLaterKeySourceWins) {
  TempDir dir;
  const std::string other = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
  const auto key_path = dir.write("key", other);
  // Key in the file, key file in the environment: the key file wins.
  const auto file_with_key = dir.write(
      "a.conf", R"({"blockchain": {"operator_private_key": ")" + std::string(kKey) + R"("}})");
  auto r = load_with({{"BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE", key_path}}, file_with_key);
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.settings.blockchain.operator_private_key, other);
  // Key file in the file (not even readable), key in the environment: the key wins.
  const auto file_with_path =
      dir.write("b.conf", R"({"blockchain": {"operator_private_key_file": ")" + dir.path("absent") +
                              R"("}})");
  r = load_with({{"BLOCKCHAIN_OPERATOR_PRIVATE_KEY", std::string(kKey)}}, file_with_path);
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.settings.blockchain.operator_private_key, std::string(kKey));
}

TEST_F(ConfigTest, UrlPasswordsAreRegisteredAsSecrets) {
  const auto r = load_with({{"REDIS_URL", "redis://:hunter2hunter2@redis:6379"},
                            {"BLOCKCHAIN_RPC_URL", "https://user:rpc-pass-123@node.example"}});
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_TRUE(logging::contains_secret("hunter2hunter2"));
  EXPECT_TRUE(logging::contains_secret("rpc-pass-123"));
  const auto* redis = find_setting("redis.url");
  EXPECT_EQ(redis->show(r.settings), "redis://:[REDACTED]@redis:6379");
  const auto* rpc = find_setting("blockchain.rpc_urls");
  EXPECT_EQ(rpc->show(r.settings), "https://user:[REDACTED]@node.example");
  // The struct keeps the real URL: the client needs it.
  EXPECT_EQ(r.settings.redis.url, "redis://:hunter2hunter2@redis:6379");
}

TEST(ParseSetFlag, SplitsAtTheFirstEquals) {
  EXPECT_EQ(parse_set_flag("server.port=80"),
            std::make_pair(std::string("server.port"), std::string("80")));
  EXPECT_EQ(parse_set_flag("redis.url=redis://h/?a=b"),
            std::make_pair(std::string("redis.url"), std::string("redis://h/?a=b")));
  EXPECT_EQ(parse_set_flag("log.file="), std::make_pair(std::string("log.file"), std::string()));
  EXPECT_EQ(parse_set_flag("server.port"), std::nullopt);
  EXPECT_EQ(parse_set_flag("=80"), std::nullopt);
}

}  // namespace
}  // namespace lottery::config
