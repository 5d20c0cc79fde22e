// SPDX-License-Identifier: Apache-2.0
#include "eth/rlp.hpp"

#include "eth/hex.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace lottery::eth::rlp {
namespace {

Bytes from_hex(std::string_view text) {
  auto bytes = hex_decode(text);
  EXPECT_TRUE(bytes) << text;
  return bytes ? *bytes : Bytes{};
}

Item str(std::string_view text) {
  return Item::string(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

Item raw(std::initializer_list<std::uint8_t> bytes) {
  const std::vector<std::uint8_t> v(bytes);
  return Item::string(v);
}

Item lst(std::vector<Item> children) {
  return Item::list(std::move(children));
}

// The examples from the RLP specification (ethereum.org "Recursive-length prefix" page and the
// Yellow Paper appendix B), written out as data.
struct Vector {
  const char* name;
  Item item;
  const char* encoded;
};

std::vector<Vector> spec_vectors() {
  return {
      {"dog", str("dog"), "0x83646f67"},
      {"cat_dog_list", lst({str("cat"), str("dog")}), "0xc88363617483646f67"},
      {"empty_string", str(""), "0x80"},
      {"empty_list", lst({}), "0xc0"},
      {"integer_0", str(""), "0x80"},
      {"byte_0x00", raw({0x00}), "0x00"},
      {"byte_0x0f", raw({0x0f}), "0x0f"},
      {"bytes_0x0400", raw({0x04, 0x00}), "0x820400"},
      {"set_theoretic_three", lst({lst({}), lst({lst({})}), lst({lst({}), lst({lst({})})})}),
       "0xc7c0c1c0c3c0c1c0"},
      {"lorem_56_bytes", str("Lorem ipsum dolor sit amet, consectetur adipisicing elit"),
       "0xb8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572"
       "206164697069736963696e6720656c6974"},
  };
}

TEST(Rlp, EncodesSpecificationExamples) {
  for (const auto& v : spec_vectors()) {
    EXPECT_EQ(hex_encode(encode(v.item)), v.encoded) << v.name;
  }
}

TEST(Rlp, DecodesSpecificationExamples) {
  for (const auto& v : spec_vectors()) {
    auto decoded = decode(from_hex(v.encoded));
    ASSERT_TRUE(decoded) << v.name << ": " << decoded.error().message();
    EXPECT_EQ(*decoded, v.item) << v.name;
  }
}

TEST(Rlp, EncodesIntegersMinimally) {
  struct Case {
    std::uint64_t value;
    const char* encoded;
  };
  const Case cases[] = {
      {0, "0x80"},
      {1, "0x01"},
      {15, "0x0f"},
      {0x7f, "0x7f"},
      {0x80, "0x8180"},
      {1024, "0x820400"},
      {0xffffff, "0x83ffffff"},
      {std::numeric_limits<std::uint64_t>::max(), "0x88ffffffffffffffff"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(hex_encode(encode_uint(c.value)), c.encoded) << c.value;
    EXPECT_EQ(hex_encode(encode_uint(U256(c.value))), c.encoded) << c.value;
    auto item = decode(from_hex(c.encoded));
    ASSERT_TRUE(item);
    auto back = as_u64(*item);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, c.value);
  }
  const U256 max256 = ~U256(0);
  const Bytes encoded = encode_uint(max256);
  ASSERT_EQ(encoded.size(), 33u);
  EXPECT_EQ(encoded[0], 0xa0);
  auto item = decode(encoded);
  ASSERT_TRUE(item);
  auto back = as_u256(*item);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, max256);
}

TEST(Rlp, LongListUsesLongForm) {
  // 20 items of "dog" (4 bytes each) make an 80-byte payload: 0xf8 0x50 then the items.
  std::vector<Item> dogs(20, str("dog"));
  const Bytes encoded = encode(lst(dogs));
  ASSERT_EQ(encoded.size(), 82u);
  EXPECT_EQ(encoded[0], 0xf8);
  EXPECT_EQ(encoded[1], 0x50);
  auto decoded = decode(encoded);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->items.size(), 20u);
}

TEST(Rlp, LongStringRoundTrips) {
  const Bytes payload(1024, 0xab);
  const Bytes encoded = encode_string(payload);
  ASSERT_GE(encoded.size(), 3u);
  EXPECT_EQ(encoded[0], 0xb9);  // two length bytes follow
  EXPECT_EQ(encoded[1], 0x04);
  EXPECT_EQ(encoded[2], 0x00);
  auto decoded = decode(encoded);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->bytes, payload);
}

