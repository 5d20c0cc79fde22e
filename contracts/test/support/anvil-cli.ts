// SPDX-License-Identifier: Apache-2.0
// Starts a throw-away Anvil (optionally with the Lottery deployed), prints ONE JSON line on stdout
// and keeps running until SIGTERM/SIGINT or until its stdin closes; then it stops Anvil by PID.
//
//   node --import tsx contracts/test/support/anvil-cli.ts [--chain-id 31337] [--block-time 1]
//        [--deploy] [--commission 500] [--operator-index 1] [--timestamp N]
//
// Output: {"rpcUrl","wsUrl","port","pid" (Anvil's),"cliPid","chainId","accounts":[…],"privateKeys":[…],
//          "contract"?: {"address","deployer","operator","blockNumber",…}}
// A parent (e.g. a C++ integration test) reads that line, uses the node, and ends the run by
// sending SIGTERM to cliPid (or by closing the pipe to its stdin).
import { parseArgs } from "node:util";
import type { Address, Hex } from "viem";
import { deployLottery } from "../../deploy.ts";
import { startAnvil } from "./anvil.ts";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "chain-id": { type: "string" },
      "block-time": { type: "string" },
      timestamp: { type: "string" },
      deploy: { type: "boolean" },
      commission: { type: "string" },
      "operator-index": { type: "string" },
    },
  });
  const anvil = await startAnvil({
    chainId: values["chain-id"] ? Number(values["chain-id"]) : undefined,
    blockTime: values["block-time"] ? Number(values["block-time"]) : undefined,
    timestamp: values.timestamp ? Number(values.timestamp) : undefined,
  });
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await anvil.stop();
    process.exit(code);
  };
  process.on("SIGTERM", () => void shutdown(0));
  process.on("SIGINT", () => void shutdown(0));

  try {
    let contract: Awaited<ReturnType<typeof deployLottery>> | undefined;
    if (values.deploy) {
      const operatorIndex = values["operator-index"] ? Number(values["operator-index"]) : 1;
      contract = await deployLottery({
        rpcUrl: anvil.rpcUrl,
        privateKey: anvil.privateKeys[0] as Hex,
        commissionRate: values.commission ? BigInt(values.commission) : 500n,
        operator: anvil.accounts[operatorIndex] as Address,
      });
    }
    process.stdout.write(
      JSON.stringify({
        rpcUrl: anvil.rpcUrl,
        wsUrl: anvil.wsUrl,
        port: anvil.port,
        pid: anvil.pid,
        cliPid: process.pid,
        chainId: anvil.chainId,
        accounts: anvil.accounts,
        privateKeys: anvil.privateKeys,
        contract,
      }) + "\n",
    );
  } catch (err) {
    process.stderr.write(`anvil-cli: ${err instanceof Error ? err.message : String(err)}\n`);
    await shutdown(1);
    return;
  }
  process.stdin.on("end", () => void shutdown(0));
  process.stdin.on("error", () => void shutdown(0));
  process.stdin.resume();
}

void main();
