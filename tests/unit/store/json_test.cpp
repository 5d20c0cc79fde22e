// SPDX-License-Identifier: Apache-2.0
// Golden strings for every view: field names as in SPEC §5/§6, wei as decimal
// strings, addresses EIP-55, hashes 0x + 64 hex, times unix seconds.
#include "store/json.hpp"

#include "store/store.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>

namespace lottery::store {
namespace {

using namespace test;
using boost::json::serialize;

// tx hashes the helpers give: 0x7a, 23 zero bytes, then block * 100 + log index.
constexpr const char* kTx1000 =
    "0x7a000000000000000000000000000000000000000000000000000000000003e8";
constexpr const char* kTx1100 =
    "0x7a0000000000000000000000000000000000000000000000000000000000044c";
constexpr const char* kTx1200 =
    "0x7a000000000000000000000000000000000000000000000000000000000004b0";
constexpr const char* kTx1900 =
    "0x7a0000000000000000000000000000000000000000000000000000000000076c";
constexpr const char* kTx2001 =
    "0x7a000000000000000000000000000000000000000000000000000000000007d1";
constexpr const char* kTx2200 =
    "0x7a00000000000000000000000000000000000000000000000000000000000898";
constexpr const char* kTx2300 =
    "0x7a000000000000000000000000000000000000000000000000000000000008fc";
constexpr const char* kSeed1007 =
    "0x00000000000000000000000000000000000000000000000000000000000003ef";

std::string s(const char* text) {
  return text;
}
std::string s(std::string_view text) {
  return std::string(text);
}

class StoreJson : public ::testing::Test {
 protected:
  void SetUp() override {
    Batch b;
    Round round;
    round.round_id = 3;
    round.start_time = 1'700'000'100;
    round.end_time = 1'700'000'280;
    round.min_draw_time = 1'700'000'285;
    round.max_draw_time = 1'700'000'460;
    round.total_pot = U256{3'000'000'000'000'000ULL};
    round.participant_count = 2;
    round.state = RoundState::kBetting;
    b.set_round(round);
    b.set_participants({{addr(kAlice), U256{1'000'000'000'000'000ULL}},
                        {addr(kBob), U256{2'000'000'000'000'000ULL}}});
    ContractConfig config;
    config.publisher_addr = addr(kAlice);
    config.operator_addr = addr(kDave);
    config.publisher_commission_bps = 200;
    config.min_bet = U256{1'000'000'000'000'000ULL};
    config.betting_duration = 180;
    config.min_draw_delay = 5;
    config.max_draw_delay = 180;
    config.min_end_time_extension = 60;
    config.min_participants = 2;
    config.max_participants = 500;
    b.set_config(config);
    b.set_chain_status(head(25));
    OperatorStatus op;
    op.status = OperatorRunState::kRunning;
    op.address = addr(kDave);
    op.balance_wei = U256{5'000'000'000'000'000'000ULL};
    b.set_operator_status(op);

    b.apply(bet_event(10, 0, 1, kAlice, 1000, 1000));
    b.apply(bet_event(11, 0, 1, kBob, 3000, 3000));
    b.apply(completed_event(12, 0, 1, kBob, 4000, 2, 1007));
    b.apply(bet_event(19, 0, 2, kCarol, 10, 10));
    b.apply(refunded_event(20, 1, 2, 10, 1));
    b.apply(bet_event(22, 0, 3, kAlice, 1'000'000'000'000'000ULL, 1'000'000'000'000'000ULL));
    b.apply(bet_event(23, 0, 3, kBob, 2'000'000'000'000'000ULL, 2'000'000'000'000'000ULL));
    b.mark_final(20);
    store_ = std::make_unique<Store>(StoreOptions{.contract_address = addr(kCarol)});
    store_->commit(std::move(b));
    snap_ = store_->snapshot();
  }

  std::unique_ptr<Store> store_;
  std::shared_ptr<const Snapshot> snap_;
};

const std::string kRoundStatus =
    s(R"({"round_id":3,"state":1,"state_name":"betting","state_label":"BETTING",)") +
    R"("start_time":1700000100,"end_time":1700000280,"min_draw_time":1700000285,)" +
    R"("max_draw_time":1700000460,"total_pot":"3000000000000000","participant_count":2,)" +
    R"("winner":null,"publisher_commission":"0","winner_prize":"0","participants":[")" + s(kAlice) +
    R"(",")" + s(kBob) + R"("],"chain_time":1700000300})";

TEST_F(StoreJson, RoundStatus) {
  EXPECT_EQ(*snap_->views.round_status, kRoundStatus);
  EXPECT_EQ(serialize(round_status_json(*snap_)), kRoundStatus);
}

TEST_F(StoreJson, RoundStatusWithWinner) {
  Snapshot snap = *snap_;
  snap.round.state = RoundState::kCompleted;
  snap.round.winner = addr(kBob);
  snap.round.winner_prize = U256{2'940'000'000'000'000ULL};
  snap.round.publisher_commission = U256{60'000'000'000'000ULL};
  auto obj = round_status_json(snap);
  EXPECT_EQ(obj.at("state"), 3);
  EXPECT_EQ(obj.at("state_name"), "completed");
  EXPECT_EQ(obj.at("state_label"), "COMPLETED");
  EXPECT_EQ(obj.at("winner").as_string(), kBob);
  EXPECT_EQ(obj.at("winner_prize"), "2940000000000000");
  EXPECT_EQ(obj.at("publisher_commission"), "60000000000000");
}

TEST_F(StoreJson, ParticipantsByStakeDescending) {
  const std::string expected =
      s(R"({"round_id":3,"round_state":"betting","participants":[{"address":")") + s(kBob) +
      R"(","totalAmountWei":"2000000000000000"},{"address":")" + s(kAlice) +
      R"(","totalAmountWei":"1000000000000000"}],"total_participants":2,)" +
      R"("total_amount_wei":"3000000000000000","timestamp":1700000300})";
  EXPECT_EQ(*snap_->views.participants, expected);
  // limit cuts the list, not the totals
  auto limited = participants_view_json(*snap_, 1);
  EXPECT_EQ(limited.at("participants").as_array().size(), 1u);
  EXPECT_EQ(limited.at("total_participants"), 2);
  EXPECT_EQ(limited.at("total_amount_wei"), "3000000000000000");
}

const std::string kRefundedEntry =
    s(R"({"event_type":"RoundRefunded","round_id":2,"participant_count":1,)") +
    R"("total_pot_wei":"10","finished_at":1700000240,"winner":null,"winner_prize_wei":"0",)" +
    R"("publisher_commission_wei":"0","random_seed":null,)" +
    R"("refund_reason":"Insufficient participants","tx_hash":")" + kTx2001 +
    R"(","block_number":20})";

const std::string kCompletedEntry =
    s(R"({"event_type":"RoundCompleted","round_id":1,"participant_count":2,)") +
    R"("total_pot_wei":"4000","finished_at":1700000144,"winner":")" + s(kBob) +
    R"(","winner_prize_wei":"3920","publisher_commission_wei":"80","random_seed":")" + kSeed1007 +
    R"(","refund_reason":null,"tx_hash":")" + kTx1200 + R"(","block_number":12})";

