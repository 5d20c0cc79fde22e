// SPDX-License-Identifier: Apache-2.0
// Checks the rules SPEC §11 sets for deploy/compose.yaml on its normalized form (what
// `docker-compose config` prints after interpolation and merging, read from stdin): the
// service and the deployer run as the image's non-root user with a read-only root FS, no
// capabilities and resource limits; start order is gated on health; the replicated profile
// has Redis and two replicas that use it.
//   docker-compose -f deploy/compose.yaml --profile replicated config | node validate_compose.mjs
import { readFileSync } from "node:fs";
import { parse } from "yaml";

const config = parse(readFileSync(0, "utf8"));
const services = config.services ?? {};
const problems = [];
const fail = (where, message) => problems.push(`${where}: ${message}`);

for (const name of ["anvil", "deployer", "lottery", "redis", "lottery-1", "lottery-2"]) {
  if (!services[name]) fail(name, "service missing");
}
for (const [name, s] of Object.entries(services)) {
  if (s.read_only !== true) fail(name, "read_only must be true");
  if (!(s.cap_drop ?? []).includes("ALL")) fail(name, "cap_drop must include ALL");
  if (!(s.security_opt ?? []).some((o) => o.startsWith("no-new-privileges"))) fail(name, "no-new-privileges missing");
  if (/@sha256:[0-9a-f]{64}$/.test(s.image ?? "") === false && !s.image?.startsWith("enclave-lottery")) {
    fail(name, `third-party image must be pinned by digest: ${s.image}`);
  }
}
for (const name of ["lottery", "lottery-1", "lottery-2"]) {
  const s = services[name];
  if (!s) continue;
  if (s.user !== "10001:10001") fail(name, "must run as 10001:10001 (the image's user)");
  const limits = s.deploy?.resources?.limits ?? {};
  if (limits.cpus === undefined || limits.memory === undefined) fail(name, "cpu and memory limits missing");
  if (s.depends_on?.anvil?.condition !== "service_healthy") fail(name, "must wait for a healthy anvil");
  if (s.depends_on?.deployer?.condition !== "service_completed_successfully") {
    fail(name, "must wait for the deployer to finish");
  }
  if (!s.healthcheck?.test?.includes("healthcheck")) fail(name, "healthcheck must run `lottery healthcheck`");
  if (s.environment?.BLOCKCHAIN_OPERATOR_PRIVATE_KEY) fail(name, "key must come from a secret file");
  const replica = name !== "lottery";
  if (replica !== Boolean(s.environment?.REDIS_URL)) fail(name, replica ? "replica needs REDIS_URL" : "single service must not use Redis");
  if (replica && s.depends_on?.redis?.condition !== "service_healthy") fail(name, "must wait for a healthy redis");
  if (replica && !(s.profiles ?? []).includes("replicated")) fail(name, "belongs to the replicated profile");
}
// Without a profile: exactly the single-replica stack (`docker compose up`).
const always = Object.keys(services).filter((n) => !(services[n].profiles ?? []).length).sort();
if (always.join(" ") !== "anvil deployer lottery") fail("profiles", `default services are ${always.join(", ")}`);
if (services.deployer?.command?.[0] !== "deploy") fail("deployer", "must run `lottery deploy`");
if (services.deployer?.depends_on?.anvil?.condition !== "service_healthy") fail("deployer", "must wait for anvil");
if (!(services.redis?.profiles ?? []).includes("replicated")) fail("redis", "belongs to the replicated profile");

if (problems.length) {
  for (const p of problems) console.error(`validate_compose: ${p}`);
  process.exit(1);
}
console.log(`validate_compose: ${Object.keys(services).length} services valid`);
