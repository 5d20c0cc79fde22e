// SPDX-License-Identifier: Apache-2.0
#include "config/table.hpp"

#include "test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

namespace lottery::config {
namespace {

using test::ConfigTest;

TEST(SettingsTable, KeysAndEnvNamesAreUniqueAndWellFormed) {
  std::set<std::string_view> keys;
  std::set<std::string_view> envs;
  for (const auto& d : settings_table()) {
    SCOPED_TRACE(d.key);
    EXPECT_TRUE(keys.insert(d.key).second) << "duplicate key";
    EXPECT_TRUE(envs.insert(d.env).second) << "duplicate env name";
    EXPECT_NE(std::find(std::begin(kSections), std::end(kSections), d.section()),
              std::end(kSections));
    EXPECT_FALSE(d.name().empty());
    EXPECT_FALSE(d.expected.empty());
    EXPECT_FALSE(d.description.empty());
    EXPECT_TRUE(d.assign && d.show && d.to_json);
    EXPECT_TRUE(std::all_of(d.env.begin(), d.env.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }));
  }
}

TEST(SettingsTable, HasEveryEnvironmentNameOfTheSpec) {
  // SPEC §8, written out.
  const char* const spec_names[] = {"SERVER_HOST",
                                    "SERVER_PORT",
                                    "SERVER_CORS_ORIGINS",
                                    "BLOCKCHAIN_RPC_URL",
                                    "BLOCKCHAIN_CHAIN_ID",
                                    "BLOCKCHAIN_CONTRACT_ADDRESS",
                                    "BLOCKCHAIN_OPERATOR_ADDRESS",
                                    "BLOCKCHAIN_OPERATOR_PRIVATE_KEY",
                                    "BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE",
                                    "BLOCKCHAIN_GAS_MULTIPLIER",
                                    "BLOCKCHAIN_MAX_FEE_GWEI",
                                    "EVENTMGR_POLL_INTERVAL_SECONDS",
                                    "EVENTMGR_CONFIRMATIONS",
                                    "EVENTMGR_START_BLOCK",
                                    "EVENTMGR_BACKFILL_BLOCKS",
                                    "EVENTMGR_HISTORY_CAPACITY",
                                    "EVENTMGR_FEED_CAPACITY",
                                    "OPERATOR_ENABLED",
                                    "OPERATOR_REPLACE_AFTER_BLOCKS",
                                    "ENCLAVE_ATTESTATION_ENABLED",
                                    "REDIS_URL",
                                    "APP_LOG_LEVEL",
                                    "APP_LOG_FORMAT",
                                    "APP_LOG_FILE"};
  for (const char* name : spec_names) {
    EXPECT_NE(find_setting(name), nullptr) << name;
  }
}

TEST(SettingsTable, OnlyTheKeyIsSecret) {
  for (const auto& d : settings_table()) {
    EXPECT_EQ(d.secret, d.key == "blockchain.operator_private_key") << d.key;
  }
}

TEST(SettingsTable, DefaultsMatchTheSpec) {
  const std::pair<const char*, const char*> expected[] = {
      {"SERVER_HOST", "0.0.0.0"},
      {"SERVER_PORT", "6080"},
      {"SERVER_CORS_ORIGINS", ""},
      {"BLOCKCHAIN_GAS_MULTIPLIER", "1.2"},
      {"EVENTMGR_POLL_INTERVAL_SECONDS", "1"},
      {"EVENTMGR_CONFIRMATIONS", "2"},
      {"EVENTMGR_START_BLOCK", ""},
      {"EVENTMGR_HISTORY_CAPACITY", "1000"},
      {"EVENTMGR_FEED_CAPACITY", "1000"},
      {"OPERATOR_ENABLED", "true"},
      {"OPERATOR_REPLACE_AFTER_BLOCKS", "3"},
      {"ENCLAVE_ATTESTATION_ENABLED", "false"},
      {"REDIS_URL", ""},
      {"APP_LOG_LEVEL", "info"},
      {"APP_LOG_FORMAT", "text"},
      {"BLOCKCHAIN_OPERATOR_PRIVATE_KEY", ""},
  };
  for (const auto& [env, value] : expected) {
    const auto* d = find_setting(env);
    ASSERT_NE(d, nullptr) << env;
    EXPECT_EQ(d->default_text(), value) << env;
  }
}

TEST_F(ConfigTest, EveryDefaultRoundTripsThroughItsOwnParser) {
  for (const auto& d : settings_table()) {
    SCOPED_TRACE(d.key);
    Settings s;
    const auto shown = d.show(s);
    if (!shown) {
      EXPECT_TRUE(d.optional);
      continue;
    }
    ASSERT_TRUE(d.assign(s, *shown));
    EXPECT_EQ(d.show(s), shown);
  }
}

TEST(SettingsTable, FindsByKeyOrEnvName) {
  const auto* by_key = find_setting("blockchain.gas_multiplier");
  const auto* by_env = find_setting("BLOCKCHAIN_GAS_MULTIPLIER");
  ASSERT_NE(by_key, nullptr);
  EXPECT_EQ(by_key, by_env);
  EXPECT_EQ(by_key->section(), "blockchain");
  EXPECT_EQ(by_key->name(), "gas_multiplier");
  EXPECT_EQ(find_setting("blockchain"), nullptr);
  EXPECT_EQ(find_setting("gas_multiplier"), nullptr);
}

TEST(SettingsTable, SuggestsCloseKeys) {
  EXPECT_EQ(suggest_key("server.hots"), "server.host");
  EXPECT_EQ(suggest_key("blockchain.rpc_url"), "blockchain.rpc_urls");
  EXPECT_EQ(suggest_key("srever"), "server");
  EXPECT_EQ(suggest_key("completely.different"), "");
}

TEST(SettingsTable, NormalizesPrivateKeys) {
  EXPECT_EQ(normalize_private_key(test::kKey), std::string(test::kKey));
  EXPECT_EQ(normalize_private_key(test::kKeyUpper), std::string(test::kKey));
  EXPECT_EQ(normalize_private_key(test::kKey.substr(2)), std::string(test::kKey));
  EXPECT_EQ(normalize_private_key("  " + std::string(test::kKey) + "\n"), std::string(test::kKey));
  // Largest valid key: n - 1.
  EXPECT_EQ(
      normalize_private_key("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140"),
      "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140");
  const std::string bad[] = {
      "",
      "0x",
      std::string(test::kKey.substr(0, 65)),                                 // 63 digits
      std::string(test::kKey) + "0",                                         // 65 digits
      "0x" + std::string(64, '0'),                                           // zero
      "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",  // n
      "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  // > n
      "0xgc0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",  // not hex
  };
  for (const auto& text : bad) EXPECT_EQ(normalize_private_key(text), std::nullopt) << text;
}

TEST(SettingsTable, LogOptionsFollowTheLogSection) {
  Settings s;
  s.log.level = logging::Level::kDebug;
  s.log.format = logging::Format::kJson;
  s.log.file = "/tmp/x.log";
  const auto options = log_options(s);
  EXPECT_EQ(options.level, logging::Level::kDebug);
  EXPECT_EQ(options.format, logging::Format::kJson);
  EXPECT_EQ(options.file, "/tmp/x.log");
  EXPECT_TRUE(options.to_stderr);
}

}  // namespace
}  // namespace lottery::config
