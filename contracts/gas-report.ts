// SPDX-License-Identifier: Apache-2.0
// Measures the gas of placeBet, drawWinner and the refunds at 2, 50 and the cap (500) of
// participants on a fresh Anvil, and prints a Markdown section. With --write it replaces the
// "## Contract gas" section of docs/benchmarks.md (creating the file if needed).
//
//   node --import tsx contracts/gas-report.ts [--write]
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeDeployData, encodeFunctionData, getAddress, type Address } from "viem";
import { startAnvil } from "./test/support/anvil.ts";
import { Chain, ether, Lottery, lotteryAbi } from "./test/support/chain.ts";
import { fixtureArtifacts } from "./test/support/fixtures.ts";

const kSizes = [2, 50, 500];
const kMinBet = ether("0.001");
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

let addressCounter = 0n;
async function freshPlayers(chain: Chain, n: number): Promise<Address[]> {
  const out: Address[] = [];
  for (let i = 0; i < n; ++i) {
    addressCounter += 1n;
    out.push(`0x${(0x9a5000000000n + addressCounter).toString(16).padStart(40, "0")}` as Address);
  }
  await chain.rpcBatch("anvil_setBalance", out.map((p) => [p, `0x${ether("10").toString(16)}`]));
  await chain.rpcBatch("anvil_impersonateAccount", out.map((p) => [p]));
  return out;
}

interface Row {
  participants: number;
  firstBet: bigint;
  newPlayerBet: bigint;
  repeatBet: bigint;
  draw: bigint;
  drawLastWins: bigint;
  refundRound: bigint;
  refundExpired: bigint;
  /// `continueRefund` for the stakes beyond the first batch (0 when one batch was enough).
  continueRefund: bigint;
}

