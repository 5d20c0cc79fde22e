// SPDX-License-Identifier: Apache-2.0
#include "store/queries.hpp"

#include "store/store.hpp"
#include "store/verify.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace lottery::store {
namespace {

using namespace test;

TEST(WinRate, ExactBasisPointsRoundedHalfUp) {
  EXPECT_EQ(win_rate_bps(U256{1}, U256{3}), 3333u);   // 33.333…
  EXPECT_EQ(win_rate_bps(U256{2}, U256{3}), 6667u);   // 66.666…
  EXPECT_EQ(win_rate_bps(U256{1}, U256{8}), 1250u);   // 12.5 exactly
  EXPECT_EQ(win_rate_bps(U256{1}, U256{20000}), 1u);  // 0.005 % rounds up to 0.01 %
  EXPECT_EQ(win_rate_bps(U256{1}, U256{20001}), 0u);  // just under half a bp
  EXPECT_EQ(win_rate_bps(U256{5}, U256{5}), 10000u);
  EXPECT_EQ(win_rate_bps(U256{0}, U256{5}), 0u);
  EXPECT_EQ(win_rate_bps(U256{5}, U256{0}), 0u);      // empty pot
  EXPECT_EQ(win_rate_bps(U256{9}, U256{5}), 10000u);  // never above 100 %
  // Wei-sized values do not overflow: the full uint256 range.
  const U256 max = std::numeric_limits<U256>::max();
  EXPECT_EQ(win_rate_bps(max, max), 10000u);
  EXPECT_EQ(win_rate_bps(max / 3, max), 3333u);
}

TEST(WinRate, FormatPercent) {
  EXPECT_EQ(format_percent(3333), "33.33");
  EXPECT_EQ(format_percent(10000), "100");
  EXPECT_EQ(format_percent(1250), "12.5");
  EXPECT_EQ(format_percent(50), "0.5");
  EXPECT_EQ(format_percent(5), "0.05");
  EXPECT_EQ(format_percent(1), "0.01");
  EXPECT_EQ(format_percent(0), "0");
}

TEST(FormatEther, TrimsTrailingZeros) {
  EXPECT_EQ(format_ether(U256{0}), "0");
  EXPECT_EQ(format_ether(U256{1}), "0.000000000000000001");
  EXPECT_EQ(format_ether(U256{1'000'000'000'000'000ULL}), "0.001");
  EXPECT_EQ(format_ether(U256{1'000'000'000'000'000'000ULL}), "1");
  EXPECT_EQ(format_ether(U256{1'500'000'000'000'000'000ULL}), "1.5");
  EXPECT_EQ(format_ether(U256{"123456789012345678901234"}), "123456.789012345678901234");
}

TEST(RoundState, NamesAndLabels) {
  const std::vector<std::pair<const char*, const char*>> expected = {{"waiting", "WAITING"},
                                                                     {"betting", "BETTING"},
                                                                     {"drawing", "DRAWING"},
                                                                     {"completed", "COMPLETED"},
                                                                     {"refunded", "REFUNDED"}};
  for (std::uint64_t i = 0; i < expected.size(); ++i) {
    auto state = round_state_from_int(i);
    ASSERT_TRUE(state.has_value());
    EXPECT_EQ(state_name(*state), expected[i].first);
    EXPECT_EQ(state_label(*state), expected[i].second);
  }
  EXPECT_FALSE(round_state_from_int(5).has_value());
}

TEST(Queries, ParticipantsByStakeKeepsFirstBetOrderForTies) {
  Store store;
  Batch b;
  b.set_participants({{addr(kAlice), U256{5}},
                      {addr(kBob), U256{9}},
                      {addr(kCarol), U256{5}},
                      {addr(kDave), U256{1}}});
  store.commit(std::move(b));
  auto snap = store.snapshot();
  auto sorted = participants_by_stake(*snap, 10);
  ASSERT_EQ(sorted.size(), 4u);
  EXPECT_EQ(sorted[0].address, addr(kBob));
  EXPECT_EQ(sorted[1].address, addr(kAlice));
  EXPECT_EQ(sorted[2].address, addr(kCarol));
  EXPECT_EQ(sorted[3].address, addr(kDave));
  EXPECT_EQ(participants_by_stake(*snap, 2).size(), 2u);
  EXPECT_TRUE(participants_by_stake(*snap, 0).empty());
  EXPECT_EQ(current_stake(*snap, addr(kCarol)), U256{5});
  EXPECT_EQ(current_stake(*snap, Address{}), U256{0});
  // The contract order in the snapshot is untouched.
  EXPECT_EQ(snap->participants->front().address, addr(kAlice));
}

TEST(Queries, PagesAreNewestFirstAndLimited) {
  Store store;
  Batch b;
  for (std::uint64_t round = 1; round <= 4; ++round) b.apply(refunded_event(round, 0, round, 1, 1));
  store.commit(std::move(b));
  auto snap = store.snapshot();
  auto page = history_page(*snap, 3);
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0]->round_id, 4u);
  EXPECT_EQ(page[2]->round_id, 2u);
  EXPECT_EQ(history_page(*snap, 100).size(), 4u);
  auto acts = activities_page(*snap, 2);
  ASSERT_EQ(acts.size(), 2u);
  EXPECT_EQ(acts[0]->block_number, 4u);
  EXPECT_EQ(acts[1]->block_number, 3u);
  EXPECT_EQ(snap->summary.refunded_rounds, 4u);
  EXPECT_EQ(snap->summary.completed_rounds, 0u);
}

TEST(Queries, PlayerOutcomeUnknownForAnOldRoundWithoutItsEnd) {
  Store store;
  Batch b;
  Round round;
  round.round_id = 5;
  b.set_round(round);
  b.apply(bet_event(10, 0, 3, kAlice, 7, 7));  // round 3 ended before the store began
  b.apply(bet_event(11, 0, 5, kAlice, 2, 2));
  b.apply(bet_event(12, 0, 5, kAlice, 3, 5));
  store.commit(std::move(b));
  auto rounds = player_bets(*store.snapshot(), addr(kAlice));
  ASSERT_EQ(rounds.size(), 2u);
  EXPECT_EQ(rounds[0].round_id, 5u);
  EXPECT_EQ(rounds[0].outcome, PlayerOutcome::kPending);
  EXPECT_EQ(rounds[0].total_wei, U256{5});
  EXPECT_EQ(rounds[0].bets.size(), 2u);
  EXPECT_EQ(rounds[1].outcome, PlayerOutcome::kUnknown);
  EXPECT_EQ(outcome_name(PlayerOutcome::kUnknown), "unknown");
}

// Draw re-check, SPEC §2: r = seed % totalPot; first player (first-bet order)
// whose cumulative stake exceeds r.
TEST(Verify, PickWinnerAtTheBoundaries) {
  const std::vector<Participant> players = {
      {addr(kAlice), U256{1}}, {addr(kBob), U256{2}}, {addr(kCarol), U256{3}}};
  // cumulative stakes 1, 3, 6
  const std::vector<std::pair<U256, std::string_view>> cases = {
      {U256{0}, kAlice},  // r = 0 < 1
      {U256{1}, kBob},    // r = 1: Alice's 1 does not exceed it
      {U256{2}, kBob},
      {U256{3}, kCarol},  // r = 3: Bob's cumulative 3 does not exceed it
      {U256{5}, kCarol},
      {U256{6}, kAlice},  // wraps: r = 0
      // 2^256 - 1 = 3 (mod 6), since 2^256 = 4 (mod 6)
      {std::numeric_limits<U256>::max(), kCarol},
  };
  for (const auto& [seed, winner] : cases) {
    auto got = pick_winner(seed, U256{6}, players);
    ASSERT_TRUE(got.has_value()) << seed;
    EXPECT_EQ(*got, addr(winner)) << seed;
  }
  EXPECT_FALSE(pick_winner(U256{1}, U256{0}, players).has_value());
  // Stakes that do not reach the pot (missed bets) give no answer past them.
  EXPECT_FALSE(
      pick_winner(U256{5}, U256{6}, std::vector<Participant>{{addr(kAlice), U256{1}}}).has_value());
}

TEST(Verify, HandComputedRealisticDraw) {
  // seed = a keccak256 output; pot 0.006 ETH from stakes 0.001, 0.002, 0.003.
  // r = seed mod 6e15 = 1029713682937432, which lies in Bob's range
  // [1e15, 3e15), so Bob wins.
  const U256 seed{"0x9c22ff5f21f0b81b113e63f7db6da94fedef11b2119b4088b89664fb9a3cb658"};
  const U256 pot{6'000'000'000'000'000ULL};
  EXPECT_EQ(seed % pot, U256{1'029'713'682'937'432ULL});
  const std::vector<Participant> players = {{addr(kAlice), U256{1'000'000'000'000'000ULL}},
                                            {addr(kBob), U256{2'000'000'000'000'000ULL}},
                                            {addr(kCarol), U256{3'000'000'000'000'000ULL}}};
  EXPECT_EQ(pick_winner(seed, pot, players), addr(kBob));

  // The same draw through the store: bets in first-bet order, with a repeat bet
  // by Alice after Bob's first one (order is by first bet, stake is the total).
  Store store;
  Batch b;
  b.apply(bet_event(10, 0, 1, kAlice, 400'000'000'000'000ULL, 400'000'000'000'000ULL));
  b.apply(bet_event(11, 0, 1, kBob, 2'000'000'000'000'000ULL, 2'000'000'000'000'000ULL));
  b.apply(bet_event(12, 0, 1, kAlice, 600'000'000'000'000ULL, 1'000'000'000'000'000ULL));
  b.apply(bet_event(13, 0, 1, kCarol, 3'000'000'000'000'000ULL, 3'000'000'000'000'000ULL));
  ChainEvent done{meta(14, 0),
                  RoundCompleted{1, addr(kBob), pot, 3, pot - U256{120'000'000'000'000ULL},
                                 U256{120'000'000'000'000ULL}, seed}};
  b.apply(done);
  store.commit(std::move(b));
  auto result = verify_round(*history_round(*store.snapshot(), 1));
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->bets_complete);
  EXPECT_EQ(result->expected_winner, addr(kBob));
  EXPECT_TRUE(result->match);

  // A chain claiming another winner does not match.
  FinishedRound forged = *history_round(*store.snapshot(), 1);
  forged.winner = addr(kCarol);
  auto mismatch = verify_round(forged);
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_FALSE(mismatch->match);
  EXPECT_EQ(mismatch->expected_winner, addr(kBob));
}

TEST(Verify, IncompleteBetsAreReportedNotGuessed) {
  FinishedRound round;
  round.kind = FinishKind::kCompleted;
  round.round_id = 9;
  round.total_pot_wei = U256{10};
  round.winner = addr(kAlice);
  round.random_seed = U256{0};
  auto bets = std::make_shared<RoundBets>();
  bets->round_id = 9;
  bets->records.push_back(BetRecord{addr(kAlice), U256{4}, U256{4}, 0, 1, 0, {}});
  round.bets = bets;
  auto result = verify_round(round);
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(result->bets_complete);
  EXPECT_FALSE(result->expected_winner.has_value());
  EXPECT_FALSE(result->match);
}

}  // namespace
}  // namespace lottery::store
