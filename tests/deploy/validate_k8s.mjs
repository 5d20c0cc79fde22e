// SPDX-License-Identifier: Apache-2.0
// Validates the Kubernetes manifests: every document against the Kubernetes API schema
// (kubernetes-models: types, required fields, enums, formats), every kustomization's
// references, and the deployment rules this project promises (SPEC §11): non-root,
// read-only root FS, no capabilities, resource requests and limits, probes on /health and
// /api/ready, selectors that match, settings names the service knows.
//
//   node tests/deploy/validate_k8s.mjs --env-example .env.example DIR...
// Exit 0 when all hold; else every problem on stderr and exit 1.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import * as apps from "kubernetes-models/apps/v1";
import * as policy from "kubernetes-models/policy/v1";
import * as core from "kubernetes-models/v1";
import { parseAllDocuments } from "yaml";

const models = { v1: core, "apps/v1": apps, "policy/v1": policy };
const problems = [];
const fail = (where, message) => problems.push(`${where}: ${message}`);

const argv = process.argv.slice(2);
let envExample = null;
const roots = [];
for (let i = 0; i < argv.length; i += 1) {
  if (argv[i] === "--env-example") envExample = argv[(i += 1)];
  else roots.push(argv[i]);
}
if (roots.length === 0) {
  console.error("usage: validate_k8s.mjs [--env-example FILE] DIR...");
  process.exit(2);
}
// Environment names the service reads (from the generated .env.example).
const knownEnv = envExample
  ? new Set([...readFileSync(envExample, "utf8").matchAll(/^#?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]))
  : null;

function yamlFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...yamlFiles(path));
    else if (/\.ya?ml$/.test(entry)) out.push(path);
  }
  return out;
}

const objects = []; // { file, doc }
const kustomizations = [];
for (const root of roots) {
  for (const file of yamlFiles(root)) {
    const docs = parseAllDocuments(readFileSync(file, "utf8"));
    docs.forEach((parsed, index) => {
      const where = `${relative(process.cwd(), file)}#${index}`;
      if (parsed.errors.length) {
        fail(where, `YAML: ${parsed.errors.map((e) => e.message).join("; ")}`);
        return;
      }
      const doc = parsed.toJS();
      if (doc === null) return;
      if (basename(file) === "kustomization.yaml") kustomizations.push({ file, doc, where });
      else objects.push({ file, doc, where });
    });
  }
}

// --- schema -------------------------------------------------------------------------------
for (const { doc, where } of objects) {
  const group = models[doc.apiVersion];
  const Model = group?.[doc.kind];
  if (!Model) {
    fail(where, `unknown apiVersion/kind ${doc.apiVersion}/${doc.kind}`);
    continue;
  }
  try {
    new Model(doc).validate();
  } catch (error) {
    fail(where, `schema: ${error.message}`);
  }
  if (!doc.metadata?.name) fail(where, "metadata.name missing");
}

// --- kustomizations -----------------------------------------------------------------------
for (const { file, doc, where } of kustomizations) {
  if (doc.kind !== "Kustomization") fail(where, "kind must be Kustomization");
  for (const ref of doc.resources ?? []) {
    const path = resolve(dirname(file), ref);
    const ok = existsSync(path) && (statSync(path).isFile() || existsSync(join(path, "kustomization.yaml")));
    if (!ok) fail(where, `resource ${ref} is neither a file nor a kustomization directory`);
  }
  for (const image of doc.images ?? []) {
    const used = objects.some(({ doc: o }) =>
      (o.spec?.template?.spec?.containers ?? []).some((c) => c.image === image.name));
    if (!used) fail(where, `images: no container uses image name ${image.name}`);
  }
}

// --- rules --------------------------------------------------------------------------------
const matches = (selector, labels) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v) && Object.keys(selector ?? {}).length > 0;
const deployments = objects.filter((o) => o.doc.kind === "Deployment");
const services = objects.filter((o) => o.doc.kind === "Service");

