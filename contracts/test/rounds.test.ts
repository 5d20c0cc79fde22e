// SPDX-License-Identifier: Apache-2.0
// Round lifecycle against a real Anvil: start, bets, timing windows, draws, refunds, config, and the
// exact event sequence of every transition.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { encodePacked, keccak256, zeroAddress, type Address, type Hex } from "viem";
import { ether, eventList, expectedWinner, Lottery, RoundState, type TxResult } from "./support/chain.ts";
import { deployLottery, nextTime, useSuite } from "./support/suite.ts";

const s = useSuite();
const kMinBet = ether("0.001");
const { WAITING, BETTING, DRAWING, COMPLETED, REFUNDED } = RoundState;

/// Two players in round 1; returns the round's times.
async function twoPlayerRound(lottery: Lottery, a: bigint, b: bigint) {
  const t = await nextTime(s);
  await lottery.bet(s.players[0], a, t);
  await lottery.bet(s.players[1], b, t + 1n);
  return { start: t, end: t + 180n, minDraw: t + 185n, maxDraw: t + 360n };
}

describe("deployment and configuration", () => {
  test("constructor sets publisher, commission, defaults and an empty round 1", async () => {
    const lottery = await Lottery.deploy(s.chain, s.publisher, 250n);
    assert.deepEqual(await lottery.read("getConfig"), [
      s.publisher, s.publisher, 250n, kMinBet, 180n, 5n, 180n, 60n, 2n,
    ]);
    assert.equal(await lottery.read("PUBLISHER"), s.publisher);
    assert.equal(await lottery.read("PUBLISHER_COMMISSION_RATE"), 250n);
    assert.equal(await lottery.read("operator"), s.publisher, "deployer is the initial operator");
    assert.equal(await lottery.read("maxParticipants"), 500n);
    assert.equal(await lottery.read("getMinBetAmount"), kMinBet);
    const round = await lottery.getRound();
    assert.equal(round.roundId, 1n);
    assert.equal(round.state, WAITING);
    assert.equal(round.startTime, 0n);
    assert.deepEqual(await lottery.read("round"), [1n, 0n, 0n, 0n, 0n, 0n, 0n, zeroAddress, 0n, 0n, WAITING]);
    const last = await lottery.getLastRound();
    assert.equal(last.roundId, 0n, "no finished round yet");
    assert.deepEqual(await lottery.read("getParticipants"), []);
    assert.deepEqual(await lottery.read("getParticipantsWithBets"), [[], []]);
  });

  test("commission is capped at 1000 basis points", async () => {
    await Lottery.deploy(s.chain, s.publisher, 1000n);
    const { encodeDeployData } = await import("viem");
    const { lotteryAbi, lotteryBytecode } = await import("./support/chain.ts");
    const bad = await s.chain.send(s.publisher, null, encodeDeployData({ abi: lotteryAbi, bytecode: lotteryBytecode, args: [1001n] }), { gas: 5_000_000n });
    assert.equal(bad.receipt.status, "0x0");
    assert.equal(await s.chain.revertReason(bad.receipt.transactionHash), "Commission too high");
  });

  test("setOperator emits OperatorUpdated and moves the role", async () => {
    const lottery = await Lottery.deploy(s.chain, s.publisher, 500n);
    const r = await lottery.write(s.publisher, "setOperator", [s.operator]);
    assert.deepEqual(eventList(r.events), [
      { name: "OperatorUpdated", args: { oldOperator: s.publisher, newOperator: s.operator, timestamp: r.timestamp } },
    ]);
    assert.equal(await lottery.read("operator"), s.operator);
    await lottery.expectRevert(s.publisher, "startRound", [], "Only operator");
    await lottery.expectRevert(s.publisher, "setOperator", [zeroAddress], "Zero operator");
    await lottery.write(s.operator, "startRound");
  });

  test("config updates emit old/new/timestamp and are only allowed between rounds", async () => {
    const lottery = await deployLottery(s);
    const cases: [string, bigint, string, Record<string, bigint>][] = [
      ["updateMinBetAmount", ether("0.01"), "MinBetAmountUpdated", { oldAmount: kMinBet, newAmount: ether("0.01") }],
      ["updateBettingDuration", 600n, "BettingDurationUpdated", { oldDuration: 180n, newDuration: 600n }],
      ["updateMinParticipants", 3n, "MinParticipantsUpdated", { oldMinParticipants: 2n, newMinParticipants: 3n }],
      ["updateMaxParticipants", 100n, "MaxParticipantsUpdated", { oldMaxParticipants: 500n, newMaxParticipants: 100n }],
    ];
    for (const [fn, value, eventName, args] of cases) {
      const r = await lottery.write(s.operator, fn, [value]);
      assert.deepEqual(eventList(r.events), [{ name: eventName, args: { ...args, timestamp: r.timestamp } }], fn);
    }
    assert.deepEqual(await lottery.read("getConfig"), [
      s.publisher, s.operator, 500n, ether("0.01"), 600n, 5n, 180n, 60n, 3n,
    ]);
    assert.equal(await lottery.read("maxParticipants"), 100n);

    // bounds
    await lottery.expectRevert(s.operator, "updateMinBetAmount", [0n], "Min bet must be positive");
    await lottery.expectRevert(s.operator, "updateBettingDuration", [9n], "Betting duration out of range");
    await lottery.expectRevert(s.operator, "updateBettingDuration", [7n * 86400n + 1n], "Betting duration out of range");
    await lottery.expectRevert(s.operator, "updateMinParticipants", [0n], "Min participants out of range");
    await lottery.expectRevert(s.operator, "updateMinParticipants", [101n], "Min participants out of range");
    await lottery.expectRevert(s.operator, "updateMaxParticipants", [2n], "Max participants out of range");
    await lottery.expectRevert(s.operator, "updateMaxParticipants", [501n], "Max participants out of range");

    // frozen while a round runs
    await lottery.write(s.operator, "startRound");
    for (const [fn, value] of cases) {
      await lottery.expectRevert(s.operator, fn, [value], "Round in progress");
    }
  });
});