TEST_F(StoreJson, HistoryNewestFirstWithSummaryAndPagination) {
  const std::string expected =
      s(R"({"rounds":[)") + kRefundedEntry + "," + kCompletedEntry +
      R"(],"summary":{"total_rounds":2,"completed_rounds":1,"refunded_rounds":1,)" +
      R"("total_volume_wei":"4010"},"pagination":{"limit":50,"returned":2},)" +
      R"("timestamp":1700000300})";
  EXPECT_EQ(*snap_->views.history, expected);
  auto one = history_view_json(*snap_, 1);
  EXPECT_EQ(serialize(one.at("rounds")), "[" + kRefundedEntry + "]");
  EXPECT_EQ(serialize(one.at("pagination")), R"({"limit":1,"returned":1})");
}

TEST_F(StoreJson, HistoryRoundWithBets) {
  auto round = history_round(*snap_, 1);
  ASSERT_NE(round, nullptr);
  const std::string with_bets =
      kCompletedEntry.substr(0, kCompletedEntry.size() - 1) + R"(,"participants":[{"address":")" +
      s(kAlice) + R"(","totalAmountWei":"1000"},{"address":")" + s(kBob) +
      R"(","totalAmountWei":"3000"}],"bets":[{"player":")" + s(kAlice) +
      R"(","amount_wei":"1000","total_wei":"1000","block_number":10,)" +
      R"("log_index":0,"tx_hash":")" + kTx1000 + R"(","timestamp":1700000120},{"player":")" +
      s(kBob) + R"(","amount_wei":"3000","total_wei":"3000","block_number":11,)" +
      R"("log_index":0,"tx_hash":")" + kTx1100 + R"(","timestamp":1700000132}]})";
  EXPECT_EQ(serialize(finished_round_json(*round, true)), with_bets);
}

