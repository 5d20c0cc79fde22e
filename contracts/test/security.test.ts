// SPDX-License-Identifier: Apache-2.0
// Access control, hostile recipients (rejecting, gas-burning, re-entering players), the participant
// cap, and the ETH accounting invariant.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { encodeDeployData, encodeFunctionData, getAddress, keccak256, toHex, type Address, type Hex } from "viem";
import { ether, eventList, Lottery, lotteryAbi, RoundState } from "./support/chain.ts";
import { Fixture, fixtureArtifacts } from "./support/fixtures.ts";
import { deployLottery, nextTime, useSuite } from "./support/suite.ts";

const s = useSuite();
const kMinBet = ether("0.001");

/// contract balance == current pot + everything credited and not yet withdrawn
async function assertSolvent(lottery: Lottery, owed: Address[]) {
  let pending = 0n;
  for (const a of owed) pending += await lottery.pending(a);
  const pot = (await lottery.getRound()).totalPot;
  assert.equal(await s.chain.balance(lottery.address), pot + pending, "contract balance = pot + pending withdrawals");
}

describe("access control", () => {
  test("every operator function rejects everyone but the operator (publisher included)", async () => {
    const lottery = await deployLottery(s);
    const outsiders = [s.publisher, s.players[0]];
    const calls: [string, unknown[]][] = [
      ["updateMinBetAmount", [ether("1")]],
      ["updateBettingDuration", [60n]],
      ["updateMinParticipants", [3n]],
      ["updateMaxParticipants", [10n]],
      ["startRound", []],
      ["extendBettingTime", [10n ** 12n]],
      ["refundRound", []],
      ["drawWinner", []],
    ];
    for (const who of outsiders) {
      for (const [fn, args] of calls) await lottery.expectRevert(who, fn, args, "Only operator");
    }
    // also while a round is betting (the state checks must not come first)
    const t = await nextTime(s);
    await lottery.bet(s.players[0], kMinBet, t);
    await lottery.bet(s.players[1], kMinBet, t + 1n);
    for (const who of outsiders) {
      for (const fn of ["extendBettingTime", "refundRound"]) {
        await lottery.expectRevert(who, fn, fn === "refundRound" ? [] : [t + 400n], "Only operator");
      }
      await lottery.expectRevert(who, "drawWinner", [], "Only operator", { at: t + 185n + BigInt(outsiders.indexOf(who)) });
    }
    assert.equal((await lottery.getRound()).state, RoundState.BETTING);
  });

  test("setOperator is publisher-only; the operator cannot promote itself or others", async () => {
    const lottery = await deployLottery(s);
    await lottery.expectRevert(s.operator, "setOperator", [s.players[0]], "Only publisher");
    await lottery.expectRevert(s.players[0], "setOperator", [s.players[0]], "Only publisher");
    assert.equal(await lottery.read("operator"), s.operator);
  });

  test("refundExpiredRound and withdraw are open to anyone but guarded by state", async () => {
    const lottery = await deployLottery(s);
    await lottery.expectRevert(s.players[0], "refundExpiredRound", [], "Not betting");
    await lottery.expectRevert(s.players[0], "withdraw", [], "Nothing to withdraw");
  });
});