describe("betting", () => {
  test("the first bet starts the round implicitly with exact events", async () => {
    const lottery = await deployLottery(s);
    const t = await nextTime(s);
    const r = await lottery.bet(s.players[0], ether("0.5"), t);
    assert.deepEqual(eventList(r.events), [
      { name: "RoundCreated", args: { roundId: 1n, startTime: t, endTime: t + 180n, minDrawTime: t + 185n, maxDrawTime: t + 360n, timestamp: t } },
      { name: "RoundStateChanged", args: { roundId: 1n, oldState: WAITING, newState: BETTING, timestamp: t } },
      { name: "BetPlaced", args: { roundId: 1n, player: s.players[0], amount: ether("0.5"), newTotal: ether("0.5"), timestamp: t } },
    ]);
    const round = await lottery.getRound();
    assert.deepEqual(
      [round.roundId, round.startTime, round.endTime, round.minDrawTime, round.maxDrawTime, round.totalPot, round.participantCount, round.state],
      [1n, t, t + 180n, t + 185n, t + 360n, ether("0.5"), 1n, BETTING],
    );
    assert.equal(await s.chain.balance(lottery.address), ether("0.5"));
  });

  test("a player may bet many times; stakes add up and the player is listed once", async () => {
    const lottery = await deployLottery(s);
    const [a, b] = s.players;
    const t = await nextTime(s);
    await lottery.bet(a, ether("0.1"), t);
    await lottery.bet(b, ether("0.3"), t + 1n);
    const r = await lottery.bet(a, ether("0.25"), t + 2n);
    assert.deepEqual(eventList(r.events), [
      { name: "BetPlaced", args: { roundId: 1n, player: a, amount: ether("0.25"), newTotal: ether("0.35"), timestamp: t + 2n } },
    ]);
    assert.deepEqual(await lottery.read("getParticipants"), [a, b]);
    assert.deepEqual(await lottery.read("getParticipantsWithBets"), [[a, b], [ether("0.35"), ether("0.3")]]);
    assert.equal(await lottery.read("participants", [0n]), a);
    assert.equal(await lottery.read("participants", [1n]), b);
    assert.equal(await lottery.read("bets", [a]), ether("0.35"));
    assert.equal(await lottery.read("getBetAmount", [b]), ether("0.3"));
    assert.equal(await lottery.read("getBetAmount", [s.players[5]]), 0n);
    const round = await lottery.getRound();
    assert.equal(round.participantCount, 2n);
    assert.equal(round.totalPot, ether("0.65"));
  });

  test("bets below the minimum are rejected; exactly the minimum is accepted", async () => {
    const lottery = await deployLottery(s);
    await lottery.expectRevert(s.players[0], "placeBet", [], "Bet below minimum", { value: kMinBet - 1n });
    await lottery.expectRevert(s.players[0], "placeBet", [], "Bet below minimum");
    assert.equal((await lottery.getRound()).state, WAITING, "a rejected bet starts nothing");
    await lottery.bet(s.players[0], kMinBet);
    await lottery.expectRevert(s.players[1], "placeBet", [], "Bet below minimum", { value: 1n });
  });

  test("bets are accepted up to endTime inclusive and rejected after it", async () => {
    const lottery = await deployLottery(s);
    const t = await nextTime(s);
    await lottery.bet(s.players[0], kMinBet, t);
    await lottery.bet(s.players[1], kMinBet, t + 180n);
    await lottery.expectRevert(s.players[2], "placeBet", [], "Betting closed", { value: kMinBet, at: t + 181n });
    await lottery.expectRevert(s.players[0], "placeBet", [], "Betting closed", { value: kMinBet, at: t + 400n });
    assert.equal((await lottery.getRound()).participantCount, 2n);
  });

  test("extendBettingTime moves endTime and the draw window", async () => {
    const lottery = await deployLottery(s);
    await lottery.expectRevert(s.operator, "extendBettingTime", [10n ** 12n], "Not betting");
    const t = await nextTime(s);
    await lottery.bet(s.players[0], kMinBet, t);
    await lottery.expectRevert(s.operator, "extendBettingTime", [t + 180n + 59n], "Extension too short");
    await lottery.expectRevert(s.operator, "extendBettingTime", [t + 7n * 86400n + 1n], "Extension too long");
    await lottery.expectRevert(s.players[0], "extendBettingTime", [t + 300n], "Only operator");
    const r = await lottery.write(s.operator, "extendBettingTime", [t + 300n], { at: t + 10n });
    assert.deepEqual(eventList(r.events), [
      { name: "EndTimeExtended", args: { roundId: 1n, oldEndTime: t + 180n, newEndTime: t + 300n, timestamp: t + 10n } },
    ]);
    const round = await lottery.getRound();
    assert.deepEqual([round.endTime, round.minDrawTime, round.maxDrawTime], [t + 300n, t + 305n, t + 480n]);
    await lottery.bet(s.players[1], kMinBet, t + 250n);
    await lottery.expectRevert(s.operator, "extendBettingTime", [t + 400n], "Betting closed", { at: t + 301n });
  });
});

