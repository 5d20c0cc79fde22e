// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from "vitest";
import { formatEth, parseEth, parseWei, percentOf, validateBet, WEI_PER_ETH } from "../src/lib/wei";

describe("parseEth", () => {
  const ok: [string, bigint][] = [
    ["1", 1_000_000_000_000_000_000n],
    ["0.001", 1_000_000_000_000_000n],
    ["0.1", 100_000_000_000_000_000n],
    [".5", 500_000_000_000_000_000n],
    ["2.", 2_000_000_000_000_000_000n],
    ["  0.01  ", 10_000_000_000_000_000n],
    ["0.000000000000000001", 1n],
    ["123456789.123456789123456789", 123456789123456789123456789n],
    ["0", 0n],
    ["00.10", 100_000_000_000_000_000n],
    // More than 2^53 wei: exact, where a float would round.
    ["9007.199254740993", 9_007_199_254_740_993_000_000n],
  ];
  it.each(ok)("parses %j exactly", (text, wei) => {
    expect(parseEth(text)).toEqual({ ok: true, wei });
  });

  const bad: [string, RegExp][] = [
    ["", /Enter an amount/],
    ["   ", /Enter an amount/],
    ["-1", /plain decimal/],
    ["1e18", /plain decimal/],
    ["1,5", /plain decimal/],
    ["0x10", /plain decimal/],
    [".", /plain decimal/],
    ["1.2.3", /plain decimal/],
    ["abc", /plain decimal/],
    ["0.0000000000000000001", /at most 18 decimal/],
  ];
  it.each(bad)("rejects %j", (text, message) => {
    const result = parseEth(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  it("avoids the float error of 0.1 + 0.2", () => {
    const a = parseEth("0.1");
    const b = parseEth("0.2");
    if (!a.ok || !b.ok) throw new Error("parse failed");
    expect(formatEth(a.wei + b.wei)).toBe("0.3");
  });
});

describe("parseWei", () => {
  it("accepts decimal strings and safe integers only", () => {
    expect(parseWei("0")).toBe(0n);
    expect(parseWei("115792089237316195423570985008687907853269984665640564039457584007913129639935")).toBe(2n ** 256n - 1n);
    expect(parseWei(42)).toBe(42n);
    expect(parseWei("-1")).toBeUndefined();
    expect(parseWei("1.5")).toBeUndefined();
    expect(parseWei("0x10")).toBeUndefined();
    expect(parseWei(1.5)).toBeUndefined();
    expect(parseWei(null)).toBeUndefined();
    expect(parseWei(undefined)).toBeUndefined();
  });
});

describe("formatEth", () => {
  it.each([
    [0n, 18, "0"],
    [1n, 18, "0.000000000000000001"],
    [WEI_PER_ETH, 18, "1"],
    [1_500_000_000_000_000_000n, 18, "1.5"],
    [1_000_000_000_000_000n, 18, "0.001"],
    [1234n * WEI_PER_ETH, 18, "1,234"],
    [1_234_567_890_000_000_000_000_000n, 2, "1,234,567.89"],
    // Truncated toward zero, never rounded up.
    [1_999_999_999_999_999_999n, 4, "1.9999"],
    [1n, 4, "0"],
    [-1_500_000_000_000_000_000n, 18, "-1.5"],
  ])("formats %s wei with %i digits as %s", (wei, digits, text) => {
    expect(formatEth(wei, digits)).toBe(text);
  });

  it("round-trips through parseEth", () => {
    for (const text of ["0.001", "1.000000000000000001", "42", "0.123456789012345678"]) {
      const parsed = parseEth(text);
      if (!parsed.ok) throw new Error(text);
      expect(formatEth(parsed.wei)).toBe(text);
    }
  });
});

describe("percentOf", () => {
  it.each([
    [1n, 3n, 2, "33.33"],
    [2n, 3n, 2, "66.67"],
    [1n, 1n, 2, "100.00"],
    [0n, 5n, 2, "0.00"],
    [5n, 0n, 2, "0.00"],
    [1n, 8n, 1, "12.5"],
    [1n, 16n, 2, "6.25"],
    [1n, 200000n, 2, "0.00"],
    [1n, 2n, 0, "50"],
    [10n ** 30n, 3n * 10n ** 30n, 4, "33.3333"],
  ])("%s of %s with %i decimals is %s", (part, whole, decimals, text) => {
    expect(percentOf(part, whole, decimals)).toBe(text);
  });
});

describe("validateBet", () => {
  const min = 1_000_000_000_000_000n; // 0.001 ETH
  it("accepts the minimum exactly", () => {
    expect(validateBet(parseEth("0.001"), min, 10n ** 18n)).toBeUndefined();
  });
  it("rejects one wei below the minimum", () => {
    expect(validateBet({ ok: true, wei: min - 1n }, min, undefined)).toBe("The minimum bet is 0.001 ETH.");
  });
  it("rejects zero, bad input and too little balance", () => {
    expect(validateBet(parseEth("0"), min, undefined)).toMatch(/greater than zero/);
    expect(validateBet(parseEth("x"), min, undefined)).toMatch(/plain decimal/);
    expect(validateBet(parseEth("2"), min, 10n ** 18n)).toMatch(/balance \(1 ETH\) is too low/);
  });
  it("skips checks whose data is unknown", () => {
    expect(validateBet(parseEth("0.0001"), undefined, undefined)).toBeUndefined();
  });
});