struct Malformed {
  const char* name;
  const char* encoded;
  Errc error;
};

TEST(Rlp, RejectsMalformedInput) {
  const Malformed cases[] = {
      {"empty_input", "0x", Errc::kEmptyInput},
      {"truncated_short_string", "0x83646f", Errc::kTruncated},
      {"truncated_single_wrapped", "0x81", Errc::kTruncated},
      {"truncated_list_payload", "0xc88363617483646f", Errc::kTruncated},
      {"truncated_long_length_field", "0xb9", Errc::kTruncated},
      {"truncated_long_string",
       "0xb838"
       "4c6f72656d",
       Errc::kTruncated},
      {"list_child_runs_past_parent",
       "0xc2"
       "83646f67",
       Errc::kTruncated},
      {"non_canonical_single_byte", "0x8100", Errc::kNonCanonical},
      {"non_canonical_single_byte_7f", "0x817f", Errc::kNonCanonical},
      {"non_canonical_single_byte_in_list", "0xc28105", Errc::kNonCanonical},
      {"leading_zero_in_string_length",
       "0xb90038"
       "00",
       Errc::kLeadingZeros},
      {"leading_zero_in_list_length",
       "0xf90038"
       "00",
       Errc::kLeadingZeros},
      {"long_form_for_short_string", "0xb803646f67", Errc::kNonCanonical},
      {"long_form_for_55_bytes",
       "0xb837"
       "00",
       Errc::kNonCanonical},
      {"long_form_for_short_list",
       "0xf803"
       "83646f67",
       Errc::kNonCanonical},
      {"trailing_bytes_after_string", "0x83646f6700", Errc::kTrailingBytes},
      {"trailing_bytes_after_list", "0xc0c0", Errc::kTrailingBytes},
      {"trailing_single_byte", "0x0000", Errc::kTrailingBytes},
      {"length_2_pow_64_minus_1", "0xbfffffffffffffffff", Errc::kTruncated},
      {"list_length_2_pow_64_minus_1",
       "0xffffffffffffffffff"
       "c0",
       Errc::kTruncated},
      {"length_near_2_pow_64",
       "0xbf"
       "fffffffffffffff0"
       "00",
       Errc::kTruncated},
  };
  for (const auto& c : cases) {
    auto decoded = decode(from_hex(c.encoded));
    ASSERT_FALSE(decoded) << c.name;
    EXPECT_EQ(decoded.error(), make_error_code(c.error))
        << c.name << ": got " << decoded.error().message();
  }
}

Bytes nested_empty_lists(std::size_t depth) {
  Bytes encoded = encode_list({});
  for (std::size_t i = 1; i < depth; ++i) encoded = encode_list(encoded);
  return encoded;
}

