// SPDX-License-Identifier: Apache-2.0
// The fan-out's feed logic without Redis: what the server's sessions get in local mode, when
// relaying frames (in order, gaps, duplicates, resets) and when switching modes.

#include "scale/fanout.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <string>
#include <vector>

namespace lottery::scale {
namespace {

using server::FeedBatch;
using server::MessageKind;

struct Received {
  std::uint64_t position;
  std::vector<std::pair<MessageKind, std::string>> messages;
  std::string snapshot;
};

class FanoutFeed : public ::testing::Test {
 protected:
  FanoutFeed()
      : client_(ioc_.get_executor(), parse_redis_url("redis://127.0.0.1:1"),
                std::chrono::milliseconds(100)),
        lease_(client_,
               LeaseOptions{std::chrono::milliseconds(2000), "me", Keys::from_prefix("t")}) {
    FanoutOptions o;
    o.keys = Keys::from_prefix("t");
    fanout_ = std::make_shared<Fanout>(ioc_.get_executor(), client_, lease_, store_, o);
    fanout_->start();
    fanout_->attach([this](const FeedBatch& b) {
      Received r;
      r.position = b.position;
      for (const auto& [kind, text] : b.messages) r.messages.emplace_back(kind, *text);
      r.snapshot = *b.snapshot;
      got_.push_back(std::move(r));
    });
  }

  void commit_round(std::uint64_t round_id) {
    store::Batch batch;
    store::Round round;
    round.round_id = round_id;
    batch.set_round(round);
    store_.commit(std::move(batch));
  }

  static std::string frame(std::uint64_t seq, const std::string& round_text,
                           const std::string& snap) {
    Frame f;
    f.seq = seq;
    f.messages = {{"round_update", round_text}};
    f.snapshot = snap;
    return encode_frame(f);
  }

  boost::asio::io_context ioc_;
  store::Store store_;
  RedisClient client_;
  LeaderLease lease_;
  std::shared_ptr<Fanout> fanout_;
  std::vector<Received> got_;
};

TEST_F(FanoutFeed, LocalModeForwardsStoreCommitsInOrder) {
  const auto [initial, start] = fanout_->current();
  ASSERT_TRUE(initial);
  commit_round(1);
  commit_round(2);
  ASSERT_EQ(got_.size(), 2U);
  EXPECT_EQ(got_[0].position, start + 1);
  EXPECT_EQ(got_[1].position, start + 2);
  ASSERT_FALSE(got_[1].messages.empty());
  EXPECT_EQ(got_[1].messages[0].first, MessageKind::kRound);
  EXPECT_NE(got_[1].messages[0].second.find("\"round_id\":2"), std::string::npos);
  // A new client starts from the snapshot of the last delivered state and its position.
  const auto [snap, pos] = fanout_->current();
  EXPECT_EQ(pos, start + 2);
  EXPECT_EQ(*snap, *store_.snapshot()->views.ws_snapshot);
  EXPECT_FALSE(fanout_->stats().relaying);
}

TEST_F(FanoutFeed, RelayModeIgnoresOwnCommitsAndRelaysFramesOnce) {
  fanout_->enter_relay(std::nullopt);  // nothing published yet: our own snapshot
  ASSERT_EQ(got_.size(), 1U);
  EXPECT_EQ(got_[0].messages.at(0).first, MessageKind::kSnapshot);

  commit_round(5);  // this replica's own commit is not sent in relay mode
  EXPECT_EQ(got_.size(), 1U);

  fanout_->on_frame(frame(10, "r10", "s10"));  // first frame since subscribing: its snapshot
  ASSERT_EQ(got_.size(), 2U);
  EXPECT_EQ(got_[1].messages.at(0).first, MessageKind::kSnapshot);
  EXPECT_EQ(got_[1].messages.at(0).second, "s10");

  fanout_->on_frame(frame(11, "r11", "s11"));
  fanout_->on_frame(frame(11, "r11", "s11"));  // duplicate
  fanout_->on_frame(frame(9, "r9", "s9"));     // older
  ASSERT_EQ(got_.size(), 3U);
  EXPECT_EQ(got_[2].messages.at(0).first, MessageKind::kRound);
  EXPECT_EQ(got_[2].messages.at(0).second, "r11");
  EXPECT_EQ(got_[2].snapshot, "s11");
  EXPECT_EQ(*fanout_->current().first, "s11");

  fanout_->on_frame(frame(13, "r13", "s13"));  // 12 was missed: resync with 13's snapshot
  ASSERT_EQ(got_.size(), 4U);
  EXPECT_EQ(got_[3].messages.at(0).first, MessageKind::kSnapshot);
  EXPECT_EQ(got_[3].messages.at(0).second, "s13");
  fanout_->on_frame(frame(14, "r14", "s14"));
  ASSERT_EQ(got_.size(), 5U);
  EXPECT_EQ(got_[4].messages.at(0).second, "r14");

  fanout_->on_frame("garbage");
  EXPECT_EQ(got_.size(), 5U);

  const FanoutStats stats = fanout_->stats();
  EXPECT_TRUE(stats.relaying);
  EXPECT_EQ(stats.last_seq, 14U);
  EXPECT_EQ(stats.stale, 2U);
  EXPECT_EQ(stats.malformed, 1U);
  for (std::size_t i = 1; i < got_.size(); ++i)
    EXPECT_EQ(got_[i].position, got_[i - 1].position + 1);
}

TEST_F(FanoutFeed, StoredSnapshotStartsTheSequence) {
  Frame stored;
  stored.seq = 41;
  stored.reset = true;
  stored.snapshot = "s41";
  fanout_->enter_relay(encode_frame(stored));
  ASSERT_EQ(got_.size(), 1U);
  EXPECT_EQ(got_[0].messages.at(0).second, "s41");
  fanout_->on_frame(frame(41, "r41", "s41"));  // already in the stored snapshot
  fanout_->on_frame(frame(42, "r42", "s42"));
  ASSERT_EQ(got_.size(), 2U);
  EXPECT_EQ(got_[1].messages.at(0).second, "r42");
}

TEST_F(FanoutFeed, SwitchingBackToLocalResyncsFromTheStore) {
  fanout_->enter_relay(std::nullopt);
  fanout_->on_frame(frame(1, "r1", "s1"));
  commit_round(8);
  fanout_->enter_local();
  ASSERT_FALSE(got_.empty());
  const Received& last = got_.back();
  EXPECT_EQ(last.messages.at(0).first, MessageKind::kSnapshot);
  EXPECT_EQ(last.messages.at(0).second, *store_.snapshot()->views.ws_snapshot);
  EXPECT_FALSE(fanout_->stats().relaying);
  fanout_->on_frame(frame(2, "r2", "s2"));  // frames are not relayed in local mode
  EXPECT_EQ(got_.back().messages.at(0).first, MessageKind::kSnapshot);
  commit_round(9);
  EXPECT_EQ(got_.back().messages.at(0).first, MessageKind::kRound);
}

TEST_F(FanoutFeed, DetachedSinkGetsNothing) {
  fanout_->attach({});
  commit_round(1);
  EXPECT_TRUE(got_.empty());
}

}  // namespace
}  // namespace lottery::scale