describe("drawing", () => {
  test("drawWinner is refused before, allowed at both edges of, and refused after the window", async () => {
    for (const edge of ["min", "max"] as const) {
      const lottery = await deployLottery(s);
      const w = await twoPlayerRound(lottery, kMinBet, kMinBet);
      await lottery.expectRevert(s.operator, "drawWinner", [], "Too early to draw", { at: w.start + 5n });
      await lottery.expectRevert(s.operator, "drawWinner", [], "Too early to draw", { at: w.minDraw - 1n });
      if (edge === "min") {
        await lottery.write(s.operator, "drawWinner", [], { at: w.minDraw });
      } else {
        await lottery.write(s.operator, "drawWinner", [], { at: w.maxDraw });
      }
      assert.equal((await lottery.getLastRound()).state, COMPLETED);
    }
    const lottery = await deployLottery(s);
    const w = await twoPlayerRound(lottery, kMinBet, kMinBet);
    await lottery.expectRevert(s.operator, "drawWinner", [], "Draw window closed", { at: w.maxDraw + 1n });
    assert.equal((await lottery.getRound()).state, BETTING);
  });

  test("a draw pays the winner, credits the commission, emits the exact sequence and opens round 2", async () => {
    const lottery = await deployLottery(s, 500n);
    const [a, b] = s.players;
    const w = await twoPlayerRound(lottery, ether("1"), ether("3"));
    const before = { a: await s.chain.balance(a), b: await s.chain.balance(b) };
    const r = await lottery.write(s.operator, "drawWinner", [], { at: w.minDraw });
    const t = w.minDraw;
    const completed = r.events.find((e) => e.eventName === "RoundCompleted")!;
    const winner = completed.args.winner as Address;
    const seed = completed.args.randomSeed as bigint;
    const pot = ether("4");
    const commission = (pot * 500n) / 10000n;
    const prize = pot - commission;
    assert.deepEqual(eventList(r.events), [
      { name: "RoundStateChanged", args: { roundId: 1n, oldState: BETTING, newState: DRAWING, timestamp: t } },
      { name: "RoundStateChanged", args: { roundId: 1n, oldState: DRAWING, newState: COMPLETED, timestamp: t } },
      { name: "RoundCompleted", args: { roundId: 1n, winner, totalPot: pot, participantCount: 2n, winnerPrize: prize, publisherCommission: commission, randomSeed: seed, timestamp: t } },
      { name: "WithdrawalCredited", args: { to: s.publisher, amount: commission, timestamp: t } },
      { name: "RoundStateChanged", args: { roundId: 2n, oldState: COMPLETED, newState: WAITING, timestamp: t } },
    ]);
    assert.equal(commission, ether("0.2"));

    // The seed is the documented hash of the block's values, and the winner follows from it.
    const block = await s.chain.rpc<{ timestamp: Hex; mixHash: Hex; number: Hex }>("eth_getBlockByNumber", [r.receipt.blockNumber, false]);
    const recomputed = BigInt(
      keccak256(
        encodePacked(
          ["uint256", "uint256", "uint256", "uint256", "uint256"],
          [BigInt(block.timestamp), BigInt(block.mixHash), BigInt(block.number), 1n, pot],
        ),
      ),
    );
    assert.equal(seed, recomputed);
    assert.equal(winner, expectedWinner(seed, [a, b], [ether("1"), ether("3")]));

    // Money: winner paid directly, loser unchanged, commission pending, contract holds only it.
    const loser = winner === a ? b : a;
    assert.equal(await s.chain.balance(winner), before[winner === a ? "a" : "b"] + prize);
    assert.equal(await s.chain.balance(loser), before[loser === a ? "a" : "b"]);
    assert.equal(await lottery.pending(s.publisher), commission);
    assert.equal(await lottery.pending(winner), 0n);
    assert.equal(await s.chain.balance(lottery.address), commission);

    // Last round readable; current round is a fresh WAITING round 2.
    const last = await lottery.getLastRound();
    assert.deepEqual(
      [last.roundId, last.startTime, last.endTime, last.minDrawTime, last.maxDrawTime, last.totalPot, last.participantCount, last.winner, last.publisherCommission, last.winnerPrize, last.state],
      [1n, w.start, w.end, w.minDraw, w.maxDraw, pot, 2n, winner, commission, prize, COMPLETED],
    );
    assert.deepEqual(await lottery.read("getRoundById", [1n]), last);
    assert.deepEqual(await lottery.read("getRoundParticipantsWithBets", [1n]), [[a, b], [ether("1"), ether("3")]]);
    const current = await lottery.getRound();
    assert.deepEqual([current.roundId, current.state, current.totalPot, current.startTime], [2n, WAITING, 0n, 0n]);
    assert.deepEqual(await lottery.read("getParticipantsWithBets"), [[], []]);
    assert.equal(await lottery.read("bets", [a]), 0n, "bets() reads the current round");

    // Publisher withdraws the commission.
    const pubBefore = await s.chain.balance(s.publisher);
    const wd = await lottery.write(s.publisher, "withdraw");
    assert.deepEqual(eventList(wd.events), [
      { name: "Withdrawn", args: { to: s.publisher, amount: commission, timestamp: wd.timestamp } },
    ]);
    assert.equal(await s.chain.balance(s.publisher), pubBefore + commission - wd.fee);
    assert.equal(await lottery.pending(s.publisher), 0n);
    assert.equal(await s.chain.balance(lottery.address), 0n);
    await lottery.expectRevert(s.publisher, "withdraw", [], "Nothing to withdraw");

    // Round 2 works the same way.
    const t2 = await nextTime(s);
    const r2 = await lottery.bet(b, kMinBet, t2);
    assert.equal(r2.events[0].eventName, "RoundCreated");
    assert.equal(r2.events[0].args.roundId, 2n);
  });

  test("a zero commission credits nothing and pays the whole pot", async () => {
    const lottery = await deployLottery(s, 0n);
    const w = await twoPlayerRound(lottery, ether("1"), ether("1"));
    const r = await lottery.write(s.operator, "drawWinner", [], { at: w.minDraw });
    assert.deepEqual(r.events.map((e) => e.eventName), ["RoundStateChanged", "RoundStateChanged", "RoundCompleted", "RoundStateChanged"]);
    const last = await lottery.getLastRound();
    assert.equal(last.winnerPrize, ether("2"));
    assert.equal(last.publisherCommission, 0n);
    assert.equal(await s.chain.balance(lottery.address), 0n);
  });

  test("commission rounds down and prize + commission == pot (10% of an odd pot)", async () => {
    const lottery = await deployLottery(s, 1000n);
    const w = await twoPlayerRound(lottery, kMinBet + 7n, kMinBet + 2n);
    await lottery.write(s.operator, "drawWinner", [], { at: w.minDraw });
    const last = await lottery.getLastRound();
    const pot = 2n * kMinBet + 9n;
    assert.equal(last.publisherCommission, (pot * 1000n) / 10000n);
    assert.equal(last.winnerPrize + last.publisherCommission, pot);
    assert.equal(await lottery.pending(s.publisher), last.publisherCommission);
  });
});

