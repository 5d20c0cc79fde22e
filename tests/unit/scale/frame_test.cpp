// SPDX-License-Identifier: Apache-2.0
#include "scale/frame.hpp"
#include "scale/fanout.hpp"

#include <gtest/gtest.h>

#include <string>

namespace lottery::scale {
namespace {

Frame delta(std::uint64_t seq) {
  Frame f;
  f.seq = seq;
  f.messages = {{"round_update", R"({"type":"round_update","payload":{"round_id":3}})"},
                {"activity", "line1\nline2 with \r\n bytes"}};
  f.snapshot = R"({"type":"snapshot","payload":{}})";
  return f;
}

TEST(Frame, ExactBytes) {
  Frame f;
  f.seq = 12;
  f.messages = {{"activity", "abc"}};
  f.snapshot = "{}";
  EXPECT_EQ(encode_frame(f), "12 delta\nactivity 3\nabcsnapshot 2\n{}");
  f.reset = true;
  EXPECT_EQ(encode_frame(f), "12 reset\nsnapshot 2\n{}");
  EXPECT_EQ(encode_snapshot_entry("{}"), "snapshot 2\n{}");
  EXPECT_EQ(encode_entries({{"reorg", "r"}}, "s"), "reorg 1\nrsnapshot 1\ns");
}

TEST(Frame, RoundTrip) {
  const Frame f = delta(7);
  const auto back = decode_frame(encode_frame(f));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, f);

  Frame r;
  r.seq = 1;
  r.reset = true;
  r.snapshot = "snap";
  EXPECT_EQ(*decode_frame(encode_frame(r)), r);
}

TEST(Frame, WhatTheScriptBuildsParses) {
  // The publish script writes "<seq> <kind>\n" followed by encode_entries(...).
  const std::string body = encode_entries({{"config_update", "c"}, {"operator_status", "o"}}, "s");
  const auto f = decode_frame("99 delta\n" + body);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->seq, 99U);
  ASSERT_EQ(f->messages.size(), 2U);
  EXPECT_EQ(f->messages[1].type, "operator_status");
  EXPECT_EQ(f->snapshot, "s");
  const auto stored = decode_frame("99 reset\n" + encode_snapshot_entry("s"));
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->reset);
}

TEST(Frame, RejectsMalformed) {
  const char* bad[] = {
      "",
      "0 delta\nsnapshot 0\n",                     // seq 0
      "01 delta\nsnapshot 0\n",                    // leading zero
      "x delta\nsnapshot 0\n",                     // not a number
      "1 other\nsnapshot 0\n",                     // unknown kind
      "1 delta\n",                                 // no snapshot
      "1 delta\nactivity 1\na",                    // no snapshot
      "1 delta\nsnapshot 1\nsactivity 1\na",       // snapshot not last
      "1 delta\nsnapshot 1\nssnapshot 1\ns",       // two snapshots
      "1 delta\nbogus_type 1\nxsnapshot 0\n",      // unknown message type
      "1 delta\nactivity 5\nabsnapshot 0\n",       // length past the end
      "1 delta\nactivity -1\nsnapshot 0\n",        // negative length
      "1 reset\nactivity 1\nasnapshot 0\n",        // reset with messages
      "1 delta\nsnapshot 3\nab",                   // short snapshot
      "1 delta\nsnapshot 1\nab",                   // trailing bytes
      "18446744073709551616 delta\nsnapshot 0\n",  // seq overflow
  };
  for (const char* b : bad) EXPECT_FALSE(decode_frame(b).has_value()) << '"' << b << '"';
  EXPECT_TRUE(decode_frame(std::string_view("1 delta\nsnapshot 0\n")).has_value());
}

TEST(Frame, MessageLimit) {
  Frame f;
  f.seq = 1;
  f.snapshot = "s";
  f.messages.assign(kMaxFrameMessages, FeedEntry{"activity", "a"});
  EXPECT_TRUE(decode_frame(encode_frame(f)));
  f.messages.push_back({"activity", "a"});
  EXPECT_FALSE(decode_frame(encode_frame(f)));
}

TEST(Frame, FeedTypesMapToServerKinds) {
  for (const char* t : {"round_update", "participants_update", "history_update", "activity",
                        "config_update", "operator_status", "reorg"}) {
    EXPECT_TRUE(is_feed_type(t)) << t;
    EXPECT_TRUE(message_kind_of(t).has_value()) << t;
  }
  EXPECT_FALSE(is_feed_type("snapshot"));
  EXPECT_EQ(message_kind_of("snapshot"), server::MessageKind::kSnapshot);
  EXPECT_FALSE(message_kind_of("pong").has_value());
}

TEST(JudgeFrame, SequenceRules) {
  Frame f = delta(5);
  EXPECT_EQ(judge_frame(4, f), FrameVerdict::kRelay);
  EXPECT_EQ(judge_frame(5, f), FrameVerdict::kStale);
  EXPECT_EQ(judge_frame(9, f), FrameVerdict::kStale);
  EXPECT_EQ(judge_frame(3, f), FrameVerdict::kResync);  // frame 4 was missed
  EXPECT_EQ(judge_frame(0, f), FrameVerdict::kResync);  // first frame since subscribing
  f.reset = true;
  EXPECT_EQ(judge_frame(4, f), FrameVerdict::kResync);  // a new leader's snapshot
}

}  // namespace
}  // namespace lottery::scale
