// SPDX-License-Identifier: Apache-2.0
#include "eth/abi_codec.hpp"

#include "eth/abi_signature.hpp"
#include "eth/hex.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace lottery::eth {
namespace {

// Joins bare hex pieces (32-byte words, selectors) into bytes.
Bytes unhex(const std::vector<std::string>& pieces) {
  std::string text = "0x";
  for (const auto& p : pieces) text += p;
  auto bytes = hex_decode(text);
  EXPECT_TRUE(bytes) << text;
  return bytes ? *bytes : Bytes{};
}

std::string word(const std::string& right_aligned_hex) {
  return std::string(64 - right_aligned_hex.size(), '0') + right_aligned_hex;
}

std::string left_word(const std::string& left_aligned_hex) {
  return left_aligned_hex + std::string(64 - left_aligned_hex.size(), '0');
}

Bytes str_bytes(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

std::vector<AbiType> types_of(const std::string& list) {
  auto types = parse_abi_type_list(list);
  EXPECT_TRUE(types) << list;
  return types ? *types : std::vector<AbiType>{};
}

AbiList uints(std::initializer_list<unsigned> values) {
  AbiList out;
  for (const unsigned v : values) out.push_back(abi_uint(U256{v}));
  return out;
}

// The examples of the Solidity ABI specification ("Examples" and "Use of Dynamic Types").
struct SpecExample {
  std::string signature;
  AbiList args;
  Bytes call_data;
};

std::vector<SpecExample> spec_examples() {
  return {
      {"baz(uint32,bool)",
       {abi_uint(U256{69}), abi_bool(true)},
       unhex({"cdcd77c0", word("45"), word("1")})},
      {"bar(bytes3[2])",
       {abi_list({abi_bytes(str_bytes("abc")), abi_bytes(str_bytes("def"))})},
       unhex({"fce353f6", left_word("616263"), left_word("646566")})},
      {"sam(bytes,bool,uint256[])",
       {abi_bytes(str_bytes("dave")), abi_bool(true), abi_list(uints({1, 2, 3}))},
       unhex({"a5643bf2", word("60"), word("1"), word("a0"), word("4"), left_word("64617665"),
              word("3"), word("1"), word("2"), word("3")})},
      {"f(uint256,uint32[],bytes10,bytes)",
       {abi_uint(U256{0x123}), abi_list(uints({0x456, 0x789})), abi_bytes(str_bytes("1234567890")),
        abi_bytes(str_bytes("Hello, world!"))},
       unhex({"8be65246", word("123"), word("80"), left_word("31323334353637383930"), word("e0"),
              word("2"), word("456"), word("789"), word("d"),
              left_word("48656c6c6f2c20776f726c6421")})},
      {"g(uint256[][],string[])",
       {abi_list({abi_list(uints({1, 2})), abi_list(uints({3}))}),
        abi_list({abi_string("one"), abi_string("two"), abi_string("three")})},
       unhex({"2289b18c",          word("40"),          word("140"),
              word("2"),           word("40"),          word("a0"),
              word("2"),           word("1"),           word("2"),
              word("1"),           word("3"),           word("3"),
              word("60"),          word("a0"),          word("e0"),
              word("3"),           left_word("6f6e65"), word("3"),
              left_word("74776f"), word("5"),           left_word("7468726565")})},
  };
}

TEST(AbiCodec, EncodesSpecExamples) {
  for (const auto& ex : spec_examples()) {
    SCOPED_TRACE(ex.signature);
    const auto call = abi_encode_call(ex.signature, ex.args);
    ASSERT_TRUE(call) << call.error().message();
    EXPECT_EQ(hex_encode(*call), hex_encode(ex.call_data));
  }
}

TEST(AbiCodec, DecodesSpecExamples) {
  for (const auto& ex : spec_examples()) {
    SCOPED_TRACE(ex.signature);
    const auto signature = parse_abi_signature(ex.signature);
    ASSERT_TRUE(signature);
    const auto args = abi_decode_call(*signature, ex.call_data);
    ASSERT_TRUE(args) << args.error().message();
    EXPECT_EQ(*args, ex.args);
  }
}

TEST(AbiCodec, Selectors) {
  struct Case {
    std::string signature;
    std::string selector;
  };
  const std::vector<Case> cases = {
      {"transfer(address,uint256)", "0xa9059cbb"},
      {"transfer(address,uint)", "0xa9059cbb"},
      {"balanceOf(address)", "0x70a08231"},
      {"approve(address,uint256)", "0x095ea7b3"},
      {"transferFrom(address,address,uint256)", "0x23b872dd"},
      {"baz(uint32,bool)", "0xcdcd77c0"},
      {"Error(string)", "0x08c379a0"},
      {"Panic(uint256)", "0x4e487b71"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.signature);
    const auto selector = abi_selector(c.signature);
    ASSERT_TRUE(selector);
    EXPECT_EQ(hex_encode(*selector), c.selector);
  }
  const auto topic = abi_event_topic("Transfer(address,address,uint256)");
  ASSERT_TRUE(topic);
  EXPECT_EQ(hex_encode(*topic),
            "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
  const auto approval = abi_event_topic("Approval(address,address,uint)");
  ASSERT_TRUE(approval);
  EXPECT_EQ(hex_encode(*approval),
            "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925");
}

TEST(AbiCodec, RejectsMalformedSignatures) {
  for (const std::string text : {"", "transfer", "(uint256)", "1f(uint256)", "f(uint256",
                                 "f uint256)", "f(uint256,)", "f(uint256))", "fo-o()"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(parse_abi_signature(text).error(), make_error_code(Errc::kInvalidType));
  }
  const auto none = parse_abi_signature("drawWinner()");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->canonical(), "drawWinner()");
  EXPECT_EQ(hex_encode(*abi_encode_call(*none, {})), hex_encode(abi_selector(*none)));
}

TEST(AbiCodec, EncodesTuplesAndSignedIntegers) {
  // f((uint256,string),int8,int256) with (7,"x"), -1, -2
  const auto types = types_of("(uint256,string),int8,int256");
  const AbiList values = {abi_list({abi_uint(U256{7}), abi_string("x")}), abi_int(-1), abi_int(-2)};
  const auto encoded = abi_encode(types, values);
  ASSERT_TRUE(encoded) << encoded.error().message();
  const std::string ff(64, 'f');
  EXPECT_EQ(hex_encode(*encoded),
            hex_encode(unhex({word("60"), ff, ff.substr(0, 63) + "e", word("7"), word("40"),
                              word("1"), left_word("78")})));
  const auto decoded = abi_decode(types, *encoded);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, values);
}

TEST(AbiCodec, EncodesInt64Extremes) {
  const auto types = types_of("int64,int64");
  const AbiList values = {abi_int(INT64_MIN), abi_int(INT64_MAX)};
  const auto encoded = abi_encode(types, values);
  ASSERT_TRUE(encoded);
  EXPECT_EQ(
      hex_encode(*encoded),
      hex_encode(unhex({std::string(48, 'f') + "8000000000000000", word("7fffffffffffffff")})));
  EXPECT_EQ(*abi_decode(types, *encoded), values);
}

TEST(AbiCodec, EncodesEmptyDynamicValues) {
  const auto types = types_of("bytes,string,uint256[]");
  const AbiList values = {abi_bytes({}), abi_string(""), abi_list({})};
  const auto encoded = abi_encode(types, values);
  ASSERT_TRUE(encoded);
  EXPECT_EQ(
      hex_encode(*encoded),
      hex_encode(unhex({word("60"), word("80"), word("a0"), word("0"), word("0"), word("0")})));
  EXPECT_EQ(*abi_decode(types, *encoded), values);
  // No types, no bytes.
  const auto nothing = abi_decode({}, Bytes{});
  ASSERT_TRUE(nothing);
  EXPECT_TRUE(nothing->empty());
}

struct BadEncode {
  std::string types;
  AbiList values;
  Errc error;
};

TEST(AbiCodec, RejectsValuesThatDoNotFitTheirTypes) {
  const U256 max = ~U256{0};
  const std::vector<BadEncode> cases = {
      {"uint256", {}, Errc::kWrongLength},
      {"uint256", {abi_bool(true)}, Errc::kInvalidType},
      {"bool", {abi_uint(U256{1})}, Errc::kInvalidType},
      {"address", {abi_bytes(Bytes(20))}, Errc::kInvalidType},
      {"string", {abi_bytes({})}, Errc::kInvalidType},
      {"bytes", {abi_string("")}, Errc::kInvalidType},
      {"uint256[]", {abi_uint(U256{1})}, Errc::kInvalidType},
      {"uint8", {abi_uint(U256{256})}, Errc::kOutOfRange},
      {"uint255", {abi_uint(U256{0})}, Errc::kInvalidType},  // never parses; see below
      {"int8", {abi_int(128)}, Errc::kOutOfRange},
      {"int8", {abi_int(-129)}, Errc::kOutOfRange},
      {"int8", {abi_int_twos(max - 200)}, Errc::kOutOfRange},
      {"bytes3", {abi_bytes(str_bytes("ab"))}, Errc::kWrongLength},
      {"bytes3[2]", {abi_list({abi_bytes(str_bytes("abc"))})}, Errc::kWrongLength},
      {"(uint256,bool)", {abi_list({abi_uint(U256{1})})}, Errc::kWrongLength},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.types);
    auto types = parse_abi_type_list(c.types);
    if (!types) {
      // Hand-built odd widths must fail the same way as unparsable ones.
      types = std::vector<AbiType>{AbiType::uint_n(255)};
    }
    const auto encoded = abi_encode(*types, c.values);
    ASSERT_FALSE(encoded);
    EXPECT_EQ(encoded.error(), make_error_code(c.error));
  }
  // Range edges that are valid.
  EXPECT_TRUE(abi_encode(types_of("uint8"), AbiList{abi_uint(U256{255})}));
  EXPECT_TRUE(abi_encode(types_of("int8"), AbiList{abi_int(127)}));
  EXPECT_TRUE(abi_encode(types_of("int8"), AbiList{abi_int(-128)}));
  EXPECT_TRUE(abi_encode(types_of("uint256"), AbiList{abi_uint(max)}));
}

struct BadDecode {
  std::string name;
  std::string types;
  Bytes data;
  Errc error;
};

TEST(AbiCodec, RejectsMalformedData) {
  const std::string ones = std::string(64, 'f');
  const std::vector<BadDecode> cases = {
      // Truncation.
      {"empty for uint", "uint256", {}, Errc::kTruncated},
      {"short word", "uint256", Bytes(31), Errc::kTruncated},
      {"missing second word", "uint256,bool", unhex({word("1")}), Errc::kTruncated},
      {"missing length word", "bytes", unhex({word("20")}), Errc::kTruncated},
      {"missing padding", "string", unhex({word("20"), word("3"), "616263"}), Errc::kTruncated},
      {"missing array element", "uint256[]", unhex({word("20"), word("2"), word("1")}),
       Errc::kTooLarge},
      {"missing fixed array element", "uint256[3]", unhex({word("1"), word("2")}),
       Errc::kTruncated},
      // Offsets.
      {"offset past end", "bytes", unhex({word("60"), word("0")}), Errc::kOutOfRange},
      {"offset at end", "bytes", unhex({word("40"), word("0")}), Errc::kNonCanonical},
      {"huge offset", "bytes", unhex({ones, word("0")}), Errc::kOutOfRange},
      {"misaligned offset", "bytes", unhex({word("21"), word("0"), word("0")}),
       Errc::kNonCanonical},
      {"offset into head", "bytes", unhex({word("0"), word("0")}), Errc::kNonCanonical},
      {"gap before tail", "bytes", unhex({word("40"), word("0"), word("0")}), Errc::kNonCanonical},
      {"overlapping tails", "bytes,bytes", unhex({word("40"), word("40"), word("0")}),
       Errc::kNonCanonical},
      {"aliased nested arrays", "uint256[][]",
       unhex({word("20"), word("2"), word("40"), word("40"), word("1"), word("7")}),
       Errc::kNonCanonical},
      // Values out of range.
      {"uint8 high bits", "uint8", unhex({word("100")}), Errc::kOutOfRange},
      {"uint32 high bits", "uint32", unhex({word("100000000")}), Errc::kOutOfRange},
      {"int8 not sign extended", "int8", unhex({word("80")}), Errc::kOutOfRange},
      {"int8 wrong extension", "int8", unhex({std::string(62, 'f') + "7f"}), Errc::kOutOfRange},
      {"bool 2", "bool", unhex({word("2")}), Errc::kOutOfRange},
      {"bool high byte", "bool", unhex({"01" + std::string(62, '0')}), Errc::kOutOfRange},
      {"address high bytes", "address", unhex({"000000000000000000000001" + std::string(40, 'a')}),
       Errc::kOutOfRange},
      // Padding.
      {"dirty bytes3", "bytes3", unhex({"61626301" + std::string(56, '0')}), Errc::kNonCanonical},
      {"dirty bytes padding", "bytes",
       unhex({word("20"), word("1"), "6101" + std::string(60, '0')}), Errc::kNonCanonical},
      {"dirty string padding", "string",
       unhex({word("20"), word("3"), "616263" + std::string(57, '0') + "1"}), Errc::kNonCanonical},
      // Absurd lengths.
      {"huge string length", "string", unhex({word("20"), ones}), Errc::kTooLarge},
      {"string longer than input", "string", unhex({word("20"), word("21"), word("0")}),
       Errc::kTooLarge},
      {"huge array length", "uint256[]", unhex({word("20"), word("ffffffffffffffff")}),
       Errc::kTooLarge},
      {"array length 2^255", "address[]", unhex({word("20"), "8" + std::string(63, '0')}),
       Errc::kTooLarge},
      {"nested huge length", "string[]",
       unhex({word("20"), word("1"), word("20"), word("ffffffff")}), Errc::kTooLarge},
      // Trailing garbage (policy: refused).
      {"trailing word", "uint256", unhex({word("1"), word("0")}), Errc::kTrailingBytes},
      {"trailing byte", "bytes", unhex({word("20"), word("0"), "00"}), Errc::kTrailingBytes},
      {"trailing after empty list", "", unhex({word("0")}), Errc::kTrailingBytes},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto decoded = abi_decode(types_of(c.types), c.data);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error(), make_error_code(c.error)) << decoded.error().message();
  }
}