describe("recipients that reject ETH cannot block draws or refunds", () => {
  test("a rejecting winner is credited and can withdraw later", async () => {
    const lottery = await deployLottery(s);
    const p1 = await Fixture.deploy(s.chain, s.players[0], "RejectingPlayer", [lottery.address]);
    const p2 = await Fixture.deploy(s.chain, s.players[1], "RejectingPlayer", [lottery.address]);
    const t = await nextTime(s);
    await p1.call(s.players[0], "bet", [], { value: ether("1"), at: t });
    await p2.call(s.players[1], "bet", [], { value: ether("1"), at: t + 1n });
    const r = await lottery.write(s.operator, "drawWinner", [], { at: t + 185n });
    const winner = r.events.find((e) => e.eventName === "RoundCompleted")!.args.winner as Address;
    assert.ok([p1.address, p2.address].includes(winner));
    const prize = ether("2") - ether("0.1");
    assert.deepEqual(eventList(r.events).at(-1), {
      name: "WithdrawalCredited",
      args: { to: winner, amount: prize, timestamp: r.timestamp },
    });
    assert.equal(await lottery.pending(winner), prize);
    assert.equal((await lottery.getRound()).roundId, 2n, "the lottery moved on");
    await assertSolvent(lottery, [s.publisher, p1.address, p2.address]);

    const w = winner === p1.address ? p1 : p2;
    const owner = winner === p1.address ? s.players[0] : s.players[1];
    // still rejecting: the pull fails and the credit stays
    const failed = await s.chain.send(owner, w.address, encodeCall("withdrawFromLottery()"), { gas: 200_000n });
    assert.equal(failed.receipt.status, "0x0");
    assert.equal(await lottery.pending(winner), prize);
    await w.call(owner, "setAccept", [true]);
    const wd = await w.call(owner, "withdrawFromLottery");
    assert.deepEqual(eventList(wd.events), [{ name: "Withdrawn", args: { to: winner, amount: prize, timestamp: wd.timestamp } }]);
    assert.equal(await s.chain.balance(winner), prize);
    assert.equal(await lottery.pending(winner), 0n);
    await assertSolvent(lottery, [s.publisher, p1.address, p2.address]);
  });

  test("withdraw to a still-rejecting contract reverts and keeps the credit", async () => {
    const lottery = await deployLottery(s);
    const p = await Fixture.deploy(s.chain, s.players[0], "RejectingPlayer", [lottery.address]);
    const t = await nextTime(s);
    await p.call(s.players[0], "bet", [], { value: ether("0.5"), at: t });
    await lottery.write(s.operator, "refundRound", [], { at: t + 1n });
    assert.equal(await lottery.pending(p.address), ether("0.5"));
    const r = await s.chain.send(s.players[0], p.address, encodeCall("withdrawFromLottery()"), { gas: 200_000n });
    assert.equal(r.receipt.status, "0x0");
    assert.equal(await lottery.pending(p.address), ether("0.5"));
  });

  test("refunds pay EOAs and credit rejecting, gas-burning and re-entering contracts", async () => {
    const lottery = await deployLottery(s);
    const rejecting = await Fixture.deploy(s.chain, s.players[0], "RejectingPlayer", [lottery.address]);
    const burner = await Fixture.deploy(s.chain, s.players[0], "GasBurningPlayer", [lottery.address]);
    const reentrant = await Fixture.deploy(s.chain, s.players[0], "ReentrantPlayer", [lottery.address]);
    const [eoa1, eoa2] = [s.players[1], s.players[2]];
    const t = await nextTime(s);
    await lottery.bet(eoa1, ether("0.1"), t);
    await rejecting.call(s.players[0], "bet", [], { value: ether("0.2"), at: t + 1n });
    await burner.call(s.players[0], "bet", [], { value: ether("0.3"), at: t + 2n });
    await reentrant.call(s.players[0], "bet", [], { value: ether("0.4"), at: t + 3n });
    await lottery.bet(eoa2, ether("0.5"), t + 4n);
    const before = [await s.chain.balance(eoa1), await s.chain.balance(eoa2)];

    const r = await lottery.write(s.players[9], "refundExpiredRound", [], { at: t + 361n });
    assert.deepEqual(
      eventList(r.events).slice(3),
      [rejecting, burner, reentrant].map((c, i) => ({
        name: "WithdrawalCredited",
        args: { to: c.address, amount: ether(["0.2", "0.3", "0.4"][i]), timestamp: r.timestamp },
      })),
    );
    assert.equal(await s.chain.balance(eoa1), before[0] + ether("0.1"));
    assert.equal(await s.chain.balance(eoa2), before[1] + ether("0.5"));
    // the burner got a bounded stipend, not the transaction's gas
    assert.ok(r.gasUsed < 300_000n, `refund used ${r.gasUsed} gas`);
    // the re-entrant bet did not sneak into the next round
    const next = await lottery.getRound();
    assert.deepEqual([next.roundId, next.state, next.participantCount], [2n, RoundState.WAITING, 0n]);
    await assertSolvent(lottery, [rejecting.address, burner.address, reentrant.address]);

    // once funds are credited, a well-behaved pull works (re-entry inside withdraw is blocked too)
    const wd = await reentrant.call(s.players[0], "withdrawFromLottery");
    assert.deepEqual(wd.events.map((e) => e.eventName), ["Withdrawn"]);
    assert.equal(await s.chain.balance(reentrant.address), ether("0.4"));
    assert.equal(await reentrant.read("refusedReentries"), 1n, "the bet inside withdraw was attempted and refused");
    assert.equal((await lottery.getRound()).participantCount, 0n, "re-entrant bet during withdraw was refused");
  });

  test("a gas-burning winner cannot make the draw fail", async () => {
    const lottery = await deployLottery(s);
    const b1 = await Fixture.deploy(s.chain, s.players[0], "GasBurningPlayer", [lottery.address]);
    const b2 = await Fixture.deploy(s.chain, s.players[0], "GasBurningPlayer", [lottery.address]);
    const t = await nextTime(s);
    await b1.call(s.players[0], "bet", [], { value: ether("1"), at: t });
    await b2.call(s.players[0], "bet", [], { value: ether("1"), at: t + 1n });
    const r = await lottery.write(s.operator, "drawWinner", [], { at: t + 185n });
    const winner = r.events.find((e) => e.eventName === "RoundCompleted")!.args.winner as Address;
    assert.equal(await lottery.pending(winner), ether("1.9"));
    assert.ok(r.gasUsed < 300_000n, `draw used ${r.gasUsed} gas`);
    await assertSolvent(lottery, [s.publisher, b1.address, b2.address]);
  });
});