TEST_F(StoreJson, ActivitiesNewestFirst) {
  const std::string bob_bet =
      s(R"({"activity_id":7,"activity_type":"BetPlaced","message":")") + s(kBob) +
      R"( bet 0.002 ETH in round 3 (total 0.002 ETH).","details":{"amount_wei":"2000000000000000",)" +
      R"("new_total_wei":"2000000000000000","player":")" + s(kBob) +
      R"(","round_id":3},"timestamp":1700000276,"block_number":23,"tx_hash":")" + kTx2300 +
      R"(","final":false})";
  const std::string alice_bet =
      s(R"({"activity_id":6,"activity_type":"BetPlaced","message":")") + s(kAlice) +
      R"( bet 0.001 ETH in round 3 (total 0.001 ETH).","details":{"amount_wei":"1000000000000000",)" +
      R"("new_total_wei":"1000000000000000","player":")" + s(kAlice) +
      R"(","round_id":3},"timestamp":1700000264,"block_number":22,"tx_hash":")" + kTx2200 +
      R"(","final":false})";
  EXPECT_EQ(serialize(activities_view_json(*snap_, 2)),
            R"({"activities":[)" + bob_bet + "," + alice_bet + "]}");
  auto all = boost::json::parse(*snap_->views.activities).at("activities").as_array();
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(all.back().at("activity_id"), 1);
}

TEST_F(StoreJson, FinishedRoundActivities) {
  auto page = activities_page(*snap_, 7);
  ASSERT_EQ(page.size(), 7u);
  const Activity& refunded = *page[2];
  EXPECT_EQ(serialize(activity_json(refunded)),
            s(R"({"activity_id":5,"activity_type":"RoundRefunded","message":"Round 2 refunded )") +
                R"((Insufficient participants): 0.00000000000000001 ETH returned to 1 player.",)" +
                R"("details":{"participant_count":1,"reason":"Insufficient participants",)" +
                R"("round_id":2,"total_refunded_wei":"10"},"timestamp":1700000240,)" +
                R"("block_number":20,"tx_hash":")" + kTx2001 + R"(","final":true})");
  const Activity& completed = *page[4];
  EXPECT_EQ(serialize(activity_json(completed)),
            s(R"({"activity_id":3,"activity_type":"RoundCompleted","message":"Round 1 won by )") +
                s(kBob) + R"(: 0.00000000000000392 ETH from a pot of 0.000000000000004 ETH.",)" +
                R"("details":{"participant_count":2,"publisher_commission_wei":"80",)" +
                R"("random_seed":")" + kSeed1007 + R"(","round_id":1,"total_pot_wei":"4000",)" +
                R"("winner":")" + s(kBob) + R"(","winner_prize_wei":"3920"},)" +
                R"("timestamp":1700000144,"block_number":12,"tx_hash":")" + kTx1200 +
                R"(","final":true})");
  EXPECT_EQ(page[3]->activity_type, "BetPlaced");
  EXPECT_EQ(page[3]->tx_hash, hash_of(0x7a, 1900));
  EXPECT_EQ(hash_hex(page[3]->tx_hash), kTx1900);
}

