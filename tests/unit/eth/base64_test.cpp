// SPDX-License-Identifier: Apache-2.0
#include "eth/base64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace lottery::eth {
namespace {

TEST(Base64, EncodesTheRfc4648TestVectors) {
  // RFC 4648 §10.
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [in, out] : vectors) EXPECT_EQ(base64_encode(in), out) << in;
}

TEST(Base64, EncodesEveryOctetValue) {
  EXPECT_EQ(base64_encode(std::string("\x00\xff\xfe", 3)), "AP/+");
  EXPECT_EQ(base64_encode(std::string("\xfb\xff", 2)), "+/8=");
}

TEST(Base64, RecognisesEncodingsOfAGivenSize) {
  // The RFC 6455 §1.3 handshake key: 16 random bytes.
  EXPECT_TRUE(is_base64_of_size("dGhlIHNhbXBsZSBub25jZQ==", 16));
  EXPECT_FALSE(is_base64_of_size("dGhlIHNhbXBsZSBub25jZQ=", 16));   // too short
  EXPECT_FALSE(is_base64_of_size("dGhlIHNhbXBsZSBub25jZQAA", 16));  // no padding
  EXPECT_FALSE(is_base64_of_size("dGhlIHNhbXBsZSBub25j*Q==", 16));  // not the alphabet
  EXPECT_FALSE(is_base64_of_size("Zm9vYmFy", 16));
  EXPECT_TRUE(is_base64_of_size("Zm9vYmFy", 6));
  EXPECT_TRUE(is_base64_of_size("Zm9vYg==", 4));
  EXPECT_TRUE(is_base64_of_size("", 0));
}

}  // namespace
}  // namespace lottery::eth
