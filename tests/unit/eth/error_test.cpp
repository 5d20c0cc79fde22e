// SPDX-License-Identifier: Apache-2.0
#include "eth/error.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace lottery::eth {
namespace {

constexpr Errc kLastErrc = Errc::kInternal;

TEST(EthError, CategoryHasStableName) {
  EXPECT_STREQ(eth_category().name(), "lottery.eth");
  // One instance, so comparing codes by category works across translation units.
  EXPECT_EQ(&eth_category(), &eth_category());
}

TEST(EthError, EveryEnumeratorHasDistinctEnglishMessage) {
  std::set<std::string> seen;
  for (int v = 1; v <= static_cast<int>(kLastErrc); ++v) {
    const std::string msg = make_error_code(static_cast<Errc>(v)).message();
    SCOPED_TRACE(v);
    EXPECT_FALSE(msg.empty());
    EXPECT_EQ(msg.find("unknown"), std::string::npos) << msg;
    EXPECT_TRUE(seen.insert(msg).second) << "duplicate message: " << msg;
  }
}

TEST(EthError, SpecificMessages) {
  struct Case {
    Errc code;
    const char* fragment;
  };
  const Case cases[] = {
      {Errc::kMissingHexPrefix, "0x"}, {Errc::kOddHexLength, "odd"},
      {Errc::kBadChecksum, "EIP-55"},  {Errc::kLeadingZeros, "leading zeros"},
      {Errc::kOverflow, "too large"},
  };
  for (const auto& c : cases) {
    EXPECT_NE(make_error_code(c.code).message().find(c.fragment), std::string::npos)
        << make_error_code(c.code).message();
  }
}

TEST(EthError, UnknownValueHasFallbackMessage) {
  const boost::system::error_code ec(static_cast<int>(kLastErrc) + 1, eth_category());
  EXPECT_EQ(ec.message(), "unknown lottery.eth error");
}

TEST(EthError, ErrcConvertsImplicitlyAndCompares) {
  const boost::system::error_code ec = Errc::kOverflow;
  EXPECT_EQ(ec, make_error_code(Errc::kOverflow));
  EXPECT_EQ(ec.value(), static_cast<int>(Errc::kOverflow));
  EXPECT_EQ(&ec.category(), &eth_category());
  EXPECT_NE(ec, make_error_code(Errc::kTruncated));
  EXPECT_TRUE(ec.failed());
}

TEST(EthError, ResultCarriesError) {
  const Result<int> ok = 5;
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 5);
  const Result<int> bad = make_error_code(Errc::kTooDeep);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), make_error_code(Errc::kTooDeep));
}

}  // namespace
}  // namespace lottery::eth
