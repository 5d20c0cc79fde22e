// SPDX-License-Identifier: Apache-2.0
#include "server/send_queue.hpp"

#include <gtest/gtest.h>

namespace lottery::server {
namespace {

std::shared_ptr<const std::string> text(const std::string& s) {
  return std::make_shared<const std::string>(s);
}

std::vector<std::string> drain(SendQueue& q) {
  std::vector<std::string> out;
  while (auto m = q.pop()) out.push_back(*m->text);
  return out;
}

TEST(SendQueue, FifoBelowCapacity) {
  SendQueue q(4);
  q.push({MessageKind::kRound, 1, text("r1")}, nullptr, 0);
  q.push({MessageKind::kActivity, 1, text("a1")}, nullptr, 0);
  q.push({MessageKind::kRound, 2, text("r2")}, nullptr, 0);
  EXPECT_EQ(drain(q), (std::vector<std::string>{"r1", "a1", "r2"}));
}

TEST(SendQueue, OverflowKeepsNewestOfEachStateKind) {
  SendQueue q(4);
  q.push({MessageKind::kRound, 1, text("r1")}, nullptr, 0);
  q.push({MessageKind::kParticipants, 1, text("p1")}, nullptr, 0);
  q.push({MessageKind::kRound, 2, text("r2")}, nullptr, 0);
  q.push({MessageKind::kParticipants, 2, text("p2")}, nullptr, 0);
  const auto result = q.push({MessageKind::kRound, 3, text("r3")}, text("SNAP"), 3);
  EXPECT_EQ(result.dropped, 3u);
  EXPECT_FALSE(result.resynced);
  EXPECT_FALSE(result.stuck);
  EXPECT_EQ(drain(q), (std::vector<std::string>{"p2", "r3"}));
}

TEST(SendQueue, DeltasOverflowIntoOneSnapshot) {
  SendQueue q(3);
  q.push({MessageKind::kActivity, 1, text("a1")}, nullptr, 0);
  q.push({MessageKind::kActivity, 2, text("a2")}, nullptr, 0);
  q.push({MessageKind::kPong, 0, pong_message()}, nullptr, 0);
  const auto result = q.push({MessageKind::kHistory, 3, text("h3")}, text("SNAP3"), 3);
  EXPECT_TRUE(result.resynced);
  EXPECT_EQ(result.dropped, 3u);  // a1, a2, h3; the pong is kept
  // Later changes of the same commit are already in the snapshot.
  q.push({MessageKind::kActivity, 3, text("a3")}, text("SNAP3"), 3);
  q.push({MessageKind::kActivity, 4, text("a4")}, text("SNAP4"), 4);
  EXPECT_EQ(drain(q), (std::vector<std::string>{"SNAP3", R"({"type":"pong"})", "a4"}));
  EXPECT_EQ(q.resyncs(), 0u);  // drained
}

TEST(SendQueue, StuckAfterRepeatedResyncsWithoutDraining) {
  SendQueue q(2, 3);
  std::uint64_t v = 0;
  SendQueue::PushResult last;
  for (int i = 0; i < 20 && !last.stuck; ++i) {
    ++v;
    last = q.push({MessageKind::kActivity, v, text("a")}, text("S"), v);
  }
  EXPECT_TRUE(last.stuck);
  EXPECT_EQ(q.resyncs(), 3u);
  EXPECT_LE(q.size(), q.capacity());
}

TEST(SendQueue, InitialSnapshotDropsWhatItContains) {
  SendQueue q(8);
  q.push({MessageKind::kRound, 5, text("r5")}, nullptr, 0);
  q.push({MessageKind::kRound, 6, text("r6")}, nullptr, 0);
  q.push({MessageKind::kPong, 0, pong_message()}, nullptr, 0);
  q.set_initial_snapshot(text("SNAP5"), 5);
  q.push({MessageKind::kActivity, 5, text("late5")}, nullptr, 0);  // already in the snapshot
  q.push({MessageKind::kActivity, 7, text("a7")}, nullptr, 0);
  EXPECT_EQ(drain(q), (std::vector<std::string>{"SNAP5", "r6", R"({"type":"pong"})", "a7"}));
}

TEST(SendQueue, WithoutResyncDropsOldest) {
  SendQueue q(2);
  q.push({MessageKind::kActivity, 1, text("a1")}, nullptr, 0);
  q.push({MessageKind::kActivity, 2, text("a2")}, nullptr, 0);
  const auto result = q.push({MessageKind::kActivity, 3, text("a3")}, nullptr, 0);
  EXPECT_EQ(result.dropped, 1u);
  EXPECT_EQ(drain(q), (std::vector<std::string>{"a2", "a3"}));
}

TEST(SendQueue, StateKinds) {
  EXPECT_TRUE(is_state_kind(MessageKind::kRound));
  EXPECT_TRUE(is_state_kind(MessageKind::kParticipants));
  EXPECT_TRUE(is_state_kind(MessageKind::kConfig));
  EXPECT_TRUE(is_state_kind(MessageKind::kOperatorStatus));
  EXPECT_TRUE(is_state_kind(MessageKind::kSnapshot));
  EXPECT_FALSE(is_state_kind(MessageKind::kActivity));
  EXPECT_FALSE(is_state_kind(MessageKind::kHistory));
  EXPECT_FALSE(is_state_kind(MessageKind::kReorg));
}

}  // namespace
}  // namespace lottery::server
