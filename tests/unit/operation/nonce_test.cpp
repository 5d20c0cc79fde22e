// SPDX-License-Identifier: Apache-2.0
#include "operation/nonce.hpp"

#include "fake_node.hpp"

#include <gtest/gtest.h>

namespace lottery::operation {
namespace {

TEST(NonceManager, LearnsOnceAdvancesLocallyAndResyncsWhenInvalidated) {
  testing::FakeNode node;
  node.node_nonce = 7;
  NonceManager nonces;
  const eth::Address who{};
  EXPECT_FALSE(nonces.peek().has_value());
  EXPECT_EQ(testing::run_task(nonces.acquire(node, who)), 7u);
  EXPECT_EQ(testing::run_task(nonces.acquire(node, who)), 7u);
  EXPECT_EQ(node.nonce_reads, 1);
  nonces.consumed(7);
  EXPECT_EQ(nonces.peek(), 8u);
  nonces.consumed(5);  // an older nonce never moves it back
  EXPECT_EQ(nonces.peek(), 8u);
  EXPECT_EQ(testing::run_task(nonces.acquire(node, who)), 8u);
  EXPECT_EQ(node.nonce_reads, 1);

  // "nonce too low/high": forget and ask the node again, whichever way it moved.
  node.node_nonce = 12;
  nonces.invalidate();
  EXPECT_EQ(testing::run_task(nonces.acquire(node, who)), 12u);
  node.node_nonce = 10;
  EXPECT_EQ(testing::run_task(nonces.resync(node, who)), 10u);
  EXPECT_EQ(nonces.peek(), 10u);
  EXPECT_EQ(nonces.syncs(), 3u);
  EXPECT_EQ(node.nonce_reads, 3);
}

}  // namespace
}  // namespace lottery::operation
