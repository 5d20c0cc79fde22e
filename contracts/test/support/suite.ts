// SPDX-License-Identifier: Apache-2.0
// One Anvil per test file: started in `before`, stopped by PID in `after`. Each test deploys its own
// Lottery, so tests never share contract state.
import { after, before } from "node:test";
import { getAddress, type Address } from "viem";
import { startAnvil, type AnvilInstance, type AnvilOptions } from "./anvil.ts";
import { Chain, Lottery } from "./chain.ts";

export interface Suite {
  anvil: AnvilInstance;
  chain: Chain;
  /// accounts[0]: deployer = publisher; accounts[1]: operator (set by `deployLottery`); rest: players.
  accounts: Address[];
  publisher: Address;
  operator: Address;
  players: Address[];
}

export function useSuite(options: AnvilOptions = {}): Suite {
  const suite = {} as Suite;
  before(async () => {
    suite.anvil = await startAnvil({ accounts: 20, ...options });
    suite.chain = new Chain(suite.anvil.rpcUrl);
    suite.accounts = (await suite.chain.accounts()).map((a) => getAddress(a));
    suite.publisher = suite.accounts[0];
    suite.operator = suite.accounts[1];
    suite.players = suite.accounts.slice(2);
  });
  after(async () => {
    await suite.anvil?.stop();
  });
  return suite;
}

/// Deploys a Lottery (commission 5% unless given) and hands the operator role to accounts[1].
export async function deployLottery(s: Suite, commissionRate = 500n): Promise<Lottery> {
  const lottery = await Lottery.deploy(s.chain, s.publisher, commissionRate);
  await lottery.write(s.publisher, "setOperator", [s.operator]);
  return lottery;
}

/// A timestamp comfortably after the latest block, to schedule the next transactions exactly.
export async function nextTime(s: Suite, ahead = 100n): Promise<bigint> {
  return (await s.chain.latestTimestamp()) + ahead;
}
