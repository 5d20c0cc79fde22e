// SPDX-License-Identifier: Apache-2.0
#include "config/render.hpp"

#include "test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <string>

namespace lottery::config {
namespace {

using test::ConfigTest;
using test::kKey;
using test::load_with;
using test::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

// The key body in any letter case, with or without 0x.
bool leaks_key(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text.find(kKey.substr(2)) != std::string::npos ||
         text.find(kKey.substr(2, 16)) != std::string::npos;
}

TEST_F(ConfigTest, TextRenderingHidesTheKeyAndNamesSources) {
  TempDir dir;
  const auto file = dir.write("lottery.conf", R"({"server": {"port": 7000}})");
  const auto r = load_with({{"BLOCKCHAIN_OPERATOR_PRIVATE_KEY", std::string(test::kKeyUpper)},
                            {"BLOCKCHAIN_CHAIN_ID", "31337"}},
                           file, {{"log.level", "debug"}});
  ASSERT_TRUE(r.ok()) << r.errors.front();
  const std::string out = render_effective(r, RenderFormat::kText);
  EXPECT_FALSE(leaks_key(out)) << out;
  EXPECT_THAT(out, HasSubstr("\nblockchain.operator_private_key      = [REDACTED]  # env "
                             "BLOCKCHAIN_OPERATOR_PRIVATE_KEY\n"));
  EXPECT_THAT(out, HasSubstr("\nserver.port                          = 7000  # file\n"));
  EXPECT_THAT(out, HasSubstr("\nblockchain.chain_id                  = 31337  # env "
                             "BLOCKCHAIN_CHAIN_ID\n"));
  EXPECT_THAT(out, HasSubstr("\nlog.level                            = debug  # flag\n"));
  EXPECT_THAT(out, HasSubstr("\nserver.host                          = 0.0.0.0  # default\n"));
  EXPECT_THAT(out, HasSubstr("\nserver.cors_origins                  = \"\"  # default\n"));
  EXPECT_THAT(out, HasSubstr("\nredis.url                            = (not set)  # default\n"));
  EXPECT_THAT(out, HasSubstr("Config file: " + file + "\n"));
  // One line per setting plus the two header lines.
  EXPECT_EQ(static_cast<std::size_t>(std::count(out.begin(), out.end(), '\n')),
            settings_table().size() + 2);
}

TEST_F(ConfigTest, JsonRenderingHidesTheKeyAndIsTyped) {
  TempDir dir;
  const auto key_file = dir.write("key", std::string(kKey) + "\n");
  const auto r = load_with({{"BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE", key_file},
                            {"REDIS_URL", "redis://:hunter2hunter2@redis:6379"},
                            {"SERVER_CORS_ORIGINS", "https://a.example"}});
  ASSERT_TRUE(r.ok()) << r.errors.front();
  const std::string out = render_effective(r, RenderFormat::kJson);
  EXPECT_FALSE(leaks_key(out)) << out;
  EXPECT_THAT(out, Not(HasSubstr("hunter2hunter2")));
  const auto root = boost::json::parse(out).as_object();
  EXPECT_TRUE(root.at("config_file").is_null());
  const auto& settings = root.at("settings").as_object();
  const auto& chain = settings.at("blockchain").as_object();
  EXPECT_EQ(chain.at("operator_private_key").as_string(), "[REDACTED]");
  EXPECT_EQ(chain.at("operator_private_key_file").as_string(), key_file);
  EXPECT_TRUE(chain.at("chain_id").is_null());
  EXPECT_DOUBLE_EQ(chain.at("gas_multiplier").as_double(), 1.2);
  EXPECT_EQ(settings.at("server").at("port").as_int64(), 6080);
  EXPECT_EQ(settings.at("server").at("cors_origins").as_array().size(), 1U);
  EXPECT_EQ(settings.at("operator").at("enabled").as_bool(), true);
  EXPECT_EQ(settings.at("redis").at("url").as_string(), "redis://:[REDACTED]@redis:6379");
  EXPECT_EQ(settings.at("log").at("level").as_string(), "info");
  const auto& sources = root.at("sources").as_object();
  EXPECT_EQ(sources.at("blockchain.operator_private_key").as_string(), "env");
  EXPECT_EQ(sources.at("server.port").as_string(), "default");
  EXPECT_EQ(sources.size(), settings_table().size());
  std::size_t keys = 0;
  for (const auto& [name, section] : settings) keys += section.as_object().size();
  EXPECT_EQ(keys, settings_table().size());
}

TEST_F(ConfigTest, RenderingRedactsASecretHiddenInAnOrdinaryValue) {
  const auto r = load_with({{"BLOCKCHAIN_OPERATOR_PRIVATE_KEY", std::string(kKey)},
                            {"SERVER_STATIC_DIR", "/srv/" + std::string(kKey.substr(2))}});
  ASSERT_TRUE(r.ok());
  for (const auto format : {RenderFormat::kText, RenderFormat::kJson}) {
    const std::string out = render_effective(r, format);
    EXPECT_FALSE(leaks_key(out)) << out;
    EXPECT_THAT(out, HasSubstr("/srv/[REDACTED]"));
  }
}

TEST(DescribeSettings, OneMarkdownRowPerSetting) {
  const std::string md = describe_settings_markdown();
  EXPECT_EQ(static_cast<std::size_t>(std::count(md.begin(), md.end(), '\n')),
            settings_table().size() + 2);
  EXPECT_THAT(md, HasSubstr("| `server.port` | `SERVER_PORT` | integer | `6080` | TCP port"));
  EXPECT_THAT(md, HasSubstr("| `blockchain.operator_private_key` | "
                            "`BLOCKCHAIN_OPERATOR_PRIVATE_KEY` | private key |  | "));
  for (const auto& d : settings_table()) {
    EXPECT_THAT(md, HasSubstr("| `" + std::string(d.key) + "` | `" + std::string(d.env) + "` |"));
  }
}

}  // namespace
}  // namespace lottery::config