/// Refund transitions: checks event sequence (after the given prefix) and that stakes came back.
async function assertRefunded(lottery: Lottery, r: TxResult, prefix: unknown[], reason: string, stakes: [Address, bigint, bigint][]) {
  const t = r.timestamp;
  const total = stakes.reduce((acc, [, amount]) => acc + amount, 0n);
  assert.deepEqual(eventList(r.events), [
    ...prefix,
    { name: "RoundRefunded", args: { roundId: 1n, totalRefunded: total, participantCount: BigInt(stakes.length), reason, timestamp: t } },
    { name: "RoundStateChanged", args: { roundId: 2n, oldState: REFUNDED, newState: WAITING, timestamp: t } },
  ]);
  for (const [player, amount, before] of stakes) {
    assert.equal(await s.chain.balance(player), before + amount, `refund of ${player}`);
  }
  assert.equal(await s.chain.balance(lottery.address), 0n);
  const last = await lottery.getLastRound();
  assert.deepEqual([last.roundId, last.state, last.totalPot, last.winner], [1n, REFUNDED, total, zeroAddress]);
  const current = await lottery.getRound();
  assert.deepEqual([current.roundId, current.state], [2n, WAITING]);
}

describe("refunds", () => {
  test("drawWinner with too few participants refunds everyone", async () => {
    const lottery = await deployLottery(s);
    const [a] = s.players;
    const t = await nextTime(s);
    await lottery.bet(a, ether("0.2"), t);
    await lottery.bet(a, ether("0.3"), t + 1n);
    const before = await s.chain.balance(a);
    const r = await lottery.write(s.operator, "drawWinner", [], { at: t + 185n });
    await assertRefunded(
      lottery,
      r,
      [
        { name: "RoundStateChanged", args: { roundId: 1n, oldState: BETTING, newState: DRAWING, timestamp: r.timestamp } },
        { name: "RoundStateChanged", args: { roundId: 1n, oldState: DRAWING, newState: REFUNDED, timestamp: r.timestamp } },
      ],
      "Insufficient participants",
      [[a, ether("0.5"), before]],
    );
  });

  test("the operator may refund a betting round at any time", async () => {
    const lottery = await deployLottery(s);
    await lottery.expectRevert(s.operator, "refundRound", [], "Not betting");
    const [a, b] = s.players;
    const w = await twoPlayerRound(lottery, ether("0.1"), ether("0.2"));
    await lottery.expectRevert(a, "refundRound", [], "Only operator");
    const before = [await s.chain.balance(a), await s.chain.balance(b)];
    const r = await lottery.write(s.operator, "refundRound", [], { at: w.start + 10n });
    await assertRefunded(
      lottery,
      r,
      [{ name: "RoundStateChanged", args: { roundId: 1n, oldState: BETTING, newState: REFUNDED, timestamp: r.timestamp } }],
      "Refunded by operator",
      [[a, ether("0.1"), before[0]], [b, ether("0.2"), before[1]]],
    );
  });

  test("anyone may refund after maxDrawTime, not before", async () => {
    const lottery = await deployLottery(s);
    const [a, b, outsider] = s.players;
    const w = await twoPlayerRound(lottery, ether("0.1"), ether("0.2"));
    await lottery.expectRevert(outsider, "refundExpiredRound", [], "Round not expired", { at: w.end + 1n });
    await lottery.expectRevert(outsider, "refundExpiredRound", [], "Round not expired", { at: w.maxDraw });
    const before = [await s.chain.balance(a), await s.chain.balance(b)];
    const r = await lottery.write(outsider, "refundExpiredRound", [], { at: w.maxDraw + 1n });
    await assertRefunded(
      lottery,
      r,
      [{ name: "RoundStateChanged", args: { roundId: 1n, oldState: BETTING, newState: REFUNDED, timestamp: r.timestamp } }],
      "Round expired",
      [[a, ether("0.1"), before[0]], [b, ether("0.2"), before[1]]],
    );
    await lottery.expectRevert(outsider, "refundExpiredRound", [], "Not betting");
    await lottery.expectRevert(s.operator, "drawWinner", [], "Not betting");
    assert.equal(await lottery.read("refundProgress", [1n]), 2n, "a small round is refunded in one go");
    await lottery.expectRevert(outsider, "continueRefund", [1n], "Refund complete");
  });
});

