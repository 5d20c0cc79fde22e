// SPDX-License-Identifier: Apache-2.0
// The committed artifacts are what a fresh compile produces, and the ABI keeps the external
// interface of SPEC §2 exactly (clients bind to these signatures).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { toEventSignature, toFunctionSignature, type AbiEvent, type AbiFunction } from "viem";
// @ts-expect-error -- plain ESM build script without type declarations
import { compile } from "../build.mjs";
import { lotteryAbi } from "./support/chain.ts";

const outDir = join(dirname(fileURLToPath(import.meta.url)), "..", "out");

test("a fresh compile reproduces contracts/out byte for byte", () => {
  const built = compile() as { abi: string; bin: string };
  assert.equal(built.abi, readFileSync(join(outDir, "Lottery.abi"), "utf8"), "Lottery.abi is stale: npm run contracts:build");
  assert.equal(built.bin, readFileSync(join(outDir, "Lottery.bin"), "utf8"), "Lottery.bin is stale: npm run contracts:build");
  assert.match(built.bin, /^[0-9a-f]+\n$/);
});

const functions = new Map(
  lotteryAbi.filter((x): x is AbiFunction => x.type === "function").map((f) => [toFunctionSignature(f), f]),
);
const events = new Map(
  lotteryAbi.filter((x): x is AbiEvent => x.type === "event").map((e) => [e.name, e]),
);

const kRoundTuple =
  "(uint256,uint256,uint256,uint256,uint256,uint256,uint256,address,uint256,uint256,uint8)";

// [signature, stateMutability, output types]
const kFunctions: [string, string, string[]][] = [
  ["setOperator(address)", "nonpayable", []],
  ["updateMinBetAmount(uint256)", "nonpayable", []],
  ["updateBettingDuration(uint256)", "nonpayable", []],
  ["updateMinParticipants(uint256)", "nonpayable", []],
  ["updateMaxParticipants(uint256)", "nonpayable", []],
  ["startRound()", "nonpayable", []],
  ["extendBettingTime(uint256)", "nonpayable", []],
  ["refundRound()", "nonpayable", []],
  ["drawWinner()", "nonpayable", []],
  ["placeBet()", "payable", []],
  ["refundExpiredRound()", "nonpayable", []],
  ["withdraw()", "nonpayable", []],
  ["continueRefund(uint256)", "nonpayable", []],
  ["refundProgress(uint256)", "view", ["uint256"]],
  ["MAX_PARTICIPANTS_LIMIT()", "view", ["uint256"]],
  ["REFUND_BATCH_SIZE()", "view", ["uint256"]],
  ["getMinBetAmount()", "view", ["uint256"]],
  ["getRound()", "view", [kRoundTuple]],
  ["getLastRound()", "view", [kRoundTuple]],
  ["getRoundById(uint256)", "view", [kRoundTuple]],
  ["getParticipants()", "view", ["address[]"]],
  ["getParticipantsWithBets()", "view", ["address[]", "uint256[]"]],
  ["getRoundParticipantsWithBets(uint256)", "view", ["address[]", "uint256[]"]],
  ["getBetAmount(address)", "view", ["uint256"]],
  [
    "getConfig()",
    "view",
    ["address", "address", "uint256", "uint256", "uint256", "uint256", "uint256", "uint256", "uint256"],
  ],
  ["PUBLISHER()", "view", ["address"]],
  ["PUBLISHER_COMMISSION_RATE()", "view", ["uint256"]],
  ["operator()", "view", ["address"]],
  ["minBetAmount()", "view", ["uint256"]],
  ["bettingDuration()", "view", ["uint256"]],
  ["minDrawDelayAfterEnd()", "view", ["uint256"]],
  ["maxDrawDelayAfterEnd()", "view", ["uint256"]],
  ["minEndTimeExtension()", "view", ["uint256"]],
  ["minParticipants()", "view", ["uint256"]],
  ["maxParticipants()", "view", ["uint256"]],
  [
    "round()",
    "view",
    ["uint256", "uint256", "uint256", "uint256", "uint256", "uint256", "uint256", "address", "uint256", "uint256", "uint8"],
  ],
  ["bets(address)", "view", ["uint256"]],
  ["participants(uint256)", "view", ["address"]],
  ["pendingWithdrawals(address)", "view", ["uint256"]],
];

function typeOf(p: { type: string; components?: readonly { type: string }[] }): string {
  return p.type === "tuple" ? `(${p.components!.map(typeOf).join(",")})` : p.type;
}