TEST_F(StoreJson, OtherEventMessages) {
  Store store;
  Batch b;
  b.apply(ChainEvent{meta(1, 0), RoundCreated{4, 100, 280, 285, 460}});
  b.apply(ChainEvent{meta(1, 1), EndTimeExtended{4, 280, 340}});
  b.apply(ChainEvent{meta(1, 2), RoundStateChanged{4, RoundState::kBetting, RoundState::kDrawing}});
  b.apply(ChainEvent{meta(1, 3),
                     ConfigUpdated{ConfigParam::kMinBetAmount, U256{1'000'000'000'000'000ULL},
                                   U256{2'500'000'000'000'000ULL}}});
  b.apply(
      ChainEvent{meta(1, 4), ConfigUpdated{ConfigParam::kBettingDuration, U256{180}, U256{300}}});
  b.apply(ChainEvent{meta(1, 5), OperatorUpdated{addr(kAlice), addr(kDave)}});
  b.apply(ChainEvent{meta(1, 6), Withdrawn{addr(kCarol), U256{1'500'000'000'000'000'000ULL}}});
  b.apply(ChainEvent{meta(1, 7), ConfigUpdated{ConfigParam::kMinParticipants, U256{2}, U256{3}}});
  b.apply(
      ChainEvent{meta(1, 8), ConfigUpdated{ConfigParam::kMaxParticipants, U256{500}, U256{800}}});
  b.apply(ChainEvent{meta(1, 9), WithdrawalCredited{addr(kAlice), U256{80'000'000'000'000ULL}}});
  b.apply(ChainEvent{meta(1, 10), RefundsPending{4, 100, 42}});
  store.commit(std::move(b));
  const FeedList& feed = *store.snapshot()->feed;  // oldest first = log index order here
  ASSERT_EQ(feed.size(), 11u);
  auto msg = [&](std::size_t log_index) { return feed.at(log_index)->message; };
  auto type = [&](std::size_t log_index) { return feed.at(log_index)->activity_type; };
  EXPECT_EQ(msg(0), "Round 4 started; betting closes at 280.");
  EXPECT_EQ(msg(1), "Round 4 betting extended from 280 to 340.");
  EXPECT_EQ(msg(2), "Round 4 moved from BETTING to DRAWING.");
  EXPECT_EQ(msg(3), "Minimum bet changed from 0.001 ETH to 0.0025 ETH.");
  EXPECT_EQ(msg(4), "Betting duration changed from 180 s to 300 s.");
  EXPECT_EQ(msg(5), "Operator changed from " + s(kAlice) + " to " + s(kDave) + ".");
  EXPECT_EQ(msg(6), s(kCarol) + " withdrew 1.5 ETH.");
  EXPECT_EQ(msg(7), "Minimum participants changed from 2 to 3.");
  EXPECT_EQ(msg(8), "Maximum participants changed from 500 to 800.");
  EXPECT_EQ(msg(9), s(kAlice) + " can withdraw 0.00008 ETH more.");
  EXPECT_EQ(msg(10), "Round 4 refunds paused after 100 players; 42 still to refund.");
  const std::vector<std::string> types = {
      "RoundCreated",           "EndTimeExtended",    "RoundStateChanged", "MinBetAmountUpdated",
      "BettingDurationUpdated", "OperatorUpdated",    "Withdrawn",         "MinParticipantsUpdated",
      "MaxParticipantsUpdated", "WithdrawalCredited", "RefundsPending"};
  for (std::size_t i = 0; i < types.size(); ++i) EXPECT_EQ(type(i), types[i]) << i;
  EXPECT_EQ(serialize(activity_json(*feed[2]).at("details")),
            R"({"new_state":"drawing","old_state":"betting","round_id":4})");
  EXPECT_EQ(serialize(activity_json(*feed[3]).at("details")),
            R"({"new_value":"2500000000000000","old_value":"1000000000000000"})");
  EXPECT_EQ(serialize(activity_json(*feed[5]).at("details")),
            s(R"({"new_operator":")") + s(kDave) + R"(","old_operator":")" + s(kAlice) + R"("})");
  EXPECT_EQ(serialize(activity_json(*feed[9]).at("details")),
            s(R"({"amount_wei":"80000000000000","to":")") + s(kAlice) + R"("})");
  EXPECT_EQ(serialize(activity_json(*feed[10]).at("details")),
            R"({"refunded":100,"remaining":42,"round_id":4})");
}

TEST_F(StoreJson, Config) {
  const std::string expected =
      s(R"({"config":{"publisherAddr":")") + s(kAlice) + R"(","operatorAddr":")" + s(kDave) +
      R"(","publisherCommission":200,"minBet":"1000000000000000","bettingDuration":180,)" +
      R"("minDrawDelay":5,"maxDrawDelay":180,"minEndTimeExtension":60,"minParticipants":2,)" +
      R"("maxParticipants":500},"contract_address":")" + s(kCarol) +
      R"(","chain_id":31337,"timestamp":1700000300})";
  EXPECT_EQ(*snap_->views.config, expected);
  Store empty;
  EXPECT_EQ(*empty.snapshot()->views.config,
            R"({"config":null,"contract_address":"0x0000000000000000000000000000000000000000",)"
            R"("chain_id":0,"timestamp":0})");
}

TEST_F(StoreJson, OperatorStatus) {
  EXPECT_EQ(*snap_->views.operator_status,
            s(R"({"status":"running","address":")") + s(kDave) +
                R"(","balance_wei":"5000000000000000000","pending_tx":null,"low_balance":false})");
  OperatorStatus none;
  none.status = OperatorRunState::kNoKey;
  EXPECT_EQ(serialize(operator_status_json(none)),
            R"({"status":"no_key","address":null,"balance_wei":"0","pending_tx":null,)"
            R"("low_balance":false})");
  OperatorStatus busy;
  busy.status = OperatorRunState::kStandby;
  busy.pending_tx = hash_of(0x7a, 1000);
  busy.low_balance = true;
  EXPECT_EQ(serialize(operator_status_json(busy)),
            s(R"({"status":"standby","address":null,"balance_wei":"0","pending_tx":")") + kTx1000 +
                R"(","low_balance":true})");
  busy.status = OperatorRunState::kStopped;
  EXPECT_EQ(operator_status_json(busy).at("status"), "stopped");
}

TEST_F(StoreJson, ChainStatus) {
  EXPECT_EQ(serialize(chain_status_json(snap_->chain)),
            R"({"status":"ok","latest_block":25,"head_age_s":0,"chain_id":31337})");
  ChainStatus lagging = snap_->chain;
  lagging.lagging = true;
  lagging.head_age_s = 40;
  EXPECT_EQ(chain_status_json(lagging).at("status"), "lagging");
  lagging.reachable = false;
  EXPECT_EQ(chain_status_json(lagging).at("status"), "unreachable");
}

TEST_F(StoreJson, PlayerView) {
  EXPECT_EQ(player_view_json(*snap_, addr(kAlice)),
            s(R"({"player":")") + s(kAlice) +
                R"(","round_id":3,"totalAmountWei":"1000000000000000","winRate":33.33,)"
                R"("timestamp":1700000300})");
  EXPECT_EQ(player_view_json(*snap_, addr(kBob)),
            s(R"({"player":")") + s(kBob) +
                R"(","round_id":3,"totalAmountWei":"2000000000000000","winRate":66.67,)"
                R"("timestamp":1700000300})");
  EXPECT_EQ(player_view_json(*snap_, addr(kCarol)),
            s(R"({"player":")") + s(kCarol) +
                R"(","round_id":3,"totalAmountWei":"0","winRate":0,"timestamp":1700000300})");
  EXPECT_NO_THROW(boost::json::parse(player_view_json(*snap_, addr(kAlice))));
}