TEST(AbiCodec, DecodesRangeEdges) {
  const auto decoded = abi_decode(types_of("uint8,int8,int8,address,bool,bytes1"),
                                  unhex({word("ff"), std::string(62, 'f') + "80", word("7f"),
                                         word(std::string(40, 'f')), word("0"), left_word("ff")}));
  ASSERT_TRUE(decoded) << decoded.error().message();
  ASSERT_EQ(decoded->size(), 6U);
  EXPECT_EQ(*(*decoded)[0].as_u256(), U256{255});
  EXPECT_EQ((*decoded)[1], abi_int(-128));
  EXPECT_EQ((*decoded)[2], abi_int(127));
  Address all_ff;
  all_ff.bytes.fill(0xff);
  EXPECT_EQ(*(*decoded)[3].as_address(), all_ff);
  EXPECT_EQ(*(*decoded)[4].as_bool(), false);
  EXPECT_EQ(*(*decoded)[5].as_bytes(), Bytes{0xff});
}

TEST(AbiCodec, DecodesWordsForTopics) {
  const auto addr = abi_decode_word(AbiType::address(), unhex({word("1234")}));
  ASSERT_TRUE(addr);
  EXPECT_EQ(addr->as_address()->bytes[19], 0x34);
  EXPECT_EQ(abi_decode_word(AbiType::string(), unhex({word("0")})).error(),
            make_error_code(Errc::kInvalidType));
  EXPECT_EQ(abi_decode_word(AbiType::boolean(), Bytes(31)).error(),
            make_error_code(Errc::kWrongLength));
  EXPECT_EQ(abi_decode_word(AbiType::boolean(), unhex({word("3")})).error(),
            make_error_code(Errc::kOutOfRange));
}

