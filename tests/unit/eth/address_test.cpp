// SPDX-License-Identifier: Apache-2.0
#include "eth/address.hpp"

#include "eth/hex.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <unordered_set>
#include <vector>

namespace lottery::eth {
namespace {

std::string to_lower_ascii(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string to_upper_digits(const std::string& s) {
  std::string out = "0x";
  for (std::size_t i = 2; i < s.size(); ++i) {
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(s[i])));
  }
  return out;
}

// The test vectors listed in EIP-55 itself.
const std::vector<std::string> kEip55Vectors = {
    // All caps
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    // All lower
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    // Normal
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
};

TEST(Address, Eip55VectorsRoundTrip) {
  for (const auto& checksummed : kEip55Vectors) {
    SCOPED_TRACE(checksummed);
    const auto parsed = parse_address(checksummed);
    ASSERT_TRUE(parsed) << parsed.error().message();
    EXPECT_EQ(to_checksum(*parsed), checksummed);
    EXPECT_EQ(to_lower_hex(*parsed), to_lower_ascii(checksummed));

    // Single-case spellings carry no checksum and are accepted as is.
    const auto lower = parse_address(to_lower_ascii(checksummed));
    ASSERT_TRUE(lower);
    EXPECT_EQ(*lower, *parsed);
    const auto upper = parse_address(to_upper_digits(checksummed));
    ASSERT_TRUE(upper);
    EXPECT_EQ(*upper, *parsed);
  }
}

TEST(Address, BytesMatchHex) {
  const auto parsed = parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  ASSERT_TRUE(parsed);
  const std::array<std::uint8_t, 20> want = {0x5a, 0xae, 0xb6, 0x05, 0x3f, 0x3e, 0x94,
                                             0xc9, 0xb9, 0xa0, 0x9f, 0x33, 0x66, 0x94,
                                             0x35, 0xe7, 0xef, 0x1b, 0xea, 0xed};
  EXPECT_EQ(parsed->bytes, want);
  EXPECT_FALSE(parsed->is_zero());
}

struct BadCase {
  std::string text;
  Errc error;
};

TEST(Address, RejectsMalformedInputWithExactError) {
  const std::vector<BadCase> cases = {
      {"", Errc::kMissingHexPrefix},
      {"5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", Errc::kMissingHexPrefix},
      {"0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", Errc::kMissingHexPrefix},
      {"0x", Errc::kWrongLength},
      {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", Errc::kOddHexLength},
      {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", Errc::kWrongLength},
      {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00", Errc::kWrongLength},
      {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", Errc::kInvalidHexDigit},
      // Each EIP-55 vector with one letter's case flipped.
      {"0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", Errc::kBadChecksum},
      {"0xfB6916095ca1df60bB79Ce92cE3Ea74c37C5d359", Errc::kBadChecksum},
      {"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6Fb", Errc::kBadChecksum},
      {"0xd1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", Errc::kBadChecksum},
      {"0x52908400098527886E0F7030069857D2E4169Ee7", Errc::kBadChecksum},
      {"0x8617e340B3D01FA5F11F306F4090FD50E238070D", Errc::kBadChecksum},
      {"0xdE709f2102306220921060314715629080e2fb77", Errc::kBadChecksum},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto parsed = parse_address(c.text);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error(), make_error_code(c.error));
  }
}

TEST(Address, ZeroAddress) {
  const auto zero = parse_address("0x0000000000000000000000000000000000000000");
  ASSERT_TRUE(zero);
  EXPECT_TRUE(zero->is_zero());
  EXPECT_TRUE(Address{}.is_zero());
  EXPECT_EQ(to_checksum(*zero), "0x0000000000000000000000000000000000000000");
  EXPECT_EQ(to_lower_hex(*zero), "0x0000000000000000000000000000000000000000");
}

struct KeyCase {
  const char* xy;  // uncompressed public key without the 0x04 tag
  const char* address;
};

TEST(Address, FromPublicKey) {
  // Public keys of private keys 1 and 2 (G and 2G on secp256k1) and their well-known addresses.
  const std::vector<KeyCase> cases = {
      {"0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
       "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8",
       "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"},
      {"0xc6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"
       "1ae168fea63dc339a3c58419466ceaeef7f632653266d0e1236431a950cfe52a",
       "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.address);
    const auto xy = hex_decode_fixed<64>(c.xy);
    ASSERT_TRUE(xy);
    EXPECT_EQ(to_checksum(address_from_public_key(*xy)), c.address);
  }
}

TEST(Address, OrderingAndHash) {
  const auto a = parse_address("0x27b1fdb04752bbc536007a920d24acb045561c26");
  const auto b = parse_address("0xde709f2102306220921060314715629080e2fb77");
  ASSERT_TRUE(a && b);
  EXPECT_LT(*a, *b);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(*a, *parse_address("0x27B1FDB04752BBC536007A920D24ACB045561C26"));

  std::unordered_set<Address> set;
  for (const auto& v : kEip55Vectors) set.insert(*parse_address(v));
  EXPECT_EQ(set.size(), kEip55Vectors.size());
  EXPECT_EQ(std::hash<Address>{}(*a), std::hash<Address>{}(*parse_address(to_lower_hex(*a))));
}

}  // namespace
}  // namespace lottery::eth