describe("participant cap", () => {
  test("new players beyond maxParticipants are refused; existing ones may add", async () => {
    const lottery = await deployLottery(s);
    const r = await lottery.write(s.operator, "updateMaxParticipants", [3n]);
    assert.equal(r.events[0].eventName, "MaxParticipantsUpdated");
    const t = await nextTime(s);
    for (let i = 0; i < 3; ++i) await lottery.bet(s.players[i], kMinBet, t + BigInt(i));
    await lottery.expectRevert(s.players[3], "placeBet", [], "Too many participants", { value: kMinBet });
    await lottery.bet(s.players[1], kMinBet, t + 10n);
    const round = await lottery.getRound();
    assert.deepEqual([round.participantCount, round.totalPot], [3n, 4n * kMinBet]);
    await lottery.expectRevert(s.operator, "updateMaxParticipants", [10n], "Round in progress");
    // the cap applies per round: the next round accepts three fresh players again
    await lottery.write(s.operator, "drawWinner", [], { at: t + 185n });
    const t2 = await nextTime(s);
    for (let i = 3; i < 6; ++i) await lottery.bet(s.players[i], kMinBet, t2 + BigInt(i));
    await lottery.expectRevert(s.players[7], "placeBet", [], "Too many participants", { value: kMinBet });
  });

  test("the default cap of 500 is enforced with impersonated players", async () => {
    const lottery = await deployLottery(s);
    const players = await impersonatedPlayers(501, 0xc0de0000n);
    await s.chain.bulk(players.slice(0, 500).map((p) => betTxn(lottery, p)), await nextTime(s));
    assert.equal((await lottery.getRound()).participantCount, 500n);
    await lottery.expectRevert(players[500], "placeBet", [], "Too many participants", { value: kMinBet });
    const [list, amounts] = await lottery.read<[Address[], bigint[]]>("getParticipantsWithBets");
    assert.equal(list.length, 500);
    assert.ok(amounts.every((a) => a === kMinBet));
    const round = await lottery.getRound();
    const r = await lottery.write(s.operator, "drawWinner", [], { at: round.minDrawTime });
    assert.ok(r.gasUsed < 16_777_216n, `draw at cap used ${r.gasUsed} gas (EIP-7825 cap)`);
  });
});