test("every SPEC §2 function exists with its exact signature, mutability and outputs", () => {
  for (const [sig, mutability, outputs] of kFunctions) {
    const f = functions.get(sig);
    assert.ok(f, `missing function ${sig}`);
    assert.equal(f.stateMutability, mutability, sig);
    assert.deepEqual(f.outputs.map(typeOf), outputs, `outputs of ${sig}`);
  }
});

test("getRound() names the struct fields in SPEC order and getConfig() names its outputs", () => {
  const names = functions.get("getRound()")!.outputs[0] as { components: readonly { name?: string }[] };
  assert.deepEqual(
    names.components.map((c) => c.name),
    ["roundId", "startTime", "endTime", "minDrawTime", "maxDrawTime", "totalPot", "participantCount", "winner",
      "publisherCommission", "winnerPrize", "state"],
  );
  assert.deepEqual(
    functions.get("getConfig()")!.outputs.map((o) => o.name),
    ["publisherAddr", "operatorAddr", "publisherCommission", "minBet", "bettingDur", "minDrawDelay", "maxDrawDelay",
      "minEndTimeExt", "minPart"],
  );
  assert.deepEqual(
    functions.get("getParticipantsWithBets()")!.outputs.map((o) => o.name),
    ["players", "amounts"],
  );
});

// Full event signatures with indexed flags, as clients decode them.
const kEvents: [string, string][] = [
  ["RoundCreated", "event RoundCreated(uint256 indexed roundId, uint256 startTime, uint256 endTime, uint256 minDrawTime, uint256 maxDrawTime, uint256 timestamp)"],
  ["BetPlaced", "event BetPlaced(uint256 indexed roundId, address indexed player, uint256 amount, uint256 newTotal, uint256 timestamp)"],
  ["EndTimeExtended", "event EndTimeExtended(uint256 indexed roundId, uint256 oldEndTime, uint256 newEndTime, uint256 timestamp)"],
  ["RoundStateChanged", "event RoundStateChanged(uint256 indexed roundId, uint8 oldState, uint8 newState, uint256 timestamp)"],
  ["RoundCompleted", "event RoundCompleted(uint256 indexed roundId, address indexed winner, uint256 totalPot, uint256 participantCount, uint256 winnerPrize, uint256 publisherCommission, uint256 randomSeed, uint256 timestamp)"],
  ["RoundRefunded", "event RoundRefunded(uint256 indexed roundId, uint256 totalRefunded, uint256 participantCount, string reason, uint256 timestamp)"],
  ["MinBetAmountUpdated", "event MinBetAmountUpdated(uint256 oldAmount, uint256 newAmount, uint256 timestamp)"],
  ["BettingDurationUpdated", "event BettingDurationUpdated(uint256 oldDuration, uint256 newDuration, uint256 timestamp)"],
  ["MinParticipantsUpdated", "event MinParticipantsUpdated(uint256 oldMinParticipants, uint256 newMinParticipants, uint256 timestamp)"],
  ["MaxParticipantsUpdated", "event MaxParticipantsUpdated(uint256 oldMaxParticipants, uint256 newMaxParticipants, uint256 timestamp)"],
  ["OperatorUpdated", "event OperatorUpdated(address indexed oldOperator, address indexed newOperator, uint256 timestamp)"],
  ["Withdrawn", "event Withdrawn(address indexed to, uint256 amount, uint256 timestamp)"],
  ["WithdrawalCredited", "event WithdrawalCredited(address indexed to, uint256 amount, uint256 timestamp)"],
  ["RefundsPending", "event RefundsPending(uint256 indexed roundId, uint256 refunded, uint256 remaining, uint256 timestamp)"],
];

function fullEventSignature(e: AbiEvent): string {
  const params = e.inputs.map((i) => `${i.type}${i.indexed ? " indexed" : ""} ${i.name}`).join(", ");
  return `event ${e.name}(${params})`;
}

test("every event has its exact signature and indexed fields", () => {
  for (const [name, full] of kEvents) {
    const e = events.get(name);
    assert.ok(e, `missing event ${name}`);
    assert.equal(fullEventSignature(e), full);
    assert.equal(e.inputs.at(-1)?.name, "timestamp", `${name} ends with timestamp`);
  }
  assert.equal(events.size, kEvents.length, "no undocumented events");
  // The canonical form (topic0 preimage) drops names and `indexed`.
  assert.equal(toEventSignature(events.get("RoundStateChanged")!), "RoundStateChanged(uint256,uint8,uint8,uint256)");
  assert.equal(
    toEventSignature(events.get("RoundCompleted")!),
    "RoundCompleted(uint256,address,uint256,uint256,uint256,uint256,uint256,uint256)",
  );
});
