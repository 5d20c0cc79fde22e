// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from "vitest";
import { describeSeconds, formatDuration, formatUtc, randomHex, sameAddress, shortAddress, shortHash, timeAgo } from "../src/lib/format";

describe("formatDuration", () => {
  it.each([
    [0, "0:00"],
    [5, "0:05"],
    [59, "0:59"],
    [60, "1:00"],
    [179, "2:59"],
    [3599, "59:59"],
    [3600, "1:00:00"],
    [3723, "1:02:03"],
    [86400 * 3 + 4 * 3600 + 5 * 60 + 6, "3d 04:05:06"],
    [-10, "0:00"],
    [12.9, "0:12"],
  ])("%s s → %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe("describeSeconds", () => {
  it.each([
    [30, "30 s"],
    [180, "3 min"],
    [90, "1 min 30 s"],
    [3600, "1 h"],
    [5400, "1 h 30 min"],
  ])("%s → %s", (seconds, text) => expect(describeSeconds(seconds)).toBe(text));
});

describe("timeAgo", () => {
  it.each([
    [100, 100, "just now"],
    [100, 104, "just now"],
    [100, 142, "42 s ago"],
    [100, 100 + 5 * 60 + 3, "5 min ago"],
    [100, 100 + 3 * 3600, "3 h ago"],
    [100, 100 + 2 * 86400, "2 d ago"],
  ])("%s seen at %s → %s", (then, now, text) => expect(timeAgo(then, now)).toBe(text));
});

describe("addresses and hashes", () => {
  const addr = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
  it("shortens addresses and leaves other text alone", () => {
    expect(shortAddress(addr)).toBe("0xf39F…2266");
    expect(shortAddress(null)).toBe("—");
    expect(shortAddress("not an address")).toBe("not an address");
  });
  it("compares addresses case-insensitively", () => {
    expect(sameAddress(addr, addr.toLowerCase())).toBe(true);
    expect(sameAddress(addr, undefined)).toBe(false);
    expect(sameAddress(undefined, undefined)).toBe(false);
  });
  it("shortens hashes", () => {
    expect(shortHash(`0x${"ab".repeat(32)}`)).toBe("0xabababab…ababab");
    expect(shortHash("0x1234")).toBe("0x1234");
    expect(shortHash(null)).toBe("—");
  });
  it("formats UTC times", () => {
    expect(formatUtc(1_700_000_000)).toBe("2023-11-14 22:13:20 UTC");
    expect(formatUtc(0)).toBe("—");
  });
  it("makes random hex of the asked length", () => {
    const a = randomHex(16);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(randomHex(16)).not.toBe(a);
  });
});
