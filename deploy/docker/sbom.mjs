// SPDX-License-Identifier: Apache-2.0
// Writes the SPDX 2.3 JSON SBOM of the runtime image to stdout. Run by the `sbom` stage of
// deploy/docker/Dockerfile, where both inputs are what actually went into the image:
//   --static-libs  TSV (archive, Debian package, version, source package) of every static
//                  archive the linker took a member from (from the link map of `lottery`);
//   --lockfile     web/package-lock.json: its production packages are what Vite may bundle
//                  into the UI (dev-only packages -- vite, typescript, vitest -- are not);
//   --dist         the built UI (its files are hashed into the document).
// SOURCE_DATE_EPOCH, when set, fixes the creation time (reproducible documents).
import { createHash, randomUUID } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || argv[i + 1] === undefined) {
      throw new Error(`usage: sbom.mjs --version V --static-libs F --lockfile F --dist D (at ${argv[i]})`);
    }
    out[argv[i].slice(2)] = argv[i + 1];
  }
  for (const key of ["version", "static-libs", "lockfile", "dist"]) {
    if (!out[key]) throw new Error(`missing --${key}`);
  }
  return out;
}

// SPDX ids allow letters, digits, '.' and '-'.
const spdxId = (kind, name, version) =>
  `SPDXRef-${kind}-${`${name}-${version}`.replace(/[^A-Za-z0-9.-]+/g, "-")}`;

// Only simple, well-formed license expressions are copied; anything else is NOASSERTION
// rather than an invalid document.
const license = (value) =>
  typeof value === "string" && /^\(?[A-Za-z0-9.+-]+( (OR|AND) [A-Za-z0-9.+-]+)*\)?$/.test(value)
    ? value
    : "NOASSERTION";

function listFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...listFiles(path));
    else files.push(path);
  }
  return files.sort();
}

const args = parseArgs(process.argv.slice(2));
const epoch = process.env.SOURCE_DATE_EPOCH;
const created = (epoch ? new Date(Number(epoch) * 1000) : new Date()).toISOString().replace(/\.\d+Z$/, "Z");

const imageId = "SPDXRef-Image";
const binaryId = "SPDXRef-Binary-lottery";
const uiId = "SPDXRef-WebUI";
const packages = [
  {
    SPDXID: imageId,
    name: "enclave-lottery",
    versionInfo: args.version,
    primaryPackagePurpose: "CONTAINER",
    downloadLocation: "NOASSERTION",
    filesAnalyzed: false,
    licenseConcluded: "Apache-2.0",
    licenseDeclared: "Apache-2.0",
    copyrightText: "NOASSERTION",
  },
  {
    SPDXID: binaryId,
    name: "lottery",
    versionInfo: args.version,
    primaryPackagePurpose: "APPLICATION",
    downloadLocation: "NOASSERTION",
    filesAnalyzed: false,
    licenseConcluded: "Apache-2.0",
    licenseDeclared: "Apache-2.0",
    copyrightText: "NOASSERTION",
    comment: "/app/lottery: fully static, stripped ELF executable",
  },
];
const relationships = [
  { spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: imageId },
  { spdxElementId: imageId, relationshipType: "CONTAINS", relatedSpdxElement: binaryId },
];

