// SPDX-License-Identifier: Apache-2.0
#include "logging/log.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lottery::logging {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

const system_clock::time_point kTime{milliseconds(1714566896789)};  // 2024-05-01T12:34:56.789Z

// Captures lines through the sink and restores the default logger afterwards.
class LoggerTest : public ::testing::Test {
 protected:
  void SetUp() override { clear_secrets_for_testing(); }
  void TearDown() override {
    reset();
    clear_secrets_for_testing();
  }
  void capture(Level level, Format format) {
    LogOptions options;
    options.level = level;
    options.format = format;
    options.to_stderr = false;
    options.sink = [this](std::string_view line) {
      const std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    };
    configure(std::move(options));
  }
  std::vector<std::string> lines() {
    const std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

TEST(LogFormat, TimeIsIsoUtcWithMilliseconds) {
  EXPECT_EQ(format_time(kTime), "2024-05-01T12:34:56.789Z");
  EXPECT_EQ(format_time(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_time(system_clock::time_point{milliseconds(951782400005)}),
            "2000-02-29T00:00:00.005Z");
}

TEST(LogFormat, ParsesLevelsAndFormats) {
  EXPECT_EQ(parse_level("debug"), Level::kDebug);
  EXPECT_EQ(parse_level("info"), Level::kInfo);
  EXPECT_EQ(parse_level("warn"), Level::kWarn);
  EXPECT_EQ(parse_level("warning"), Level::kWarn);
  EXPECT_EQ(parse_level("error"), Level::kError);
  EXPECT_EQ(parse_level("off"), Level::kOff);
  EXPECT_EQ(parse_level("INFO"), std::nullopt);
  EXPECT_EQ(parse_level(""), std::nullopt);
  EXPECT_EQ(parse_format("text"), Format::kText);
  EXPECT_EQ(parse_format("json"), Format::kJson);
  EXPECT_EQ(parse_format("xml"), std::nullopt);
  EXPECT_EQ(to_string(Level::kWarn), "warn");
  EXPECT_EQ(to_string(Format::kJson), "json");
}

TEST(LogFormat, TextLine) {
  EXPECT_EQ(format_line(Format::kText, kTime, Level::kInfo, "follower", "new head",
                        {{"block", "123"}, {"hash", "0xab"}}),
            "2024-05-01T12:34:56.789Z INFO  [follower] new head block=123 hash=0xab");
  EXPECT_EQ(format_line(Format::kText, kTime, Level::kError, "rpc", "failed", {}),
            "2024-05-01T12:34:56.789Z ERROR [rpc] failed");
  EXPECT_EQ(format_line(Format::kText, kTime, Level::kDebug, "x", "m", {}),
            "2024-05-01T12:34:56.789Z DEBUG [x] m");
  EXPECT_EQ(format_line(Format::kText, kTime, Level::kWarn, "x", "m", {}),
            "2024-05-01T12:34:56.789Z WARN  [x] m");
}

TEST(LogFormat, TextQuotesValuesWithSpacesAndEscapesControls) {
  EXPECT_EQ(format_line(Format::kText, kTime, Level::kInfo, "c", "line1\nline2",
                        {{"reason", "execution reverted"},
                         {"empty", ""},
                         {"quote", "say \"hi\""},
                         {"eq", "a=b"},
                         {"tab", "a\tb"}}),
            "2024-05-01T12:34:56.789Z INFO  [c] line1\\nline2 reason=\"execution reverted\" "
            "empty=\"\" quote=\"say \\\"hi\\\"\" eq=\"a=b\" tab=\"a\\tb\"");
}

TEST(LogFormat, TextNumbersAndBooleans) {
  const std::uint64_t big = 18446744073709551615ULL;
  EXPECT_EQ(format_line(Format::kText, kTime, Level::kInfo, "c", "m",
                        {{"n", 42}, {"neg", -7}, {"big", big}, {"ok", true}, {"ratio", 1.25}}),
            "2024-05-01T12:34:56.789Z INFO  [c] m n=42 neg=-7 big=18446744073709551615 ok=true "
            "ratio=1.25");
}

TEST(LogFormat, JsonLine) {
  EXPECT_EQ(format_line(Format::kJson, kTime, Level::kInfo, "follower", "new head",
                        {{"block", "123"}, {"n", 5}, {"ok", false}, {"gas", 1.5}}),
            R"({"ts":"2024-05-01T12:34:56.789Z","level":"info","component":"follower",)"
            R"("msg":"new head","block":"123","n":5,"ok":false,"gas":1.5})");
}

TEST(LogFormat, JsonEscapesAndStaysParseable) {
  const std::string line =
      format_line(Format::kJson, kTime, Level::kWarn, "c", "quote \" back \\ nl \n ctl \x01",
                  {{"bad_utf8",
                    "a\xff\xfe"
                    "b"},
                   {"utf8", "caf\xc3\xa9"},
                   {"msg", "shadow"}});
  EXPECT_EQ(line, R"({"ts":"2024-05-01T12:34:56.789Z","level":"warn","component":"c",)"
                  R"("msg":"quote \" back \\ nl \n ctl \u0001","bad_utf8":"a\ufffd\ufffdb",)"
                  "\"utf8\":\"caf\xc3\xa9\",\"_msg\":\"shadow\"}");
  const auto parsed = boost::json::parse(line);
  EXPECT_EQ(parsed.at("msg").as_string(), "quote \" back \\ nl \n ctl \x01");
  EXPECT_EQ(parsed.at("_msg").as_string(), "shadow");
}

TEST(LogFormat, JsonNonFiniteNumbersAreStrings) {
  const std::string line = format_line(Format::kJson, kTime, Level::kInfo, "c", "m",
                                       {{"x", std::numeric_limits<double>::infinity()}});
  EXPECT_THAT(line, ::testing::HasSubstr(R"("x":"inf")"));
  EXPECT_NO_THROW(boost::json::parse(line));
}

TEST_F(LoggerTest, DropsLinesBelowTheLevel) {
  capture(Level::kWarn, Format::kText);
  EXPECT_FALSE(enabled(Level::kDebug));
  EXPECT_FALSE(enabled(Level::kInfo));
  EXPECT_TRUE(enabled(Level::kWarn));
  EXPECT_TRUE(enabled(Level::kError));
  log_debug("c", "debug line");
  log_info("c", "info line");
  log_warn("c", "warn line");
  log_error("c", "error line", {{"k", "v"}});
  const auto got = lines();
  ASSERT_EQ(got.size(), 2U);
  EXPECT_THAT(got[0], ::testing::EndsWith(" WARN  [c] warn line"));
  EXPECT_THAT(got[1], ::testing::EndsWith(" ERROR [c] error line k=v"));
}

TEST_F(LoggerTest, OffDisablesEverything) {
  capture(Level::kOff, Format::kText);
  log_error("c", "nothing");
  log(Level::kOff, "c", "nothing either");
  EXPECT_TRUE(lines().empty());
}

TEST_F(LoggerTest, DebugLevelWritesDebugJson) {
  capture(Level::kDebug, Format::kJson);
  log_debug("store", "applied", {{"events", 3}});
  const auto got = lines();
  ASSERT_EQ(got.size(), 1U);
  const auto obj = boost::json::parse(got[0]).as_object();
  EXPECT_EQ(obj.at("level").as_string(), "debug");
  EXPECT_EQ(obj.at("component").as_string(), "store");
  EXPECT_EQ(obj.at("msg").as_string(), "applied");
  EXPECT_EQ(obj.at("events").as_int64(), 3);
}

TEST_F(LoggerTest, RegisteredSecretIsRedactedInMessagesAndFields) {
  const std::string key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
  register_secret(key);
  for (const Format format : {Format::kText, Format::kJson}) {
    capture(Level::kInfo, format);
    const std::string upper = "0X4C0883A69102937D6231471B5DBB6204FE5129617082792AE468D01A3F362318";
    const std::string bare = key.substr(2);
    log_info("custody", "loaded " + key, {{"key", key}, {"upper", upper}, {"bare", bare}});
    const auto got = lines();
    ASSERT_FALSE(got.empty());
    const std::string& line = got.back();
    EXPECT_EQ(line.find("4c0883a69102937d"), std::string::npos) << line;
    EXPECT_EQ(line.find("4C0883A69102937D"), std::string::npos) << line;
    EXPECT_THAT(line, ::testing::HasSubstr("loaded [REDACTED]"));
    if (format == Format::kText) {
      EXPECT_THAT(line, ::testing::HasSubstr("key=[REDACTED] upper=[REDACTED] bare=[REDACTED]"));
    } else {
      EXPECT_THAT(line, ::testing::HasSubstr(
                            R"("key":"[REDACTED]","upper":"[REDACTED]","bare":"[REDACTED]")"));
    }
  }
}

TEST_F(LoggerTest, WritesWholeLinesToAFileFromManyThreads) {
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("lottery_log_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
       "_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "app.log";
  LogOptions options;
  options.to_stderr = false;
  options.format = Format::kJson;
  options.file = path.string();
  configure(options);

  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kPerThread; ++i) {
        log_info("worker", "a message long enough to be torn if writes interleaved",
                 {{"thread", t}, {"i", i}, {"padding", std::string(200, 'x')}});
      }
    });
  }
  for (auto& th : threads) th.join();
  reset();  // closes the file

  std::ifstream in(path);
  std::string line;
  std::vector<int> per_thread(kThreads, 0);
  int total = 0;
  while (std::getline(in, line)) {
    const auto obj = boost::json::parse(line).as_object();  // throws on a torn line
    ++per_thread.at(static_cast<std::size_t>(obj.at("thread").as_int64()));
    ++total;
  }
  EXPECT_EQ(total, kThreads * kPerThread);
  for (const int n : per_thread) EXPECT_EQ(n, kPerThread);
  std::filesystem::remove_all(dir);
}

TEST_F(LoggerTest, UnopenableFileIsAnErrorAndKeepsOldOptions) {
  capture(Level::kInfo, Format::kText);
  LogOptions bad;
  bad.file = "/nonexistent-dir-for-lottery-test/app.log";
  try {
    configure(bad);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot open log file \"/nonexistent-dir-for-lottery-test/app.log\": "
              "No such file or directory");
  }
  log_info("c", "still captured");
  EXPECT_EQ(lines().size(), 1U);
}

}  // namespace
}  // namespace lottery::logging