describe("a round opened with startRound() and no bets never gets stuck", () => {
  async function emptyRound() {
    const lottery = await deployLottery(s);
    const t = await nextTime(s);
    const r = await lottery.write(s.operator, "startRound", [], { at: t });
    assert.deepEqual(eventList(r.events), [
      { name: "RoundCreated", args: { roundId: 1n, startTime: t, endTime: t + 180n, minDrawTime: t + 185n, maxDrawTime: t + 360n, timestamp: t } },
      { name: "RoundStateChanged", args: { roundId: 1n, oldState: WAITING, newState: BETTING, timestamp: t } },
    ]);
    await lottery.expectRevert(s.operator, "startRound", [], "Round in progress");
    return { lottery, t };
  }

  test("anyone can close it right after endTime", async () => {
    const { lottery, t } = await emptyRound();
    await lottery.expectRevert(s.players[3], "refundExpiredRound", [], "Round not expired", { at: t + 180n });
    const r = await lottery.write(s.players[3], "refundExpiredRound", [], { at: t + 181n });
    await assertRefunded(
      lottery,
      r,
      [{ name: "RoundStateChanged", args: { roundId: 1n, oldState: BETTING, newState: REFUNDED, timestamp: r.timestamp } }],
      "No participants",
      [],
    );
  });

  test("the operator can close it with drawWinner after endTime (before the draw window)", async () => {
    const { lottery, t } = await emptyRound();
    await lottery.expectRevert(s.operator, "drawWinner", [], "Betting still open", { at: t + 180n });
    const r = await lottery.write(s.operator, "drawWinner", [], { at: t + 181n });
    assert.deepEqual(r.events.map((e) => [e.eventName, e.args.roundId, e.args.oldState, e.args.newState]), [
      ["RoundStateChanged", 1n, BETTING, DRAWING, ],
      ["RoundStateChanged", 1n, DRAWING, REFUNDED],
      ["RoundRefunded", 1n, undefined, undefined],
      ["RoundStateChanged", 2n, REFUNDED, WAITING],
    ]);
    assert.equal(r.events[2].args.reason, "Insufficient participants");
  });

  test("the operator can close it with refundRound, and bets inside the window still work", async () => {
    const { lottery, t } = await emptyRound();
    const bet = await lottery.bet(s.players[0], kMinBet, t + 50n);
    assert.deepEqual(bet.events.map((e) => e.eventName), ["BetPlaced"], "no second RoundCreated");
    const r = await lottery.write(s.operator, "refundRound", [], { at: t + 60n });
    assert.equal(r.events[1].args.reason, "Refunded by operator");
    assert.deepEqual([(await lottery.getRound()).roundId, (await lottery.getRound()).state], [2n, WAITING]);
  });

  test("after maxDrawTime it closes as expired", async () => {
    const { lottery, t } = await emptyRound();
    const r = await lottery.write(s.players[4], "refundExpiredRound", [], { at: t + 361n });
    assert.equal(r.events[1].args.reason, "Round expired");
  });
});

