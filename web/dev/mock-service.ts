// SPDX-License-Identifier: Apache-2.0
// DEV ONLY: a stand-in for `lottery serve` to try the UI (and the e2e script itself) before the
// C++ service is available. It is not the product and no test relies on it: it follows the
// contract with viem, serves a subset of the REST/WS API (SPEC §5/§6) with the same shapes, the
// built UI, and draws as the operator. Same environment variables as the service:
//
//   SERVER_PORT=6080 SERVER_STATIC_DIR=web/dist BLOCKCHAIN_RPC_URL=http://127.0.0.1:8545 \
//   BLOCKCHAIN_CONTRACT_ADDRESS=0x… BLOCKCHAIN_OPERATOR_PRIVATE_KEY=0x… \
//     node --import tsx web/dev/mock-service.ts serve
import { readFileSync, existsSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createPublicClient, createWalletClient, decodeEventLog, getAddress, http, type Abi, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
// `ws` comes with viem in the root node_modules; fine for a dev tool.
import { WebSocketServer, type WebSocket } from "ws";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const abi = JSON.parse(readFileSync(join(root, "contracts", "out", "Lottery.abi"), "utf8")) as Abi;
const env = process.env;
const port = Number(env.SERVER_PORT ?? 6080);
const host = env.SERVER_HOST ?? "127.0.0.1";
const staticDir = resolve(env.SERVER_STATIC_DIR ?? join(root, "web", "dist"));
const contract = getAddress(env.BLOCKCHAIN_CONTRACT_ADDRESS ?? "");
const rpcUrl = env.BLOCKCHAIN_RPC_URL ?? "http://127.0.0.1:8545";
const key = env.BLOCKCHAIN_OPERATOR_PRIVATE_KEY as Hex | undefined;
const startBlock = BigInt(env.EVENTMGR_START_BLOCK ?? "0");

const client = createPublicClient({ transport: http(rpcUrl) });
const operator = key ? privateKeyToAccount(key) : undefined;
const wallet = operator ? createWalletClient({ account: operator, transport: http(rpcUrl) }) : undefined;

const STATES = ["waiting", "betting", "drawing", "completed", "refunded"];
type Json = Record<string, unknown>;
interface Bet { player: Address; amount: bigint; newTotal: bigint }

let chainId = 0;
let chainTime = 0;
let lastBlock = startBlock > 0n ? startBlock - 1n : -1n;
let ready = false;
let round: Json = {};
let participants: Json = {};
let config: Json = { config: null, contract_address: contract, chain_id: 0, timestamp: 0 };
const history: Json[] = [];
const activities: Json[] = [];
const bets = new Map<number, Bet[]>();
let activityId = 0;
let drawing = false;
const clients = new Set<WebSocket>();

function send(type: string, payload: unknown): void {
  const text = JSON.stringify({ type, payload, timestamp: chainTime });
  for (const ws of clients) if (ws.readyState === 1) ws.send(text);
}

function snapshot(): string {
  return JSON.stringify({
    type: "snapshot",
    payload: {
      round,
      participants,
      history: { rounds: history.slice(0, 10), summary: summary() },
      activities: activities.slice(0, 20),
      config,
      operator: operatorStatus(),
    },
    timestamp: chainTime,
  });
}

function summary(): Json {
  const completed = history.filter((h) => h.event_type === "RoundCompleted").length;
  const volume = history.reduce((s, h) => s + BigInt(h.total_pot_wei as string), 0n);
  return { total_rounds: history.length, completed_rounds: completed, refunded_rounds: history.length - completed, total_volume_wei: volume.toString() };
}

function operatorStatus(): Json {
  return { status: operator ? "running" : "no_key", address: operator?.address ?? null, balance_wei: "0", pending_tx: null, low_balance: false };
}

type RoundTuple = { roundId: bigint; startTime: bigint; endTime: bigint; minDrawTime: bigint; maxDrawTime: bigint; totalPot: bigint; participantCount: bigint; winner: Address; publisherCommission: bigint; winnerPrize: bigint; state: number };

async function poll(): Promise<void> {
  const head = await client.getBlockNumber();
  if (BigInt(head) === lastBlock && ready) return;
  const block = await client.getBlock({ blockNumber: head });
  chainTime = Number(block.timestamp);
  if (!chainId) chainId = await client.getChainId();
  const r = (await client.readContract({ address: contract, abi, functionName: "getRound" })) as RoundTuple;
  const [players, amounts] = (await client.readContract({ address: contract, abi, functionName: "getParticipantsWithBets" })) as [Address[], bigint[]];
  const cfg = (await client.readContract({ address: contract, abi, functionName: "getConfig" })) as readonly [Address, Address, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const logs = await client.getLogs({ address: contract, fromBlock: lastBlock + 1n, toBlock: head });
  lastBlock = head;

  const newHistory: Json[] = [];
  for (const log of logs) {
    const ev = decodeEventLog({ abi, data: log.data, topics: log.topics }) as { eventName: string; args: Record<string, unknown> };
    const a = ev.args;
    const ts = Number(a.timestamp ?? chainTime);
    let message = ev.eventName;
    if (ev.eventName === "BetPlaced") {
      const id = Number(a.roundId);
      const list = bets.get(id) ?? [];
      list.push({ player: a.player as Address, amount: a.amount as bigint, newTotal: a.newTotal as bigint });
      bets.set(id, list);
      message = `${a.player as string} bet ${a.amount as bigint} wei in round ${id}`;
    } else if (ev.eventName === "RoundCompleted" || ev.eventName === "RoundRefunded") {
      const completed = ev.eventName === "RoundCompleted";
      const entry = {
        event_type: ev.eventName,
        round_id: Number(a.roundId),
        participant_count: Number(a.participantCount),
        total_pot_wei: String(completed ? a.totalPot : a.totalRefunded),
        finished_at: ts,
        winner: completed ? getAddress(a.winner as string) : null,
        winner_prize_wei: completed ? String(a.winnerPrize) : "0",
        publisher_commission_wei: completed ? String(a.publisherCommission) : "0",
        random_seed: completed ? `0x${(a.randomSeed as bigint).toString(16).padStart(64, "0")}` : null,
        refund_reason: completed ? null : (a.reason as string),
        tx_hash: log.transactionHash,
        block_number: Number(log.blockNumber),
      };
      history.unshift(entry);
      newHistory.push(entry);
      message = completed ? `Round ${entry.round_id} won by ${entry.winner}` : `Round ${entry.round_id} refunded`;
    }
    const activity = {
      activity_id: ++activityId,
      activity_type: ev.eventName,
      message,
      details: {},
      timestamp: ts,
      block_number: Number(log.blockNumber),
      tx_hash: log.transactionHash,
      final: true,
    };
    activities.unshift(activity);
    send("activity", activity);
  }

  const nextRound = {
    round_id: Number(r.roundId),
    state: r.state,
    state_name: STATES[r.state],
    state_label: STATES[r.state]!.toUpperCase(),
    start_time: Number(r.startTime),
    end_time: Number(r.endTime),
    min_draw_time: Number(r.minDrawTime),
    max_draw_time: Number(r.maxDrawTime),
    total_pot: r.totalPot.toString(),
    participant_count: Number(r.participantCount),
    winner: /^0x0+$/.test(r.winner) ? null : r.winner,
    publisher_commission: r.publisherCommission.toString(),
    winner_prize: r.winnerPrize.toString(),
    participants: players,
    chain_time: chainTime,
  };
  const list = players.map((p, i) => ({ address: p, totalAmountWei: (amounts[i] ?? 0n).toString() }));
  list.sort((x, y) => (BigInt(y.totalAmountWei) > BigInt(x.totalAmountWei) ? 1 : -1));
  const nextParticipants = {
    round_id: Number(r.roundId),
    round_state: STATES[r.state],
    participants: list,
    total_participants: list.length,
    total_amount_wei: amounts.reduce((s, v) => s + v, 0n).toString(),
    timestamp: chainTime,
  };
  const nextConfig = {
    config: {
      publisherAddr: cfg[0], operatorAddr: cfg[1], publisherCommission: Number(cfg[2]), minBet: cfg[3].toString(),
      bettingDuration: Number(cfg[4]), minDrawDelay: Number(cfg[5]), maxDrawDelay: Number(cfg[6]),
      minEndTimeExtension: Number(cfg[7]), minParticipants: Number(cfg[8]),
    },
    contract_address: contract,
    chain_id: chainId,
    timestamp: chainTime,
  };
  const changed = (a: Json, b: Json) => JSON.stringify({ ...a, chain_time: 0, timestamp: 0 }) !== JSON.stringify({ ...b, chain_time: 0, timestamp: 0 });
  if (changed(config, nextConfig)) send("config_update", nextConfig);
  if (changed(round, nextRound)) send("round_update", nextRound);
  if (changed(participants, nextParticipants)) send("participants_update", nextParticipants);
  if (newHistory.length) send("history_update", { rounds: newHistory.reverse(), summary: summary() });
  round = nextRound;
  participants = nextParticipants;
  config = nextConfig;
  ready = true;

  if (wallet && r.state === 1 && !drawing && chainTime >= Number(r.minDrawTime) && chainTime <= Number(r.maxDrawTime)) {
    drawing = true;
    try {
      const hash = await wallet.writeContract({ address: contract, abi, functionName: "drawWinner", chain: null });
      await client.waitForTransactionReceipt({ hash });
    } catch (err) {
      console.error("draw failed", err);
    } finally {
      drawing = false;
    }
  }
}

function verify(id: number): Json | undefined {
  const h = history.find((x) => x.round_id === id && x.event_type === "RoundCompleted");
  if (!h) return undefined;
  const seed = BigInt(h.random_seed as string);
  const pot = BigInt(h.total_pot_wei as string);
  const stakes = new Map<string, bigint>();
  for (const b of bets.get(id) ?? []) stakes.set(b.player, b.newTotal);
  let cumulative = 0n;
  let expected: string | null = null;
  const target = seed % pot;
  for (const [player, stake] of stakes) {
    cumulative += stake;
    if (cumulative > target) {
      expected = player;
      break;
    }
  }
  return { round_id: id, random_seed: h.random_seed, total_pot_wei: h.total_pot_wei, expected_winner: expected, onchain_winner: h.winner, match: expected !== null && expected.toLowerCase() === String(h.winner).toLowerCase(), bets_complete: true };
}

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png" };

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://x");
  const p = url.pathname;
  if (p === "/api/ready") return json(res, ready ? 200 : 503, { ready });
  if (p === "/api/health" || p === "/health") return json(res, 200, { status: "ok", components: { operator: operatorStatus() } });
  if (p === "/api/round/status") return json(res, 200, round);
  if (p === "/api/round/participants") return json(res, 200, participants);
  if (p === "/api/history") return json(res, 200, { rounds: history.slice(0, Number(url.searchParams.get("limit") ?? 50)), summary: summary(), timestamp: chainTime });
  if (p === "/api/activities") return json(res, 200, { activities: activities.slice(0, Number(url.searchParams.get("limit") ?? 50)) });
  if (p === "/api/contract/config") return json(res, 200, config);
  const v = /^\/api\/verify\/(\d+)$/.exec(p);
  if (v) {
    const result = verify(Number(v[1]));
    return result ? json(res, 200, result) : json(res, 404, { error: "not_found", message: "unknown round" });
  }
  if (p === "/api/attestation") {
    return json(res, 200, {
      attestation_document: Buffer.from("mock").toString("base64"),
      pcrs: { 0: "00".repeat(48), 1: "00".repeat(48), 2: "00".repeat(48) },
      user_data: { operator_address: operator?.address ?? null },
      public_key: `04${"ab".repeat(96)}`,
      nonce: url.searchParams.get("nonce") ?? "",
      dev: true,
    });
  }
  if (p.startsWith("/api/")) return json(res, 404, { error: "not_found", message: "no such route" });
  let file = normalize(join(staticDir, p));
  if (!file.startsWith(staticDir) || !existsSync(file) || statSync(file).isDirectory()) file = join(staticDir, "index.html");
  res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
  res.end(readFileSync(file));
}

const server = createServer(handle);
const wss = new WebSocketServer({ noServer: true });
server.on("upgrade", (req, socket, head) => {
  if (!req.url?.startsWith("/ws")) return socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => {
    clients.add(ws);
    ws.send(snapshot());
    ws.on("message", (data) => {
      try {
        if (JSON.parse(String(data)).type === "ping") ws.send(JSON.stringify({ type: "pong" }));
      } catch {
        // ignore
      }
    });
    ws.on("close", () => clients.delete(ws));
  });
});

let polling = false;
setInterval(() => {
  if (polling) return;
  polling = true;
  poll()
    .catch((err) => console.error("poll failed:", err instanceof Error ? err.message : err))
    .finally(() => (polling = false));
}, 1000);
server.listen(port, host, () => console.log(`mock service on http://${host}:${port} (contract ${contract})`));
const shutdown = () => {
  for (const ws of clients) ws.terminate();
  server.close();
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
