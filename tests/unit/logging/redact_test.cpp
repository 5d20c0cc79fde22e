// SPDX-License-Identifier: Apache-2.0
#include "logging/redact.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace lottery::logging {
namespace {

// A well-known test key (the one from the Ethereum "web3 secret storage" docs).
constexpr std::string_view kKey =
    "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

class RedactTest : public ::testing::Test {
 protected:
  void SetUp() override { clear_secrets_for_testing(); }
  void TearDown() override { clear_secrets_for_testing(); }
};

TEST_F(RedactTest, NothingRegisteredLeavesTextAlone) {
  EXPECT_EQ(redact(std::string("key=") + std::string(kKey)), "key=" + std::string(kKey));
  EXPECT_FALSE(contains_secret(kKey));
  EXPECT_EQ(secret_count(), 0U);
}

TEST_F(RedactTest, HexSecretIsCaughtInEveryCaseAndPrefixForm) {
  register_secret(kKey);
  const std::string body(kKey.substr(2));
  std::string upper_body = body;
  for (char& c : upper_body) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string mixed = body;
  for (std::size_t i = 0; i < mixed.size(); i += 2) {
    mixed[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(mixed[i])));
  }
  struct Case {
    std::string input;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {std::string(kKey), "[REDACTED]"},
      {body, "[REDACTED]"},
      {"0x" + upper_body, "[REDACTED]"},
      {"0X" + upper_body, "[REDACTED]"},
      {upper_body, "[REDACTED]"},
      {"0x" + mixed, "[REDACTED]"},
      {"key=" + std::string(kKey) + " again " + body + ".", "key=[REDACTED] again [REDACTED]."},
      {"{\"k\":\"" + std::string(kKey) + "\"}", "{\"k\":\"[REDACTED]\"}"},
      {"no secret here", "no secret here"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(redact(c.input), c.expected);
    EXPECT_EQ(contains_secret(c.input), c.expected != c.input);
  }
}

TEST_F(RedactTest, UpperCaseRegistrationMatchesLowerCaseText) {
  register_secret("0X4C0883A69102937D6231471B5DBB6204FE5129617082792AE468D01A3F362318");
  EXPECT_EQ(redact(std::string("k ") + std::string(kKey)), "k [REDACTED]");
}

TEST_F(RedactTest, NonHexSecretIsMatchedExactly) {
  register_secret("hunter2-password");
  EXPECT_EQ(redact("redis://:hunter2-password@redis:6379"), "redis://:[REDACTED]@redis:6379");
  // Case matters for ordinary secrets: a different string is not the secret.
  EXPECT_EQ(redact("HUNTER2-PASSWORD"), "HUNTER2-PASSWORD");
}

TEST_F(RedactTest, ShortSecretsAreIgnored) {
  register_secret("");
  register_secret("abc");
  register_secret("0x1234");
  EXPECT_EQ(secret_count(), 0U);
  EXPECT_EQ(redact("abc 0x1234"), "abc 0x1234");
}

TEST_F(RedactTest, DuplicatesAndPrefixVariantsCountOnce) {
  register_secret(kKey);
  register_secret(kKey.substr(2));
  register_secret("0X4C0883A69102937D6231471B5DBB6204FE5129617082792AE468D01A3F362318");
  EXPECT_EQ(secret_count(), 1U);
}

TEST_F(RedactTest, LongerSecretWinsOverAContainedShorterOne) {
  register_secret("secret-token");
  register_secret("my-secret-token-long");
  EXPECT_EQ(redact("a my-secret-token-long b secret-token"), "a [REDACTED] b [REDACTED]");
}

TEST_F(RedactTest, ConcurrentRegisterAndRedact) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      const std::string secret = "thread-secret-" + std::to_string(t);
      register_secret(secret);
      for (int i = 0; i < 200; ++i) {
        EXPECT_EQ(redact("x " + secret + " y"), "x [REDACTED] y");
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(secret_count(), 4U);
}

}  // namespace
}  // namespace lottery::logging