TEST_F(StoreJson, PlayerBets) {
  const std::string expected =
      s(R"({"player":")") + s(kBob) +
      R"(","rounds":[{"round_id":3,"total_wei":"2000000000000000","bet_count":1,"bets":[)" +
      R"({"amount_wei":"2000000000000000","total_wei":"2000000000000000","block_number":23,)" +
      R"("tx_hash":")" + kTx2300 + R"(","timestamp":1700000276}],"outcome":"pending",)" +
      R"("prize_wei":"0","refunded_wei":"0"},{"round_id":1,"total_wei":"3000","bet_count":1,)" +
      R"("bets":[{"amount_wei":"3000","total_wei":"3000","block_number":11,"tx_hash":")" + kTx1100 +
      R"(","timestamp":1700000132}],"outcome":"won","prize_wei":"3920",)" +
      R"("refunded_wei":"0"}],"rounds_played":2,"rounds_won":1,)" +
      R"("total_wagered_wei":"2000000000003000","total_won_wei":"3920","timestamp":1700000300})";
  EXPECT_EQ(serialize(player_bets_json(*snap_, addr(kBob))), expected);

  auto carol = player_bets_json(*snap_, addr(kCarol));
  ASSERT_EQ(carol.at("rounds").as_array().size(), 1u);
  EXPECT_EQ(carol.at("rounds").at(0).at("outcome"), "refunded");
  EXPECT_EQ(carol.at("rounds").at(0).at("refunded_wei"), "10");
  auto alice = player_bets_json(*snap_, addr(kAlice));
  ASSERT_EQ(alice.at("rounds").as_array().size(), 2u);
  EXPECT_EQ(alice.at("rounds").at(1).at("outcome"), "lost");
  auto dave = player_bets_json(*snap_, addr(kDave));
  EXPECT_TRUE(dave.at("rounds").as_array().empty());
  EXPECT_EQ(dave.at("total_wagered_wei"), "0");
}

