// SPDX-License-Identifier: Apache-2.0
#include "eth/u256.hpp"

#include "eth/hex.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace lottery::eth {
namespace {

// Boundary values written out in every form so each parser and printer is checked against data.
struct Boundary {
  const char* name;
  const char* dec;
  const char* quantity;
  const char* be32;  // 32-byte big-endian hex
};

const std::vector<Boundary> kBoundaries = {
    {"zero", "0", "0x0", "0x0000000000000000000000000000000000000000000000000000000000000000"},
    {"one", "1", "0x1", "0x0000000000000000000000000000000000000000000000000000000000000001"},
    {"255", "255", "0xff", "0x00000000000000000000000000000000000000000000000000000000000000ff"},
    {"256", "256", "0x100", "0x0000000000000000000000000000000000000000000000000000000000000100"},
    {"one ether", "1000000000000000000", "0xde0b6b3a7640000",
     "0x0000000000000000000000000000000000000000000000000de0b6b3a7640000"},
    {"2^64-1", "18446744073709551615", "0xffffffffffffffff",
     "0x000000000000000000000000000000000000000000000000ffffffffffffffff"},
    {"2^64", "18446744073709551616", "0x10000000000000000",
     "0x0000000000000000000000000000000000000000000000010000000000000000"},
    {"2^128", "340282366920938463463374607431768211456", "0x100000000000000000000000000000000",
     "0x0000000000000000000000000000000100000000000000000000000000000000"},
    {"2^255", "57896044618658097711785492504343953926634992332820282019728792003956564819968",
     "0x8000000000000000000000000000000000000000000000000000000000000000",
     "0x8000000000000000000000000000000000000000000000000000000000000000"},
    {"2^256-1", "115792089237316195423570985008687907853269984665640564039457584007913129639935",
     "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
     "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
};

TEST(U256, BoundaryValuesInAllForms) {
  for (const auto& b : kBoundaries) {
    SCOPED_TRACE(b.name);
    const auto from_dec = u256_from_dec(b.dec);
    ASSERT_TRUE(from_dec) << from_dec.error().message();
    const auto from_qty = u256_from_quantity(b.quantity);
    ASSERT_TRUE(from_qty) << from_qty.error().message();
    const auto from_hex = u256_from_hex(b.be32);
    ASSERT_TRUE(from_hex) << from_hex.error().message();
    const auto be = hex_decode(b.be32);
    ASSERT_TRUE(be);
    const auto from_be = u256_from_be(*be);
    ASSERT_TRUE(from_be);

    EXPECT_EQ(*from_dec, *from_qty);
    EXPECT_EQ(*from_dec, *from_hex);
    EXPECT_EQ(*from_dec, *from_be);
    // u256_from_hex also takes the short quantity form.
    EXPECT_EQ(*u256_from_hex(b.quantity), *from_dec);

    EXPECT_EQ(u256_to_dec(*from_dec), b.dec);
    EXPECT_EQ(u256_to_quantity(*from_dec), b.quantity);
    EXPECT_EQ(hex_encode(u256_to_be32(*from_dec)), b.be32);

    const Bytes minimal = u256_to_be_minimal(*from_dec);
    const std::string be_hex = std::string(b.be32).substr(2);
    const auto first_nonzero = be_hex.find_first_not_of('0');
    const std::size_t want_len =
        first_nonzero == std::string::npos ? 0 : (64 - first_nonzero + 1) / 2;
    EXPECT_EQ(minimal.size(), want_len);
    EXPECT_EQ(*u256_from_be(minimal), *from_dec);
  }
}

TEST(U256, ArithmeticAgreesWithBoundaries) {
  const U256 two64 = *u256_from_dec("18446744073709551616");
  EXPECT_EQ(two64, U256(1) << 64);
  const U256 max = *u256_from_dec(
      "115792089237316195423570985008687907853269984665640564039457584007913129639935");
  EXPECT_EQ(max, ~U256(0));
  EXPECT_EQ(max + 1, U256(0));  // wraps like the EVM
}

struct BadCase {
  std::string text;
  Errc error;
};

TEST(U256, FromDecRejectsWithExactError) {
  const std::vector<BadCase> cases = {
      {"", Errc::kEmptyInput},
      {"-1", Errc::kInvalidDecimal},
      {"+1", Errc::kInvalidDecimal},
      {" 1", Errc::kInvalidDecimal},
      {"1 ", Errc::kInvalidDecimal},
      {"1.0", Errc::kInvalidDecimal},
      {"1e18", Errc::kInvalidDecimal},
      {"0x10", Errc::kInvalidDecimal},
      {"١", Errc::kInvalidDecimal},  // Arabic-Indic digit one (UTF-8)
      {std::string("1\0", 2), Errc::kInvalidDecimal},
      {"00", Errc::kLeadingZeros},
      {"01", Errc::kLeadingZeros},
      {"0001000", Errc::kLeadingZeros},
      // 2^256 and beyond.
      {"115792089237316195423570985008687907853269984665640564039457584007913129639936",
       Errc::kOverflow},
      {"115792089237316195423570985008687907853269984665640564039457584007913129640000",
       Errc::kOverflow},
      {"999999999999999999999999999999999999999999999999999999999999999999999999999999",
       Errc::kOverflow},
      {"1157920892373161954235709850086879078532699846656405640394575840079131296399350",
       Errc::kOverflow},
      {std::string(200, '9'), Errc::kOverflow},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto v = u256_from_dec(c.text);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error(), make_error_code(c.error));
  }
}

TEST(U256, FromDecAccepts78DigitsBelowMax) {
  const std::string s =
      "100000000000000000000000000000000000000000000000000000000000000000000000000000";
  ASSERT_EQ(s.size(), 78U);
  const auto v = u256_from_dec(s);
  ASSERT_TRUE(v);
  EXPECT_EQ(u256_to_dec(*v), s);
}

TEST(U256, QuantityRules) {
  const std::vector<BadCase> cases = {
      {"12", Errc::kMissingHexPrefix},
      {"", Errc::kMissingHexPrefix},
      {"0X1", Errc::kMissingHexPrefix},
      {"x1", Errc::kMissingHexPrefix},
      {"0x", Errc::kEmptyInput},
      {"0x00", Errc::kLeadingZeros},
      {"0x01", Errc::kLeadingZeros},
      {"0x0000", Errc::kLeadingZeros},
      {"0xg", Errc::kInvalidHexDigit},
      {"0x1g", Errc::kInvalidHexDigit},
      {"0x-1", Errc::kInvalidHexDigit},
      {"0x1 ", Errc::kInvalidHexDigit},
      {"0x0x1", Errc::kInvalidHexDigit},
      {"0x10000000000000000000000000000000000000000000000000000000000000000", Errc::kOverflow},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto v = u256_from_quantity(c.text);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error(), make_error_code(c.error));
  }
  ASSERT_TRUE(u256_from_quantity("0x0"));
  EXPECT_EQ(*u256_from_quantity("0x0"), U256(0));
  EXPECT_EQ(*u256_from_quantity("0x1a"), U256(26));
  EXPECT_EQ(*u256_from_quantity("0x1A"), U256(26));
  EXPECT_EQ(*u256_from_quantity("0x400"), U256(1024));
}

