// SPDX-License-Identifier: Apache-2.0
// What the service says about where it runs (SPEC §7). The browser cannot check a Nitro COSE
// signature chain cheaply, so this panel shows the claims and says how to verify them; a dev
// document is flagged as unverified.
import { useCallback, useEffect, useState } from "react";
import { getJson, type Attestation } from "../lib/api";
import { randomHex, shortAddress, shortHash } from "../lib/format";

type State =
  | { kind: "loading" }
  | { kind: "done"; doc: Attestation; nonce: string }
  | { kind: "error"; message: string };

function pcrEntries(pcrs: Attestation["pcrs"]): [string, string][] {
  if (Array.isArray(pcrs)) return pcrs.map((v, i) => [String(i), String(v)]);
  if (pcrs && typeof pcrs === "object") return Object.entries(pcrs).map(([k, v]) => [k, String(v)]);
  return [];
}

function userDataText(userData: unknown): string {
  if (userData === null || userData === undefined) return "—";
  if (typeof userData === "string") return userData;
  if (typeof userData === "object") {
    const op = (userData as { operator_address?: unknown }).operator_address;
    if (typeof op === "string") return `operator ${shortAddress(op)}`;
  }
  return JSON.stringify(userData);
}

export function AttestationPanel() {
  const [state, setState] = useState<State>({ kind: "loading" });

  const load = useCallback(() => {
    const nonce = randomHex(16);
    setState({ kind: "loading" });
    getJson<Attestation>(`/api/attestation?nonce=${nonce}`, 8000)
      .then((doc) => setState({ kind: "done", doc, nonce }))
      .catch((err: unknown) => setState({ kind: "error", message: err instanceof Error ? err.message : String(err) }));
  }, []);

  useEffect(load, [load]);

  return (
    <section className="card attestation" aria-labelledby="att-title">
      <h2 id="att-title">Attestation</h2>
      {state.kind === "loading" && <p className="muted">Asking the service for a fresh attestation…</p>}
      {state.kind === "error" && (
        <p className="alert warn" data-testid="attestation-error">
          No attestation available: {state.message}
        </p>
      )}
      {state.kind === "done" && (
        <div data-testid="attestation">
          {state.doc.dev ? (
            <p className="alert warn" data-testid="attestation-dev">
              <strong>Development mode — NOT verified.</strong> This service is not running in a Nitro Enclave;
              the document is unsigned and the PCRs are zero. Do not trust it with real funds.
            </p>
          ) : (
            <p className="alert ok">
              Nitro Enclave attestation document received (COSE_Sign1). Check it against the AWS Nitro root with{" "}
              <code>lottery verify-attestation</code> before trusting it.
            </p>
          )}
          <dl className="kv small">
            <dt>Nonce</dt>
            <dd>
              {state.doc.nonce === state.nonce ? "echoes our fresh nonce ✓" : `does not echo our nonce ✗ (${shortHash(state.doc.nonce)})`}
            </dd>
            <dt>Bound data</dt>
            <dd>{userDataText(state.doc.user_data)}</dd>
            <dt>Injection key</dt>
            <dd>
              <code title={state.doc.public_key}>{shortHash(state.doc.public_key)}</code>
            </dd>
            {pcrEntries(state.doc.pcrs)
              .slice(0, 3)
              .map(([k, v]) => (
                <div key={k} className="kv-row">
                  <dt>PCR{k}</dt>
                  <dd>
                    <code title={v}>{shortHash(v)}</code>
                  </dd>
                </div>
              ))}
          </dl>
        </div>
      )}
      <button type="button" onClick={load}>
        Refresh attestation
      </button>
    </section>
  );
}