for (const { doc, where } of deployments) {
  const pod = doc.spec.template.spec;
  const labels = doc.spec.template.metadata?.labels;
  if (!matches(doc.spec.selector?.matchLabels, labels)) fail(where, "selector does not match the pod labels");
  if (pod.securityContext?.runAsNonRoot !== true) fail(where, "pod securityContext.runAsNonRoot must be true");
  if (!(pod.securityContext?.runAsUser > 0)) fail(where, "pod securityContext.runAsUser must be a non-zero uid");
  if (pod.automountServiceAccountToken !== false) fail(where, "automountServiceAccountToken must be false");
  for (const c of pod.containers) {
    const at = `${where} container ${c.name}`;
    const sc = c.securityContext ?? {};
    if (sc.readOnlyRootFilesystem !== true) fail(at, "readOnlyRootFilesystem must be true");
    if (sc.allowPrivilegeEscalation !== false) fail(at, "allowPrivilegeEscalation must be false");
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) fail(at, "capabilities.drop must include ALL");
    for (const kind of ["requests", "limits"]) {
      for (const resource of ["cpu", "memory"]) {
        if (c.resources?.[kind]?.[resource] === undefined) fail(at, `resources.${kind}.${resource} missing`);
      }
    }
    for (const probe of ["livenessProbe", "readinessProbe"]) {
      if (!c[probe]) fail(at, `${probe} missing`);
    }
    const ports = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
    for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
      const port = c[probe]?.httpGet?.port;
      if (typeof port === "string" && !ports.has(port)) fail(at, `${probe} uses unknown port name ${port}`);
    }
    if (labels?.["app.kubernetes.io/component"] === "service") {
      // The lottery service itself: the probes SPEC §11 names.
      if (c.livenessProbe?.httpGet?.path !== "/health") fail(at, "livenessProbe must GET /health");
      if (c.readinessProbe?.httpGet?.path !== "/api/ready") fail(at, "readinessProbe must GET /api/ready");
      if (!c.startupProbe?.httpGet) fail(at, "startupProbe (HTTP) missing");
      if (ports.get("http") !== 6080) fail(at, "port http must be 6080");
      const names = (c.env ?? []).map((e) => e.name);
      const keyFromFile = names.includes("BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE");
      if (names.includes("BLOCKCHAIN_OPERATOR_PRIVATE_KEY")) fail(at, "the key must come from a mounted Secret file");
      if (keyFromFile) {
        const volume = (pod.volumes ?? []).find((v) => v.secret);
        if (!volume) fail(at, "BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE set but no Secret volume");
      }
      if (knownEnv) {
        for (const name of names) if (!knownEnv.has(name)) fail(at, `env ${name} is not a setting of the service`);
      }
      for (const ref of c.envFrom ?? []) {
        const cm = objects.find((o) => o.doc.kind === "ConfigMap" && o.doc.metadata.name === ref.configMapRef?.name);
        if (!cm) fail(at, `envFrom ConfigMap ${ref.configMapRef?.name} not found`);
      }
    }
  }
  for (const v of pod.volumes ?? []) {
    if (!v.secret) continue;
    const example = objects.find((o) => o.doc.kind === "Secret" && o.doc.metadata.name === v.secret.secretName);
    if (!example) fail(where, `Secret ${v.secret.secretName} has no example manifest (secret.example.yaml)`);
    for (const item of v.secret.items ?? []) {
      if (example && !(item.key in (example.doc.stringData ?? example.doc.data ?? {}))) {
        fail(where, `Secret ${v.secret.secretName} example lacks key ${item.key}`);
      }
    }
  }
}

for (const { doc, where } of objects.filter((o) => o.doc.kind === "ConfigMap")) {
  if (!knownEnv) continue;
  for (const name of Object.keys(doc.data ?? {})) {
    if (!knownEnv.has(name)) fail(where, `ConfigMap key ${name} is not a setting of the service`);
  }
}

// Services and PDBs must select pods that exist in the same kustomization tree.
const allPods = deployments.map((d) => d.doc.spec.template.metadata?.labels ?? {});
for (const { doc, where } of services) {
  if (!allPods.some((labels) => matches(doc.spec.selector, labels))) fail(where, "selector matches no Deployment's pods");
}
for (const { doc, where } of objects.filter((o) => o.doc.kind === "PodDisruptionBudget")) {
  if (!allPods.some((labels) => matches(doc.spec.selector?.matchLabels, labels))) {
    fail(where, "selector matches no Deployment's pods");
  }
}

// REDIS_URL must name a Service of this tree (host and port).
for (const { doc, where } of deployments) {
  for (const c of doc.spec.template.spec.containers) {
    const url = (c.env ?? []).find((e) => e.name === "REDIS_URL")?.value;
    if (!url) continue;
    const m = /^redis:\/\/([^:/]+):(\d+)/.exec(url);
    const svc = m && services.find((s) => s.doc.metadata.name === m[1]);
    if (!svc || !svc.doc.spec.ports.some((p) => p.port === Number(m[2]))) {
      fail(where, `REDIS_URL ${url} names no Service port here`);
    }
  }
}

if (problems.length) {
  for (const p of problems) console.error(`validate_k8s: ${p}`);
  process.exit(1);
}
console.log(`validate_k8s: ${objects.length} objects and ${kustomizations.length} kustomizations valid`);