test("ten consecutive rounds keep ids, history and balances consistent", async () => {
  const lottery = await deployLottery(s, 300n);
  let commissions = 0n;
  for (let id = 1n; id <= 10n; ++id) {
    const t = await nextTime(s);
    const players = s.players.slice(Number(id % 4n), Number(id % 4n) + 3);
    for (const [i, p] of players.entries()) await lottery.bet(p, kMinBet * BigInt(i + 1), t + BigInt(i));
    const r = await lottery.write(s.operator, "drawWinner", [], { at: t + 185n });
    const done = r.events.find((e) => e.eventName === "RoundCompleted")!;
    assert.equal(done.args.roundId, id);
    assert.equal(done.args.winner, expectedWinner(done.args.randomSeed as bigint, players, [kMinBet, 2n * kMinBet, 3n * kMinBet]));
    commissions += (6n * kMinBet * 300n) / 10000n;
    assert.equal((await lottery.getLastRound()).roundId, id);
    assert.equal((await lottery.getRound()).roundId, id + 1n);
  }
  assert.equal(await lottery.pending(s.publisher), commissions);
  assert.equal(await s.chain.balance(lottery.address), commissions);
  const third = await lottery.read<{ roundId: bigint; state: number; winner: Address }>("getRoundById", [3n]);
  assert.deepEqual([third.roundId, third.state], [3n, COMPLETED]);
  assert.notEqual(third.winner, zeroAddress);
  const current = await lottery.read<{ roundId: bigint; state: number }>("getRoundById", [11n]);
  assert.deepEqual([current.roundId, current.state], [11n, WAITING]);
  for (const unknown of [0n, 12n]) {
    assert.equal((await lottery.read<{ roundId: bigint }>("getRoundById", [unknown])).roundId, 0n, `round ${unknown}`);
  }
});
