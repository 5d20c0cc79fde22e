// SPDX-License-Identifier: Apache-2.0
#include "contract/lottery_abi.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {

std::string read_committed_abi() {
  std::ifstream in(std::string(LOTTERY_SOURCE_DIR) + "/contracts/out/Lottery.abi");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(LotteryAbi, TheBuiltInAbiIsTheCommittedFile) {
  const std::string committed = read_committed_abi();
  ASSERT_FALSE(committed.empty()) << "contracts/out/Lottery.abi could not be read";
  // The build strips surrounding whitespace only.
  const auto first = committed.find_first_not_of(" \t\r\n");
  const auto last = committed.find_last_not_of(" \t\r\n");
  EXPECT_EQ(lottery::contract::lottery_abi_json(), committed.substr(first, last - first + 1));
}

TEST(LotteryAbi, TheBuiltInAbiNamesTheEntryPointsTheServiceUses) {
  const auto abi = boost::json::parse(lottery::contract::lottery_abi_json());
  ASSERT_TRUE(abi.is_array());
  std::set<std::string> names;
  for (const auto& item : abi.as_array()) {
    if (const auto* name = item.as_object().if_contains("name")) {
      names.insert(std::string(name->as_string()));
    }
  }
  for (const char* expected : {"placeBet", "drawWinner", "refundRound", "continueRefund",
                               "BetPlaced", "RoundCompleted", "RoundRefunded"}) {
    EXPECT_TRUE(names.count(expected) == 1) << expected << " missing from the built-in ABI";
  }
}

}  // namespace