TEST_F(StoreJson, Verify) {
  auto round = history_round(*snap_, 1);
  ASSERT_NE(round, nullptr);
  auto result = verify_round(*round);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(serialize(verify_json(*result)), s(R"({"round_id":1,"random_seed":")") + kSeed1007 +
                                                 R"(","total_pot_wei":"4000","expected_winner":")" +
                                                 s(kBob) + R"(","onchain_winner":")" + s(kBob) +
                                                 R"(","match":true,"bets_complete":true})");
  EXPECT_FALSE(verify_round(*history_round(*snap_, 2)).has_value());  // refunded
}

TEST_F(StoreJson, WsSnapshotMessage) {
  auto msg = boost::json::parse(*snap_->views.ws_snapshot).as_object();
  EXPECT_EQ(msg.at("type"), "snapshot");
  EXPECT_EQ(msg.at("timestamp"), 1700000300);
  const auto& payload = msg.at("payload").as_object();
  EXPECT_EQ(serialize(payload.at("round")), kRoundStatus);
  EXPECT_EQ(serialize(payload.at("participants")), *snap_->views.participants);
  EXPECT_EQ(serialize(payload.at("config")), *snap_->views.config);
  EXPECT_EQ(serialize(payload.at("operator")), *snap_->views.operator_status);
  EXPECT_EQ(payload.at("history").at("pagination").at("limit"), 10);
  EXPECT_EQ(payload.at("history").at("rounds").as_array().size(), 2u);
  EXPECT_EQ(payload.at("activities").as_array().size(), 7u);
  EXPECT_EQ(payload.size(), 6u);
  // Exactly the keys of SPEC §6.
  for (const char* key : {"round", "participants", "history", "activities", "config", "operator"}) {
    EXPECT_TRUE(payload.contains(key)) << key;
  }
}

TEST_F(StoreJson, WsMessageEnvelope) {
  EXPECT_EQ(ws_message("reorg", boost::json::object{{"from_block", 9}, {"to_block", 7}}, 42),
            R"({"type":"reorg","payload":{"from_block":9,"to_block":7},"timestamp":42})");
}

TEST_F(StoreJson, RoundUpdateMessageIsTheRestViewInAnEnvelope) {
  std::string message;
  Subscription sub = store_->subscribe([&](const ChangeSet& set) {
    for (const Change& c : set.changes) {
      if (c.kind == ChangeKind::kRound) message = *c.message;
    }
  });
  Round round = snap_->round;
  round.state = RoundState::kDrawing;
  Batch b;
  b.set_round(round);
  store_->commit(std::move(b));
  std::string view = kRoundStatus;
  view.replace(
      view.find(R"("state":1,"state_name":"betting","state_label":"BETTING")"),
      std::string_view(R"("state":1,"state_name":"betting","state_label":"BETTING")").size(),
      R"("state":2,"state_name":"drawing","state_label":"DRAWING")");
  EXPECT_EQ(message, R"({"type":"round_update","payload":)" + view + R"(,"timestamp":1700000300})");
}

}  // namespace
}  // namespace lottery::store
