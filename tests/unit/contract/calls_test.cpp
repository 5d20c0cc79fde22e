// SPDX-License-Identifier: Apache-2.0
// Call data of the refund functions the operator and the follower use. Expected bytes from
// `cast calldata "<signature>" <args>` (Foundry), written out here.

#include "contract/calls.hpp"
#include "eth/hex.hpp"

#include <gtest/gtest.h>

namespace lottery::contract {
namespace {

TEST(ContractCalls, ContinueRefundEncodesTheRoundId) {
  EXPECT_EQ(eth::hex_encode(continue_refund_call(7)),
            "0x974e008e0000000000000000000000000000000000000000000000000000000000000007");
}

TEST(ContractCalls, RefundProgressEncodesTheRoundId) {
  EXPECT_EQ(eth::hex_encode(refund_progress_call(7)),
            "0xf7e4e0490000000000000000000000000000000000000000000000000000000000000007");
  EXPECT_EQ(eth::hex_encode(refund_progress_call(0x1234)),
            "0xf7e4e0490000000000000000000000000000000000000000000000000000000000001234");
}

}  // namespace
}  // namespace lottery::contract
