// SPDX-License-Identifier: Apache-2.0
// .env.example is generated from the service's own settings table (`lottery config
// --describe`), so it cannot drift from the code -- the same rule tests/cli/readme_config.cmake
// applies to README.md's table. Every setting appears, commented out, with its default.
//
//   node tests/deploy/env_example.mjs --bin PATH/lottery [--file .env.example] [--update]
// Without --update: exit 1 (with a diff hint) when the file differs from what the binary says.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const at = argv.indexOf(name);
  return at === -1 ? fallback : argv[at + 1];
};
const bin = opt("--bin");
const file = opt("--file", ".env.example");
const update = argv.includes("--update");
if (!bin) {
  console.error("usage: env_example.mjs --bin PATH/lottery [--file .env.example] [--update]");
  process.exit(2);
}

const table = execFileSync(bin, ["config", "--describe"], { encoding: "utf8" });
const rows = [];
for (const line of table.split("\n")) {
  if (!line.startsWith("| `")) continue; // header and separator rows start differently
  const cells = line.slice(1, -1).split(" | ").map((c) => c.trim());
  if (cells.length < 5) throw new Error(`unexpected row: ${line}`);
  const unquote = (c) => c.replace(/^`(.*)`$/, "$1");
  rows.push({
    key: unquote(cells[0]),
    env: unquote(cells[1]),
    type: cells[2],
    def: unquote(cells[3]),
    description: cells.slice(4).join(" | "),
  });
}
if (rows.length === 0) throw new Error("lottery config --describe printed no settings");

// Wrap a comment at ~92 columns.
function comment(text) {
  const out = [];
  let line = "#";
  for (const word of text.split(/\s+/)) {
    if (line.length + word.length + 1 > 92 && line !== "#") {
      out.push(line);
      line = "#";
    }
    line += ` ${word}`;
  }
  out.push(line);
  return out;
}

const lines = [
  "# Enclave Lottery: every setting of `lottery serve`, with its default, as environment",
  "# variables. Generated from `lottery config --describe` by tests/deploy/env_example.mjs",
  "# (--update); the image tests fail when it differs. Do not edit by hand.",
  "#",
  "# Copy to .env, uncomment what you change; `docker run --env-file .env`, compose's",
  "# env_file, or a Kubernetes ConfigMap take the same names. Precedence: defaults < config",
  "# file (--config, JSON) < environment < --set flags. Secrets: prefer the _FILE variant or",
  "# run-time key injection (`lottery inject-key`) over a key in the environment.",
  "# The image sets SERVER_STATIC_DIR=/app/web and SERVER_ABI_PATH=/app/Lottery.abi.",
];
let section = "";
for (const row of rows) {
  const head = row.key.split(".")[0];
  if (head !== section) {
    section = head;
    lines.push("", `# --- ${section} ${"-".repeat(Math.max(3, 86 - section.length))}`);
  }
  lines.push(...comment(`${row.description} (${row.type}; config key ${row.key})`));
  lines.push(`#${row.env}=${row.def}`);
}
const expected = `${lines.join("\n")}\n`;

if (update) {
  writeFileSync(file, expected);
  console.log(`env_example: wrote ${rows.length} settings to ${file}`);
  process.exit(0);
}
let current = "";
try {
  current = readFileSync(file, "utf8");
} catch {
  // reported below
}
if (current !== expected) {
  console.error(`env_example: ${file} differs from 'lottery config --describe'. Regenerate it:`);
  console.error(`  node tests/deploy/env_example.mjs --bin ${bin} --file ${file} --update`);
  const a = current.split("\n");
  const b = expected.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    if (a[i] !== b[i]) {
      console.error(`  first difference at line ${i + 1}:\n    have: ${a[i]}\n    want: ${b[i]}`);
      break;
    }
  }
  process.exit(1);
}
console.log(`env_example: ${file} lists all ${rows.length} settings`);
