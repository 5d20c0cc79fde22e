// SPDX-License-Identifier: Apache-2.0
import { ContractFunctionExecutionError, ContractFunctionRevertedError, UserRejectedRequestError, parseAbi, encodeErrorResult } from "viem";
import { describe, expect, it } from "vitest";
import { addChainParams, ErrorCode, hexChainId, parseChainId, providerErrorCode, switchToChain, walletErrorMessage, type Eip1193Provider } from "../src/lib/wallet";

function providerError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { code });
}

describe("walletErrorMessage", () => {
  it("explains a rejected request, raw or wrapped by viem", () => {
    expect(walletErrorMessage(providerError(4001, "User denied"))).toBe("You rejected the request in your wallet.");
    const wrapped = new UserRejectedRequestError(providerError(4001, "User denied transaction signature"));
    expect(providerErrorCode(wrapped)).toBe(4001);
    expect(walletErrorMessage(wrapped)).toBe("You rejected the request in your wallet.");
  });

  it("explains pending requests and unknown chains", () => {
    expect(walletErrorMessage(providerError(-32002, "already pending"))).toMatch(/already has a request open/);
    expect(walletErrorMessage(providerError(4902, "Unrecognized chain"))).toMatch(/does not know this network/);
  });

  it("shows the contract's revert reason from a viem error", () => {
    const abi = parseAbi(["function placeBet() payable", "error Error(string)"]);
    const data = encodeErrorResult({ abi, errorName: "Error", args: ["Bet below minimum"] });
    const revert = new ContractFunctionRevertedError({ abi, data, functionName: "placeBet" });
    expect(revert.reason).toBe("Bet below minimum");
    const err = new ContractFunctionExecutionError(revert, { abi, functionName: "placeBet", args: [] });
    expect(walletErrorMessage(err)).toBe("The contract refused the bet: Bet below minimum.");
  });

  it("finds a revert reason in a node's message", () => {
    expect(walletErrorMessage(providerError(3, "execution reverted: Betting closed"))).toBe(
      "The contract refused the bet: Betting closed.",
    );
    expect(walletErrorMessage({ message: "insufficient funds for gas * price + value" })).toMatch(/balance is too low/);
  });

  it("falls back to the error's own text", () => {
    expect(walletErrorMessage(new Error("network down"))).toBe("network down");
    expect(walletErrorMessage("plain")).toBe("plain");
    expect(walletErrorMessage(undefined)).toBe("The wallet request failed.");
  });
});

describe("chain helpers", () => {
  it("formats and parses chain ids", () => {
    expect(hexChainId(31337)).toBe("0x7a69");
    expect(parseChainId("0x7a69")).toBe(31337);
    expect(parseChainId(1)).toBe(1);
    expect(parseChainId("zz")).toBeUndefined();
    expect(parseChainId(null)).toBeUndefined();
  });

  it("builds wallet_addEthereumChain parameters", () => {
    expect(addChainParams(31337)).toMatchObject({ chainId: "0x7a69", rpcUrls: ["http://127.0.0.1:8545"], nativeCurrency: { decimals: 18 } });
    expect(addChainParams(31337, "http://node:8545").rpcUrls).toEqual(["http://node:8545"]);
    expect(addChainParams(999)).toMatchObject({ chainId: "0x3e7", chainName: "Chain 999", rpcUrls: [] });
  });
});

describe("switchToChain", () => {
  function fakeProvider(known: Set<string>, calls: string[]): Eip1193Provider {
    return {
      async request({ method, params }) {
        calls.push(method);
        const arg = (params as [{ chainId: string }])[0];
        if (method === "wallet_switchEthereumChain") {
          if (!known.has(arg.chainId)) throw providerError(ErrorCode.unknownChain, "Unrecognized chain ID");
          return null;
        }
        if (method === "wallet_addEthereumChain") {
          known.add(arg.chainId);
          return null;
        }
        throw new Error(`unexpected ${method}`);
      },
    };
  }

  it("switches when the wallet knows the chain", async () => {
    const calls: string[] = [];
    await switchToChain(fakeProvider(new Set(["0x7a69"]), calls), 31337);
    expect(calls).toEqual(["wallet_switchEthereumChain"]);
  });

  it("adds the chain when the wallet does not know it", async () => {
    const calls: string[] = [];
    const known = new Set<string>();
    await switchToChain(fakeProvider(known, calls), 31337);
    expect(calls).toEqual(["wallet_switchEthereumChain", "wallet_addEthereumChain"]);
    expect(known.has("0x7a69")).toBe(true);
  });

  it("passes other errors (a rejection) through", async () => {
    const provider: Eip1193Provider = {
      request: async () => {
        throw providerError(4001, "User rejected");
      },
    };
    await expect(switchToChain(provider, 1)).rejects.toMatchObject({ code: 4001 });
  });
});