TEST(Rlp, EnforcesDepthLimit) {
  EXPECT_TRUE(decode(nested_empty_lists(kDefaultMaxDepth)));
  auto too_deep = decode(nested_empty_lists(kDefaultMaxDepth + 1));
  ASSERT_FALSE(too_deep);
  EXPECT_EQ(too_deep.error(), make_error_code(Errc::kTooDeep));

  EXPECT_TRUE(decode(nested_empty_lists(3), 3));
  auto limited = decode(nested_empty_lists(4), 3);
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error(), make_error_code(Errc::kTooDeep));

  // A bare string has depth 0, so even a zero limit accepts it but refuses any list.
  EXPECT_TRUE(decode(from_hex("0x83646f67"), 0));
  auto no_lists = decode(from_hex("0xc0"), 0);
  ASSERT_FALSE(no_lists);
  EXPECT_EQ(no_lists.error(), make_error_code(Errc::kTooDeep));

  // Hostile input: far deeper than the limit fails with kTooDeep instead of recursing on.
  auto hostile = decode(nested_empty_lists(2000));
  ASSERT_FALSE(hostile);
  EXPECT_EQ(hostile.error(), make_error_code(Errc::kTooDeep));
}

TEST(Rlp, IntegerViewsAreCanonical) {
  auto leading = decode(from_hex("0x820001"));
  ASSERT_TRUE(leading);
  EXPECT_EQ(as_u64(*leading).error(), make_error_code(Errc::kLeadingZeros));
  EXPECT_EQ(as_u256(*leading).error(), make_error_code(Errc::kLeadingZeros));

  // A single 0x00 byte is a valid RLP string but not a canonical integer (zero is 0x80).
  auto zero_byte = decode(from_hex("0x00"));
  ASSERT_TRUE(zero_byte);
  EXPECT_EQ(as_u64(*zero_byte).error(), make_error_code(Errc::kLeadingZeros));

  auto nine_bytes = decode(from_hex("0x89010000000000000000"));
  ASSERT_TRUE(nine_bytes);
  EXPECT_EQ(as_u64(*nine_bytes).error(), make_error_code(Errc::kOverflow));
  auto as_big = as_u256(*nine_bytes);
  ASSERT_TRUE(as_big);
  EXPECT_EQ(*as_big, U256(1) << 64);

  const Item thirty_three = Item::string(Bytes(33, 0x01));
  EXPECT_EQ(as_u256(thirty_three).error(), make_error_code(Errc::kOverflow));

  const Item list = lst({});
  EXPECT_EQ(as_u64(list).error(), make_error_code(Errc::kUnexpectedList));
  EXPECT_EQ(as_u256(list).error(), make_error_code(Errc::kUnexpectedList));
  EXPECT_EQ(as_bytes(list).error(), make_error_code(Errc::kUnexpectedList));
  EXPECT_EQ(as_list(str("x")).error(), make_error_code(Errc::kUnexpectedString));
}

TEST(Rlp, FixedViews) {
  const Bytes addr_bytes = from_hex("0x3535353535353535353535353535353535353535");
  auto address = as_address(Item::string(addr_bytes));
  ASSERT_TRUE(address);
  EXPECT_EQ(to_lower_hex(*address), "0x3535353535353535353535353535353535353535");
  EXPECT_EQ(as_address(Item::string(Bytes(19, 0x35))).error(), make_error_code(Errc::kWrongLength));
  EXPECT_EQ(as_address(Item::string(Bytes(21, 0x35))).error(), make_error_code(Errc::kWrongLength));
  EXPECT_EQ(as_address(lst({})).error(), make_error_code(Errc::kUnexpectedList));

  auto hash = as_fixed<32>(Item::string(Bytes(32, 0x11)));
  ASSERT_TRUE(hash);
  EXPECT_EQ((*hash)[31], 0x11);
  EXPECT_EQ(as_fixed<32>(Item::string(Bytes(31, 0x11))).error(),
            make_error_code(Errc::kWrongLength));
}

TEST(Rlp, AppendBuildsListsIncrementally) {
  Bytes payload;
  append_string(payload, ByteView(from_hex("0x636174")));
  append_uint(payload, std::uint64_t{1024});
  append_item(payload, lst({}));
  EXPECT_EQ(hex_encode(encode_list(payload)), "0xc883636174820400c0");
}

}  // namespace
}  // namespace lottery::eth::rlp