describe("large refunds are paid in bounded batches", () => {
  test("300 participants: 250 in the refund, the rest via continueRefund by anyone", async () => {
    const lottery = await deployLottery(s);
    assert.equal(await lottery.read("REFUND_BATCH_SIZE"), 250n);
    const players = await impersonatedPlayers(300, 0xbeef0000n);
    await s.chain.bulk(players.map((p) => betTxn(lottery, p)), await nextTime(s));
    await lottery.expectRevert(s.players[0], "continueRefund", [1n], "Round not refunded");
    const before = await s.chain.balances(players);
    const r = await lottery.write(s.operator, "refundRound");
    assert.deepEqual(eventList(r.events).at(-1), {
      name: "RefundsPending",
      args: { roundId: 1n, refunded: 250n, remaining: 50n, timestamp: r.timestamp },
    });
    assert.equal(await lottery.read("refundProgress", [1n]), 250n);
    assert.equal(await s.chain.balance(players[249]), before[249] + kMinBet, "first batch paid");
    assert.equal(await s.chain.balance(players[250]), before[250], "second batch not yet");
    // the lottery is not held up meanwhile
    assert.deepEqual([(await lottery.getRound()).roundId, (await lottery.getRound()).state], [2n, RoundState.WAITING]);
    await lottery.bet(s.players[0], kMinBet);

    const c = await lottery.write(s.players[5], "continueRefund", [1n]);
    assert.deepEqual(c.events.map((e) => e.eventName), [], "no credits, no pending refunds: no events");
    assert.equal(await lottery.read("refundProgress", [1n]), 300n);
    assert.deepEqual(await s.chain.balances(players), before.map((b) => b + kMinBet));
    await lottery.expectRevert(s.players[5], "continueRefund", [1n], "Refund complete");
    assert.equal(await s.chain.balance(lottery.address), kMinBet, "only round 2's bet is left");
  });

  test("a batch of 250 gas-burning contracts stays far below the EIP-7825 transaction cap", async () => {
    const lottery = await deployLottery(s);
    const art = fixtureArtifacts().GasBurningPlayer;
    const deployData = encodeDeployData({ abi: art.abi, bytecode: art.bytecode, args: [lottery.address] });
    const deployed = await s.chain.bulk(Array.from({ length: 250 }, () => ({ from: s.players[0], to: null, data: deployData })));
    const bet = encodeFunctionData({ abi: art.abi, functionName: "bet" });
    await s.chain.bulk(
      deployed.map((d) => ({ from: s.players[0], to: getAddress(d.contractAddress!), data: bet, value: kMinBet })),
      await nextTime(s),
    );
    assert.equal((await lottery.getRound()).participantCount, 250n);
    const round = await lottery.getRound();
    const r = await lottery.write(s.players[1], "refundExpiredRound", [], { at: round.maxDrawTime + 1n });
    assert.equal(r.events.filter((e) => e.eventName === "WithdrawalCredited").length, 250);
    assert.ok(r.gasUsed < 16_777_216n, `hostile refund batch used ${r.gasUsed} gas`);
    assert.equal(await lottery.read("refundProgress", [1n]), 250n);
  });
});

/// Funded, impersonated EOAs at addresses base+1 … base+n.
async function impersonatedPlayers(n: number, base: bigint): Promise<Address[]> {
  const players: Address[] = [];
  for (let i = 1; i <= n; ++i) players.push(`0x${(base + BigInt(i)).toString(16).padStart(40, "0")}` as Address);
  await s.chain.rpcBatch("anvil_setBalance", players.map((p) => [p, `0x${ether("1").toString(16)}`]));
  await s.chain.rpcBatch("anvil_impersonateAccount", players.map((p) => [p]));
  return players;
}

function betTxn(lottery: Lottery, from: Address, value = kMinBet) {
  return { from, to: lottery.address, data: encodeFunctionData({ abi: lotteryAbi, functionName: "placeBet" }), value };
}

/// Selector-only calldata for a raw call to a fixture.
function encodeCall(signature: string): Hex {
  return keccak256(toHex(signature)).slice(0, 10) as Hex;
}
