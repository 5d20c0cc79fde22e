// SPDX-License-Identifier: Apache-2.0
// Many real draws: every on-chain winner equals the off-chain recomputation from the emitted seed
// (and the seed equals the documented hash of the block's values), and each player's win frequency
// stays within a statistical tolerance of its stake share.
import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeFunctionData, encodePacked, keccak256, type Address, type Hex } from "viem";
import { decodeLogs, ether, expectedWinner, lotteryAbi } from "./support/chain.ts";
import { deployLottery, nextTime, useSuite } from "./support/suite.ts";

const s = useSuite();
const kRounds = 400;

test(`winner weighting over ${kRounds} draws`, { timeout: 120_000 }, async () => {
  const lottery = await deployLottery(s, 500n);
  await lottery.write(s.operator, "updateBettingDuration", [10n]);
  await lottery.write(s.operator, "updateMinParticipants", [4n]);
  const unit = ether("0.002");
  const players = s.players.slice(0, 4);
  const weights = [1n, 2n, 3n, 4n];
  const wins = new Map<Address, number>(players.map((p) => [p, 0]));
  const placeBet = encodeFunctionData({ abi: lotteryAbi, functionName: "placeBet" });
  const drawWinner = encodeFunctionData({ abi: lotteryAbi, functionName: "drawWinner" });

  // Manual mining: a round is two blocks (all bets, then the draw), which keeps 400 rounds fast.
  await s.chain.rpc("evm_setAutomine", [false]);
  try {
    let t = await nextTime(s);
    for (let round = 1; round <= kRounds; ++round) {
      // Rotate the first-bet order so the cumulative walk sees every arrangement; the last player
      // bets twice to exercise summed stakes.
      const order = players.map((_, i) => (i + round) % players.length);
      const betHashes: Hex[] = [];
      for (const [k, idx] of order.entries()) {
        const stake = unit * weights[idx];
        const parts = k === order.length - 1 ? [stake / 2n, stake - stake / 2n] : [stake];
        for (const part of parts) {
          betHashes.push(await s.chain.sendQueued(players[idx], lottery.address, placeBet, part, 300_000n));
        }
      }
      await s.chain.mine(t);
      for (const h of betHashes) assert.equal((await s.chain.receipt(h)).status, "0x1", `bet in round ${round}`);
      t += 10n + 5n;
      const drawHash = await s.chain.sendQueued(s.operator, lottery.address, drawWinner, 0n, 1_000_000n);
      await s.chain.mine(t);
      t += 1n;
      const receipt = await s.chain.receipt(drawHash);
      assert.equal(receipt.status, "0x1", `draw of round ${round}`);
      const done = decodeLogs(receipt.logs).find((e) => e.eventName === "RoundCompleted");
      assert.ok(done, `round ${round} completed`);
      const seed = done.args.randomSeed as bigint;
      const pot = done.args.totalPot as bigint;
      assert.equal(done.args.roundId, BigInt(round));
      assert.equal(pot, unit * 10n);
      const block = await s.chain.rpc<{ timestamp: Hex; mixHash: Hex; number: Hex }>("eth_getBlockByNumber", [
        receipt.blockNumber,
        false,
      ]);
      const recomputedSeed = BigInt(
        keccak256(
          encodePacked(
            ["uint256", "uint256", "uint256", "uint256", "uint256"],
            [BigInt(block.timestamp), BigInt(block.mixHash), BigInt(block.number), BigInt(round), pot],
          ),
        ),
      );
      assert.equal(seed, recomputedSeed, `seed of round ${round}`);
      const ordered = order.map((i) => players[i]);
      const stakes = order.map((i) => unit * weights[i]);
      const winner = done.args.winner as Address;
      assert.equal(winner, expectedWinner(seed, ordered, stakes), `winner of round ${round}`);
      wins.set(winner, wins.get(winner)! + 1);
    }
  } finally {
    await s.chain.rpc("evm_setAutomine", [true]);
  }

  // Each count is binomial(n, p); 4.5 standard deviations keeps false alarms below 1 in 10^4 runs
  // for the four players together while still catching a wrong weighting (uniform picks would be
  // 10 sigma off for the 10% player at this n).
  const totalWeight = 10;
  for (const [i, p] of players.entries()) {
    const share = Number(weights[i]) / totalWeight;
    const freq = wins.get(p)! / kRounds;
    const sigma = Math.sqrt((share * (1 - share)) / kRounds);
    assert.ok(
      Math.abs(freq - share) <= 4.5 * sigma,
      `player ${i} won ${wins.get(p)} of ${kRounds} (${freq.toFixed(3)}), stake share ${share} ± ${(4.5 * sigma).toFixed(3)}`,
    );
  }
  console.log(`wins by stake share 10/20/30/40%: ${players.map((p) => wins.get(p)).join("/")} of ${kRounds}`);
  const last = await lottery.getLastRound();
  assert.equal(last.roundId, BigInt(kRounds));
  assert.equal(await lottery.pending(s.publisher), BigInt(kRounds) * ((unit * 10n * 500n) / 10000n));
});