async function main(): Promise<void> {
  const write = process.argv.includes("--write");
  const anvil = await startAnvil({ accounts: 3 });
  try {
    const chain = new Chain(anvil.rpcUrl);
    const [publisher] = await chain.accounts();
    const rows: Row[] = [];

    /// A round with n participants betting the minimum; returns the gas of the bets.
    async function fill(lottery: Lottery, players: Address[], lastStake = kMinBet) {
      const t = (await chain.latestTimestamp()) + 10n;
      const first = await lottery.bet(players[0], kMinBet, t);
      const placeBet = encodeFunctionData({ abi: lotteryAbi, functionName: "placeBet" });
      const receipts = await chain.bulk(
        players.slice(1).map((p, i) => ({
          from: p,
          to: lottery.address,
          data: placeBet,
          value: i === players.length - 2 ? lastStake : kMinBet,
        })),
      );
      // the last new participant: the most expensive position (largest list index)
      const newPlayer = BigInt(receipts[receipts.length - 1].gasUsed);
      const repeat = await lottery.bet(players[0], kMinBet);
      return { start: t, first: first.gasUsed, newPlayer, repeat: repeat.gasUsed };
    }

    for (const n of kSizes) {
      const row = { participants: n } as Row;
      // draw with equal stakes
      {
        const lottery = await Lottery.deploy(chain, publisher, 500n);
        const b = await fill(lottery, await freshPlayers(chain, n));
        Object.assign(row, { firstBet: b.first, newPlayerBet: b.newPlayer, repeatBet: b.repeat });
        row.draw = (await lottery.write(publisher, "drawWinner", [], { at: b.start + 185n })).gasUsed;
      }
      // draw where the walk almost surely runs to the last participant (it holds ~all the stake)
      {
        const lottery = await Lottery.deploy(chain, publisher, 500n);
        const b = await fill(lottery, await freshPlayers(chain, n), ether("5"));
        row.drawLastWins = (await lottery.write(publisher, "drawWinner", [], { at: b.start + 185n })).gasUsed;
      }
      {
        const lottery = await Lottery.deploy(chain, publisher, 500n);
        const b = await fill(lottery, await freshPlayers(chain, n));
        row.refundRound = (await lottery.write(publisher, "refundRound", [], { at: b.start + 200n })).gasUsed;
        const progress = await lottery.read<bigint>("refundProgress", [1n]);
        row.continueRefund = 0n;
        if (progress < BigInt(n)) {
          row.continueRefund = (await lottery.write(publisher, "continueRefund", [1n])).gasUsed;
        }
      }
      {
        const lottery = await Lottery.deploy(chain, publisher, 500n);
        const b = await fill(lottery, await freshPlayers(chain, n));
        row.refundExpired = (await lottery.write(publisher, "refundExpiredRound", [], { at: b.start + 361n })).gasUsed;
      }
      rows.push(row);
      process.stderr.write(`measured ${n} participants\n`);
    }

    // Worst case: a full refund batch of contracts that burn their whole payment stipend and then
    // need a fresh pendingWithdrawals slot each.
    let hostileRefund = 0n;
    {
      const lottery = await Lottery.deploy(chain, publisher, 500n);
      const art = fixtureArtifacts().GasBurningPlayer;
      const deployData = encodeDeployData({ abi: art.abi, bytecode: art.bytecode, args: [lottery.address] });
      const deployed = await chain.bulk(Array.from({ length: 250 }, () => ({ from: publisher, to: null, data: deployData })));
      const bet = encodeFunctionData({ abi: art.abi, functionName: "bet" });
      await chain.bulk(
        deployed.map((d) => ({ from: publisher, to: getAddress(d.contractAddress!), data: bet, value: kMinBet })),
        (await chain.latestTimestamp()) + 10n,
      );
      const round = await lottery.getRound();
      hostileRefund = (await lottery.write(publisher, "refundExpiredRound", [], { at: round.maxDrawTime + 1n })).gasUsed;
    }

    // Single-participant paths and withdraw.
    const lottery = await Lottery.deploy(chain, publisher, 500n);
    const [solo] = await freshPlayers(chain, 1);
    const t = (await chain.latestTimestamp()) + 10n;
    await lottery.bet(solo, kMinBet, t);
    const insufficient = (await lottery.write(publisher, "drawWinner", [], { at: t + 185n })).gasUsed;
    const startRound = (await lottery.write(publisher, "startRound")).gasUsed;
    const closeEmpty = (await lottery.write(publisher, "refundExpiredRound", [], { at: (await lottery.getRound()).endTime + 1n })).gasUsed;
    const two = await freshPlayers(chain, 2);
    const t2 = (await chain.latestTimestamp()) + 10n;
    await lottery.bet(two[0], kMinBet, t2);
    await lottery.bet(two[1], kMinBet, t2 + 1n);
    await lottery.write(publisher, "drawWinner", [], { at: t2 + 185n });
    const withdraw = (await lottery.write(publisher, "withdraw")).gasUsed;

    const fmt = (g: bigint) => g.toLocaleString("en-US");
    const lines = [
      "## Contract gas",
      "",
      "Gas used by `contracts/Lottery.sol` (solc 0.8.28, optimizer 200 runs, evmVersion cancun) on Anvil 1.7.1,",
      "players are funded EOAs betting the minimum (0.001 ETH). Regenerate with:",
      "",
      "```",
      "node --import tsx contracts/gas-report.ts --write",
      "```",
      "",
      "| participants | first bet (starts round) | bet by a new participant | repeat bet | `drawWinner` (equal stakes) | `drawWinner` (last participant wins) | `refundRound` | `refundExpiredRound` | `continueRefund` |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...rows.map(
        (r) =>
          `| ${r.participants} | ${fmt(r.firstBet)} | ${fmt(r.newPlayerBet)} | ${fmt(r.repeatBet)} | ${fmt(r.draw)} | ${fmt(r.drawLastWins)} | ${fmt(r.refundRound)} | ${fmt(r.refundExpired)} | ${r.continueRefund ? fmt(r.continueRefund) : "—"} |`,
      ),
      "",
      "| other path | gas |",
      "|---|---:|",
      `| \`drawWinner\` with 1 participant (refund: insufficient participants) | ${fmt(insufficient)} |`,
      `| \`startRound\` | ${fmt(startRound)} |`,
      `| \`refundExpiredRound\` closing an empty round after \`endTime\` | ${fmt(closeEmpty)} |`,
      `| \`withdraw\` (publisher commission) | ${fmt(withdraw)} |`,
      `| \`refundExpiredRound\` batch of 250 contracts that burn their whole stipend and must be credited (worst case) | ${fmt(hostileRefund)} |`,
      "",
      "Every loop is bounded: the draw walk and the views by `maxParticipants` (default and hard limit 500),",
      "the refund payments by `REFUND_BATCH_SIZE` (250) per transaction. With 500 participants the refund",
      "transaction returns 250 stakes and `continueRefund(roundId)` the other 250. The worst case above",
      "stays under the EIP-7825 per-transaction cap of 16,777,216 gas. \"Bet by a new participant\" is the",
      "cost for the last new player to join (the player's list slot and stake); repeat bets only update the",
      "stake and the pot. The draw's cost depends on where the winner sits in first-bet order (the walk stops",
      "there); the \"last participant wins\" column is the upper bound.",
      "",
    ];
    const section = lines.join("\n");
    process.stdout.write(section);
    if (write) {
      const path = join(repoRoot, "docs", "benchmarks.md");
      let doc = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmarks\n\n";
      const start = doc.indexOf("## Contract gas");
      if (start >= 0) {
        const rest = doc.slice(start + 1);
        const next = rest.search(/^## /m);
        const end = next >= 0 ? start + 1 + next : doc.length;
        doc = doc.slice(0, start) + section + (end < doc.length ? "\n" + doc.slice(end) : "");
      } else {
        doc = doc.replace(/\n*$/, "\n\n") + section;
      }
      writeFileSync(path, doc);
      process.stderr.write(`updated ${path}\n`);
    }
  } finally {
    await anvil.stop();
  }
}

await main();