TEST(U256, FromHexRules) {
  const std::vector<BadCase> cases = {
      {"12", Errc::kMissingHexPrefix},
      {"0x", Errc::kEmptyInput},
      {"0xzz", Errc::kInvalidHexDigit},
      // 65 digits is too many even when the value would fit.
      {"0x00000000000000000000000000000000000000000000000000000000000000001", Errc::kOverflow},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto v = u256_from_hex(c.text);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error(), make_error_code(c.error));
  }
  EXPECT_EQ(*u256_from_hex("0x00"), U256(0));
  EXPECT_EQ(*u256_from_hex("0x0001"), U256(1));
  EXPECT_EQ(*u256_from_hex("0xabc"), U256(0xabc));  // odd digit count is fine for a number
}

TEST(U256, FromBe) {
  EXPECT_EQ(*u256_from_be({}), U256(0));
  const Bytes one = {0x01};
  EXPECT_EQ(*u256_from_be(one), U256(1));
  const Bytes padded = {0x00, 0x00, 0x01, 0x00};
  EXPECT_EQ(*u256_from_be(padded), U256(256));
  const Bytes too_long(33, 0x00);
  const auto v = u256_from_be(too_long);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), make_error_code(Errc::kOverflow));
}

TEST(U256, MinimalBytes) {
  EXPECT_TRUE(u256_to_be_minimal(U256(0)).empty());
  EXPECT_EQ(u256_to_be_minimal(U256(1)), (Bytes{0x01}));
  EXPECT_EQ(u256_to_be_minimal(U256(0x0400)), (Bytes{0x04, 0x00}));
  EXPECT_EQ(u256_to_be_minimal(~U256(0)), Bytes(32, 0xff));
}

TEST(U256, CheckedAdd) {
  const U256 max = ~U256(0);
  EXPECT_EQ(*checked_add(U256(2), U256(3)), U256(5));
  EXPECT_EQ(*checked_add(max, U256(0)), max);
  EXPECT_EQ(*checked_add(max - 1, U256(1)), max);
  const auto over = checked_add(max, U256(1));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error(), make_error_code(Errc::kOverflow));
  EXPECT_FALSE(checked_add(max, max));
}

TEST(U256, CheckedMul) {
  const U256 max = ~U256(0);
  const U256 two128 = U256(1) << 128;
  EXPECT_EQ(*checked_mul(U256(6), U256(7)), U256(42));
  EXPECT_EQ(*checked_mul(max, U256(1)), max);
  EXPECT_EQ(*checked_mul(max, U256(0)), U256(0));
  EXPECT_EQ(*checked_mul(U256(0), max), U256(0));
  EXPECT_EQ(*checked_mul(two128 - 1, two128 + 1), max);  // (2^128-1)(2^128+1) = 2^256-1
  const auto over = checked_mul(two128, two128);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error(), make_error_code(Errc::kOverflow));
  EXPECT_FALSE(checked_mul(max, U256(2)));
}

TEST(U256, ToU64) {
  const U256 u64max = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(*u256_to_u64(U256(0)), 0U);
  EXPECT_EQ(*u256_to_u64(u64max), std::numeric_limits<std::uint64_t>::max());
  const auto over = u256_to_u64(u64max + 1);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error(), make_error_code(Errc::kOverflow));
}

}  // namespace
}  // namespace lottery::eth
