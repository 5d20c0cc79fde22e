// SPDX-License-Identifier: Apache-2.0
// CBOR codec: the examples of RFC 8949 appendix A (the subset this codec
// supports round-trips byte for byte; the rest is refused), plus the strict
// rules for hostile input.
#include "custody/cbor.hpp"
#include "eth/hex.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lottery::custody::cbor {
namespace {

eth::Bytes h(const std::string& hex) {
  return eth::hex_decode("0x" + hex).value();
}

struct Example {
  std::string diagnostic;
  std::string hex;
};

// RFC 8949 appendix A, Table 6, the items within this codec's scope, in
// diagnostic notation as `diagnostic()` prints it.
const std::vector<Example>& supported() {
  static const std::vector<Example> v = {
      {"0", "00"},
      {"1", "01"},
      {"10", "0a"},
      {"23", "17"},
      {"24", "1818"},
      {"25", "1819"},
      {"100", "1864"},
      {"1000", "1903e8"},
      {"1000000", "1a000f4240"},
      {"1000000000000", "1b000000e8d4a51000"},
      {"18446744073709551615", "1bffffffffffffffff"},
      {"2(h'010000000000000000')", "c249010000000000000000"},
      {"-18446744073709551616", "3bffffffffffffffff"},
      {"3(h'010000000000000000')", "c349010000000000000000"},
      {"-1", "20"},
      {"-10", "29"},
      {"-100", "3863"},
      {"-1000", "3903e7"},
      {"false", "f4"},
      {"true", "f5"},
      {"null", "f6"},
      {"undefined", "f7"},
      {"0(\"2013-03-21T20:04:00Z\")", "c074323031332d30332d32315432303a30343a30305a"},
      {"1(1363896240)", "c11a514b67b0"},
      {"23(h'01020304')", "d74401020304"},
      {"24(h'6449455446')", "d818456449455446"},
      {"32(\"http://www.example.com\")", "d82076687474703a2f2f7777772e6578616d706c652e636f6d"},
      {"h''", "40"},
      {"h'01020304'", "4401020304"},
      {"\"\"", "60"},
      {"\"a\"", "6161"},
      {"\"IETF\"", "6449455446"},
      {"\"\\\"\\\\\"", "62225c"},
      {"\"\xc3\xbc\"", "62c3bc"},
      {"\"\xe6\xb0\xb4\"", "63e6b0b4"},
      {"\"\xf0\x90\x85\x91\"", "64f0908591"},
      {"[]", "80"},
      {"[1, 2, 3]", "83010203"},
      {"[1, [2, 3], [4, 5]]", "8301820203820405"},
      {"[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, "
       "25]",
       "98190102030405060708090a0b0c0d0e0f101112131415161718181819"},
      {"{}", "a0"},
      {"{1: 2, 3: 4}", "a201020304"},
      {"{\"a\": 1, \"b\": [2, 3]}", "a26161016162820203"},
      {"[\"a\", {\"b\": \"c\"}]", "826161a161626163"},
      {"{\"a\": \"A\", \"b\": \"B\", \"c\": \"C\", \"d\": \"D\", \"e\": \"E\"}",
       "a56161614161626142616361436164614461656145"},
  };
  return v;
}

// RFC 8949 appendix A items outside the subset: floats, other simple values,
// indefinite lengths. Each must be refused, never misread.
const std::vector<std::string>& refused() {
  static const std::vector<std::string> v = {
      "f90000",                      // 0.0 (half)
      "f93c00",                      // 1.0
      "fb3ff199999999999a",          // 1.1
      "fa47c35000",                  // 100000.0
      "f97c00",                      // Infinity
      "fb7ff8000000000000",          // NaN
      "f0",                          // simple(16)
      "f8ff",                        // simple(255)
      "5f42010243030405ff",          // (_ h'0102', h'030405')
      "7f657374726561646d696e67ff",  // (_ "strea", "ming")
      "9fff",                        // [_ ]
      "9f018202039f0405ffff",        // [_ 1, [2, 3], [_ 4, 5]]
      "bf61610161629f0203ffff",      // {_ "a": 1, "b": [_ 2, 3]}
  };
  return v;
}

TEST(Cbor, Rfc8949AppendixASupported) {
  for (const auto& ex : supported()) {
    SCOPED_TRACE(ex.hex);
    const Value v = decode(h(ex.hex));
    EXPECT_EQ(diagnostic(v), ex.diagnostic);
    EXPECT_EQ(eth::hex_encode_bare(encode(v)), ex.hex);
  }
}

TEST(Cbor, Rfc8949AppendixARefused) {
  for (const auto& hex : refused()) {
    SCOPED_TRACE(hex);
    EXPECT_THROW(decode(h(hex)), Error);
  }
}

TEST(Cbor, BuildersEncodeAsExpected) {
  EXPECT_EQ(eth::hex_encode_bare(encode(Value::integer(-1000))), "3903e7");
  EXPECT_EQ(eth::hex_encode_bare(encode(Value::integer(INT64_MIN))), "3b7fffffffffffffff");
  EXPECT_EQ(eth::hex_encode_bare(encode(Value::map(
                {{Value::text_string("a"), Value::uint(1)},
                 {Value::text_string("b"), Value::array({Value::uint(2), Value::uint(3)})}}))),
            "a26161016162820203");
  const Value m = decode(h("a201020304"));
  ASSERT_NE(m.find(std::int64_t{3}), nullptr);
  EXPECT_EQ(m.find(std::int64_t{3})->number, 4u);
  EXPECT_EQ(m.find(std::int64_t{2}), nullptr);
  EXPECT_EQ(decode(h("a26161016162820203")).find("b")->items.size(), 2u);
}

TEST(Cbor, StrictRules) {
  EXPECT_THROW(decode(h("")), Error);            // empty
  EXPECT_THROW(decode(h("0000")), Error);        // trailing bytes
  EXPECT_THROW(decode(h("1817")), Error);        // 23 in two bytes: not shortest
  EXPECT_THROW(decode(h("190017")), Error);      // not shortest
  EXPECT_THROW(decode(h("1a0000ffff")), Error);  // not shortest
  EXPECT_THROW(decode(h("1b00000000ffffffff")), Error);
  EXPECT_THROW(decode(h("5801ff")), Error);      // length 1 in two bytes
  EXPECT_THROW(decode(h("1c")), Error);          // reserved additional info
  EXPECT_THROW(decode(h("62c3")), Error);        // string longer than input
  EXPECT_THROW(decode(h("61ff")), Error);        // invalid UTF-8
  EXPECT_THROW(decode(h("62c0af")), Error);      // overlong UTF-8
  EXPECT_THROW(decode(h("63eda080")), Error);    // UTF-16 surrogate in UTF-8
  EXPECT_THROW(decode(h("a201020103")), Error);  // duplicate key
  EXPECT_THROW(decode(h("83010203ff")), Error);  // trailing break
  EXPECT_THROW(decode(h("ff")), Error);          // lone break
  // A length that claims more than the input must fail before allocating.
  EXPECT_THROW(decode(h("5bffffffffffffffff")), Error);
  EXPECT_THROW(decode(h("9bffffffffffffffff")), Error);
  EXPECT_THROW(decode(h("bbffffffffffffffff")), Error);
  EXPECT_THROW(decode(h("9a7fffffff00")), Error);
}

TEST(Cbor, BoundsDepthItemsAndSize) {
  eth::Bytes deep(40, 0x81);  // [[[[...
  deep.push_back(0x00);
  EXPECT_THROW(decode(deep), Error);
  Limits wide;
  wide.max_items = 10;
  EXPECT_THROW(decode(h("98190102030405060708090a0b0c0d0e0f101112131415161718181819"), wide),
               Error);
  Limits small;
  small.max_input = 3;
  EXPECT_THROW(decode(h("83010203"), small), Error);
  eth::Bytes tags;
  for (int i = 0; i < 40; ++i) tags.push_back(0xc1);
  tags.push_back(0x00);
  EXPECT_THROW(decode(tags), Error);
}

}  // namespace
}  // namespace lottery::custody::cbor