TEST(AbiCodec, DecodeRejectsOtherSelector) {
  const auto signature = parse_abi_signature("baz(uint32,bool)");
  ASSERT_TRUE(signature);
  EXPECT_EQ(abi_decode_call(*signature, unhex({"cdcd77"})).error(),
            make_error_code(Errc::kTruncated));
  EXPECT_EQ(abi_decode_call(*signature, unhex({"a9059cbb", word("45"), word("1")})).error(),
            make_error_code(Errc::kInvalidType));
}

TEST(AbiCodec, LargeArrayRoundTrips) {
  // The shape of a participants() result: (address[],uint256[]) with 500 entries.
  AbiList addresses;
  AbiList stakes;
  for (unsigned i = 0; i < 500; ++i) {
    Address a;
    a.bytes[0] = static_cast<std::uint8_t>(i);
    a.bytes[19] = static_cast<std::uint8_t>(i >> 8);
    addresses.push_back(abi_address(a));
    stakes.push_back(abi_uint(U256{i} * 1000000007U));
  }
  const auto types = types_of("address[],uint256[]");
  const AbiList values = {abi_list(addresses), abi_list(stakes)};
  const auto encoded = abi_encode(types, values);
  ASSERT_TRUE(encoded);
  EXPECT_EQ(encoded->size(), 32U * (2 + 1 + 500 + 1 + 500));
  const auto decoded = abi_decode(types, *encoded);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, values);
  // Every strict prefix is refused.
  for (std::size_t len = 0; len < encoded->size(); len += 31) {
    EXPECT_FALSE(abi_decode(types, ByteView(*encoded).first(len))) << len;
  }
}

