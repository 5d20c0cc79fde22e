// SPDX-License-Identifier: Apache-2.0
// Exact ETH/wei arithmetic on bigint. Amounts never pass through floating point: a player who
// types 0.1 ETH sends exactly 100000000000000000 wei.

export const WEI_PER_ETH = 10n ** 18n;
const ETH_DECIMALS = 18;

export type ParseResult = { ok: true; wei: bigint } | { ok: false; error: string };

/// Parses a decimal ETH amount typed by a player ("0.01", "1", ".5", "2.") into wei.
/// Rejects signs, exponents, separators and more than 18 fractional digits with a sentence
/// the UI can show as it is.
export function parseEth(input: string): ParseResult {
  const text = input.trim();
  if (text === "") return { ok: false, error: "Enter an amount in ETH." };
  if (!/^(\d+\.?\d*|\.\d+)$/.test(text)) {
    return { ok: false, error: "Enter a plain decimal number, e.g. 0.01." };
  }
  const [whole = "", fraction = ""] = text.split(".");
  if (fraction.length > ETH_DECIMALS) {
    return { ok: false, error: "ETH has at most 18 decimal places." };
  }
  const wei = BigInt(whole || "0") * WEI_PER_ETH + BigInt(fraction.padEnd(ETH_DECIMALS, "0") || "0");
  return { ok: true, wei };
}

/// Parses a wei amount as the API sends it (a decimal string); undefined when malformed.
export function parseWei(value: unknown): bigint | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value !== "string" || !/^\d{1,78}$/.test(value)) return undefined;
  return BigInt(value);
}

/// Like parseWei but 0 for missing or malformed values (display only).
export function weiOrZero(value: unknown): bigint {
  return parseWei(value) ?? 0n;
}

/// Formats wei as ETH: exact, without trailing zeros, with at most `maxFractionDigits`
/// fractional digits (truncated toward zero, never rounded up, so a balance is never overstated).
export function formatEth(wei: bigint, maxFractionDigits = ETH_DECIMALS): string {
  const negative = wei < 0n;
  const abs = negative ? -wei : wei;
  const whole = abs / WEI_PER_ETH;
  let fraction = (abs % WEI_PER_ETH).toString().padStart(ETH_DECIMALS, "0");
  fraction = fraction.slice(0, Math.max(0, Math.min(ETH_DECIMALS, maxFractionDigits)));
  fraction = fraction.replace(/0+$/, "");
  const wholeText = groupThousands(whole.toString());
  const body = fraction ? `${wholeText}.${fraction}` : wholeText;
  return negative ? `-${body}` : body;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/// `part / whole` as a percentage string with `decimals` fractional digits, rounded half up
/// ("33.33" for 1/3). "0" decimals gives an integer. Returns "0" when `whole` is zero.
export function percentOf(part: bigint, whole: bigint, decimals = 2): string {
  if (whole <= 0n || part <= 0n) return decimals > 0 ? `0.${"0".repeat(decimals)}` : "0";
  const scale = 10n ** BigInt(decimals);
  const scaled = (part * 100n * scale * 2n + whole) / (whole * 2n);
  const intPart = scaled / scale;
  if (decimals === 0) return intPart.toString();
  const frac = (scaled % scale).toString().padStart(decimals, "0");
  return `${intPart}.${frac}`;
}

/// Checks a typed bet against the contract minimum (it applies to every single bet, not to the
/// player's total stake) and the wallet balance; returns the sentence to show, or undefined.
export function validateBet(
  amount: ParseResult,
  minBetWei: bigint | undefined,
  balanceWei: bigint | undefined,
): string | undefined {
  if (!amount.ok) return amount.error;
  if (amount.wei === 0n) return "The amount must be greater than zero.";
  if (minBetWei !== undefined && amount.wei < minBetWei) {
    return `The minimum bet is ${formatEth(minBetWei)} ETH.`;
  }
  if (balanceWei !== undefined && amount.wei > balanceWei) {
    return `Your balance (${formatEth(balanceWei, 6)} ETH) is too low for this bet.`;
  }
  return undefined;
}
