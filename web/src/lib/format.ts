// SPDX-License-Identifier: Apache-2.0
// Small display helpers. Pure and locale-independent so they can be unit tested.

/// "0x1234…abcd" for a 0x-prefixed address; anything else is returned unchanged.
export function shortAddress(address: string | null | undefined): string {
  if (!address) return "—";
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) return address;
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/// "0x" + 64 hex digits shortened to "0xabcdef…1234".
export function shortHash(hash: string | null | undefined): string {
  if (!hash) return "—";
  if (hash.length <= 18) return hash;
  return `${hash.slice(0, 10)}…${hash.slice(-6)}`;
}

/// Case-insensitive address comparison (the API checksums, wallets may not).
export function sameAddress(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}

/// A countdown: "0:05", "2:59", "1:02:03", "3d 04:05:06". Negative input counts as zero.
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  const two = (n: number) => n.toString().padStart(2, "0");
  if (days > 0) return `${days}d ${two(hours)}:${two(minutes)}:${two(seconds)}`;
  if (hours > 0) return `${hours}:${two(minutes)}:${two(seconds)}`;
  return `${minutes}:${two(seconds)}`;
}

/// A human duration for settings: "180 s" → "3 min", "90 s" → "1 min 30 s".
export function describeSeconds(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  const seconds = s % 60;
  if (minutes < 60) return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

/// How long ago `then` was, relative to `now` (both unix seconds): "just now", "42 s ago",
/// "5 min ago", "3 h ago", "2 d ago".
export function timeAgo(then: number, now: number): string {
  const d = Math.floor(now - then);
  if (d < 5) return "just now";
  if (d < 60) return `${d} s ago`;
  if (d < 3600) return `${Math.floor(d / 60)} min ago`;
  if (d < 86400) return `${Math.floor(d / 3600)} h ago`;
  return `${Math.floor(d / 86400)} d ago`;
}

/// UTC date and time of a unix timestamp: "2024-05-01 12:34:56 UTC".
export function formatUtc(unixSeconds: number): string {
  if (!Number.isFinite(unixSeconds) || unixSeconds <= 0) return "—";
  return `${new Date(unixSeconds * 1000).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/// Random hex string of `bytes` bytes (for attestation nonces).
export function randomHex(bytes: number): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
}
