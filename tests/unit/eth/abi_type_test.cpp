// SPDX-License-Identifier: Apache-2.0
#include "eth/abi_type.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lottery::eth {
namespace {

struct GoodType {
  std::string text;
  std::string canonical;
  bool dynamic;
  std::size_t head_size;
};

TEST(AbiType, ParsesCanonicalTypes) {
  const std::vector<GoodType> cases = {
      {"uint256", "uint256", false, 32},
      {"uint8", "uint8", false, 32},
      {"uint", "uint256", false, 32},
      {"int", "int256", false, 32},
      {"int24", "int24", false, 32},
      {"address", "address", false, 32},
      {"bool", "bool", false, 32},
      {"bytes1", "bytes1", false, 32},
      {"bytes32", "bytes32", false, 32},
      {"bytes", "bytes", true, 32},
      {"string", "string", true, 32},
      {"uint256[]", "uint256[]", true, 32},
      {"bytes3[2]", "bytes3[2]", false, 64},
      {"uint[2][3]", "uint256[2][3]", false, 192},
      {"string[2]", "string[2]", true, 32},
      {"uint256[][]", "uint256[][]", true, 32},
      {"(uint256,bool)", "(uint256,bool)", false, 64},
      {"(uint,(address,bytes32[2]))[3]", "(uint256,(address,bytes32[2]))[3]", false, 384},
      {"(address,bytes)[]", "(address,bytes)[]", true, 32},
      {"((string))", "((string))", true, 32},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto type = parse_abi_type(c.text);
    ASSERT_TRUE(type) << type.error().message();
    EXPECT_EQ(type->canonical(), c.canonical);
    EXPECT_EQ(type->is_dynamic(), c.dynamic);
    EXPECT_EQ(type->head_size(), c.head_size);
    // The canonical form parses back to the same tree.
    const auto again = parse_abi_type(type->canonical());
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *type);
  }
}

TEST(AbiType, BuildsTheExpectedTree) {
  const auto type = parse_abi_type("(uint8,bytes4)[2][]");
  ASSERT_TRUE(type);
  const AbiType expected = AbiType::array(
      AbiType::fixed_array(AbiType::tuple({AbiType::uint_n(8), AbiType::fixed_bytes(4)}), 2));
  EXPECT_EQ(*type, expected);
  EXPECT_EQ(type->components.front().size, 2U);
}

TEST(AbiType, AcceptsEverySizeStep) {
  for (std::size_t bits = 8; bits <= 256; bits += 8) {
    EXPECT_TRUE(parse_abi_type("uint" + std::to_string(bits))) << bits;
    EXPECT_TRUE(parse_abi_type("int" + std::to_string(bits))) << bits;
  }
  for (std::size_t len = 1; len <= 32; ++len) {
    EXPECT_TRUE(parse_abi_type("bytes" + std::to_string(len))) << len;
  }
}

struct BadType {
  std::string text;
  Errc error;
};

TEST(AbiType, RejectsMalformedTypes) {
  const std::vector<BadType> cases = {
      {"", Errc::kInvalidType},
      {"uint7", Errc::kInvalidType},
      {"uint0", Errc::kInvalidType},
      {"uint264", Errc::kInvalidType},
      {"uint008", Errc::kInvalidType},
      {"int257", Errc::kInvalidType},
      {"bytes0", Errc::kInvalidType},
      {"bytes33", Errc::kInvalidType},
      {"bytes01", Errc::kInvalidType},
      {"Uint256", Errc::kInvalidType},
      {"uint256 ", Errc::kInvalidType},
      {" uint256", Errc::kInvalidType},
      {"fixed128x18", Errc::kInvalidType},
      {"function", Errc::kInvalidType},
      {"tuple(uint256)", Errc::kInvalidType},
      {"address payable", Errc::kInvalidType},
      {"uint256[", Errc::kInvalidType},
      {"uint256]", Errc::kInvalidType},
      {"uint256[0]", Errc::kInvalidType},
      {"uint256[01]", Errc::kInvalidType},
      {"uint256[-1]", Errc::kInvalidType},
      {"uint256[x]", Errc::kInvalidType},
      {"()", Errc::kInvalidType},
      {"()[]", Errc::kInvalidType},
      {"(uint256", Errc::kInvalidType},
      {"(uint256,)", Errc::kInvalidType},
      {"(,uint256)", Errc::kInvalidType},
      {"(uint256))", Errc::kInvalidType},
      {"(uint256, bool)", Errc::kInvalidType},
      {"uint256,bool", Errc::kInvalidType},
      {"uint256[4294967297]", Errc::kTooLarge},
      {"uint256[99999999999999999999999999]", Errc::kTooLarge},
      {"uint256[65536][65536]", Errc::kTooLarge},
      {std::string(40, '(') + "uint256" + std::string(40, ')'), Errc::kTooDeep},
      {"uint256" + std::string(40, '['), Errc::kInvalidType},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto type = parse_abi_type(c.text);
    ASSERT_FALSE(type);
    EXPECT_EQ(type.error(), make_error_code(c.error));
  }
}

TEST(AbiType, DepthLimitIsInclusive) {
  std::string deep_array = "uint256";
  for (int i = 0; i < 40; ++i) deep_array += "[]";
  EXPECT_EQ(parse_abi_type(deep_array).error(), make_error_code(Errc::kTooDeep));

  std::string ok = "uint256";
  for (std::size_t i = 1; i < kAbiMaxDepth; ++i) ok += "[]";
  EXPECT_TRUE(parse_abi_type(ok));
  EXPECT_EQ(parse_abi_type(ok + "[]").error(), make_error_code(Errc::kTooDeep));
}

TEST(AbiType, ParsesTypeLists) {
  const auto empty = parse_abi_type_list("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());

  const auto list = parse_abi_type_list("address,uint,(bool,string)[]");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 3U);
  EXPECT_EQ(canonical_type_list(*list), "address,uint256,(bool,string)[]");

  EXPECT_EQ(parse_abi_type_list(",").error(), make_error_code(Errc::kInvalidType));
  EXPECT_EQ(parse_abi_type_list("uint256,").error(), make_error_code(Errc::kInvalidType));
  EXPECT_EQ(parse_abi_type_list("uint256)").error(), make_error_code(Errc::kInvalidType));
  EXPECT_EQ(parse_abi_type_list("(uint256").error(), make_error_code(Errc::kInvalidType));
}

}  // namespace
}  // namespace lottery::eth