// The fuzz seeds were produced by Foundry's `cast abi-encode` (an independent encoder), so
// decoding them and re-encoding byte for byte cross-checks both directions.
TEST(AbiCodec, RoundTripsSeedsFromAnotherEncoder) {
  struct Seed {
    std::string file;
    std::string types;
  };
  const std::vector<Seed> seeds = {
      {"uint256_one", "uint256"},
      {"string_hello", "string"},
      {"scalars", "int8,bool,address,bytes32,bytes3,uint40"},
      {"participants", "address[],uint256[]"},
      {"sam", "bytes,bool,uint256[]"},
      {"spec_f", "uint256,uint32[],bytes10,bytes"},
      {"spec_g", "uint256[][],string[]"},
      {"nested_tuples", "(uint8,int16,bytes)[2][],(string,address[])"},
      {"nested_tuples2", "bytes3[2],(bool,(string[],int256))[]"},
  };
  for (const auto& seed : seeds) {
    SCOPED_TRACE(seed.file);
    std::ifstream in(std::string(LOTTERY_SOURCE_DIR) + "/fuzz/corpus/fuzz_abi/" + seed.file,
                     std::ios::binary);
    ASSERT_TRUE(in);
    const Bytes data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto types = types_of(seed.types);
    const auto decoded = abi_decode(types, data);
    ASSERT_TRUE(decoded) << decoded.error().message();
    const auto encoded = abi_encode(types, *decoded);
    ASSERT_TRUE(encoded);
    EXPECT_EQ(*encoded, data);
  }
  // Spot-check values: scalars = (-5, true, 0x5aAe..., 0x0102..32, "abc", 2^40-1).
  std::ifstream in(std::string(LOTTERY_SOURCE_DIR) + "/fuzz/corpus/fuzz_abi/scalars",
                   std::ios::binary);
  const Bytes data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto decoded = abi_decode(types_of("int8,bool,address,bytes32,bytes3,uint40"), data);
  ASSERT_TRUE(decoded);
  EXPECT_EQ((*decoded)[0], abi_int(-5));
  EXPECT_EQ((*decoded)[1], abi_bool(true));
  EXPECT_EQ((*decoded)[3].as_bytes()->front(), 0x01);
  EXPECT_EQ(*(*decoded)[4].as_bytes(), str_bytes("abc"));
  EXPECT_EQ(*(*decoded)[5].as_u256(), (U256{1} << 40) - 1);
}

}  // namespace
}  // namespace lottery::eth