// Statically linked Debian packages; several archives can come from one package.
const debs = new Map();
for (const line of readFileSync(args["static-libs"], "utf8").split("\n")) {
  if (!line.trim()) continue;
  const [archive, pkg, version, source] = line.split("\t");
  if (!pkg || !version) throw new Error(`static-libs: incomplete line: ${line}`);
  const entry = debs.get(pkg) ?? { pkg, version, source: source || pkg, archives: [] };
  entry.archives.push(archive);
  debs.set(pkg, entry);
}
if (debs.size === 0) throw new Error("static-libs: no statically linked library listed");
for (const { pkg, version, source, archives } of [...debs.values()].sort((a, b) => a.pkg.localeCompare(b.pkg))) {
  const id = spdxId("Deb", pkg, version);
  packages.push({
    SPDXID: id,
    name: pkg,
    versionInfo: version,
    supplier: "Organization: Debian",
    downloadLocation: "NOASSERTION",
    filesAnalyzed: false,
    licenseConcluded: "NOASSERTION",
    licenseDeclared: "NOASSERTION",
    copyrightText: "NOASSERTION",
    sourceInfo: `Debian source package ${source}`,
    comment: `statically linked: ${archives.join(", ")}`,
    externalRefs: [
      {
        referenceCategory: "PACKAGE-MANAGER",
        referenceType: "purl",
        referenceLocator: `pkg:deb/debian/${pkg}@${encodeURIComponent(version)}?arch=amd64&distro=debian-12`,
      },
    ],
  });
  relationships.push({ spdxElementId: binaryId, relationshipType: "STATIC_LINK", relatedSpdxElement: id });
}

// The web UI and the npm packages it bundles.
const distFiles = listFiles(args.dist);
const uiHash = createHash("sha256");
for (const file of distFiles) uiHash.update(relative(args.dist, file)).update("\0").update(readFileSync(file));
packages.push({
  SPDXID: uiId,
  name: "enclave-lottery-web",
  versionInfo: args.version,
  primaryPackagePurpose: "APPLICATION",
  downloadLocation: "NOASSERTION",
  filesAnalyzed: false,
  licenseConcluded: "Apache-2.0",
  licenseDeclared: "Apache-2.0",
  copyrightText: "NOASSERTION",
  comment: `/app/web: ${distFiles.length} files; sha256 over (path, NUL, content) in path order: ${uiHash.digest("hex")}`,
});
relationships.push({ spdxElementId: imageId, relationshipType: "CONTAINS", relatedSpdxElement: uiId });

const lock = JSON.parse(readFileSync(args.lockfile, "utf8"));
if (!lock.packages) throw new Error("lockfile: expected lockfileVersion >= 2 (a 'packages' map)");
let bundled = 0;
for (const [path, meta] of Object.entries(lock.packages)) {
  if (path === "" || meta.dev || meta.devOptional || meta.link) continue;
  const name = meta.name ?? path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
  const id = spdxId("Npm", name, meta.version);
  if (packages.some((p) => p.SPDXID === id)) continue;
  const pkg = {
    SPDXID: id,
    name,
    versionInfo: meta.version,
    downloadLocation: meta.resolved ?? "NOASSERTION",
    filesAnalyzed: false,
    licenseConcluded: "NOASSERTION",
    licenseDeclared: license(meta.license),
    copyrightText: "NOASSERTION",
    externalRefs: [
      {
        referenceCategory: "PACKAGE-MANAGER",
        referenceType: "purl",
        referenceLocator: `pkg:npm/${name.startsWith("@") ? `%40${name.slice(1)}` : name}@${meta.version}`,
      },
    ],
  };
  // npm's integrity is sha512 in base64; SPDX wants hex.
  const sri = /^sha512-(.+)$/.exec(meta.integrity ?? "");
  if (sri) pkg.checksums = [{ algorithm: "SHA512", checksumValue: Buffer.from(sri[1], "base64").toString("hex") }];
  packages.push(pkg);
  relationships.push({ spdxElementId: uiId, relationshipType: "CONTAINS", relatedSpdxElement: id });
  bundled += 1;
}
if (bundled === 0) throw new Error("lockfile: no production package found");

const doc = {
  spdxVersion: "SPDX-2.3",
  dataLicense: "CC0-1.0",
  SPDXID: "SPDXRef-DOCUMENT",
  name: `enclave-lottery-${args.version}`,
  documentNamespace: `https://spdx.org/spdxdocs/enclave-lottery-${args.version}-${randomUUID()}`,
  creationInfo: { created, creators: ["Tool: enclave-lottery deploy/docker/sbom.mjs"] },
  packages,
  relationships,
};
process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
