// SPDX-License-Identifier: Apache-2.0
import { useEffect, useId, useState, type FormEvent } from "react";
import type { Address } from "viem";
import type { Wallet } from "../hooks/useWallet";
import type { RoundTiming } from "../lib/countdown";
import { walletErrorMessage } from "../lib/wallet";
import { formatEth, parseEth, validateBet } from "../lib/wei";

type BetState =
  | { phase: "idle" }
  | { phase: "signing" }
  | { phase: "pending"; hash: string }
  | { phase: "confirmed"; hash: string; block: bigint }
  | { phase: "failed"; message: string; hash?: string };

interface Props {
  wallet: Wallet;
  timing: RoundTiming;
  minBetWei: bigint | undefined;
  contract: string | undefined;
  chainId: number | undefined;
}

export function BetPanel({ wallet, timing, minBetWei, contract, chainId }: Props) {
  const [amount, setAmount] = useState("");
  const [touched, setTouched] = useState(false);
  const [bet, setBet] = useState<BetState>({ phase: "idle" });
  const inputId = useId();
  const errorId = useId();

  useEffect(() => {
    if (minBetWei !== undefined && amount === "" && !touched) setAmount(formatEth(minBetWei).replace(/,/g, ""));
  }, [minBetWei, amount, touched]);

  // Fetch the transaction code while the player types, not when they press "Bet".
  const connectedNow = wallet.status === "connected";
  useEffect(() => {
    if (connectedNow) void import("../lib/bet").catch(() => undefined);
  }, [connectedNow]);

  const parsed = parseEth(amount);
  const validation = validateBet(parsed, minBetWei, wallet.balanceWei);
  const connected = wallet.status === "connected" && !!wallet.address;
  const rightChain = chainId !== undefined && wallet.chainId === chainId;
  const busy = bet.phase === "signing" || bet.phase === "pending";

  let blocker: string | undefined;
  if (!connected) blocker = "Connect a wallet to bet.";
  else if (chainId === undefined || !contract) blocker = "Waiting for the service to report the network and contract…";
  else if (!rightChain) blocker = "Switch your wallet to the lottery's network to bet.";
  else if (!timing.bettingOpen) blocker = "Betting is closed for this round. The next round opens after the draw.";

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setTouched(true);
    if (blocker || validation || busy || !parsed.ok || !wallet.provider || !contract || chainId === undefined) return;
    setBet({ phase: "signing" });
    try {
      const { placeBet } = await import("../lib/bet");
      const result = await placeBet(
        wallet.provider,
        {
          account: wallet.address as Address,
          contract: contract as Address,
          chainId,
          valueWei: parsed.wei,
        },
        (hash) => setBet({ phase: "pending", hash }),
      );
      if (result.status === "success") {
        setBet({ phase: "confirmed", hash: result.hash, block: result.blockNumber });
      } else {
        setBet({ phase: "failed", hash: result.hash, message: "The transaction was mined but reverted." });
      }
    } catch (err) {
      setBet((b) => ({
        phase: "failed",
        message: walletErrorMessage(err),
        ...(b.phase === "pending" ? { hash: b.hash } : {}),
      }));
    } finally {
      wallet.refreshBalance();
    }
  };

  const showValidation = touched && amount !== "" && validation;

  return (
    <section className="card bet" aria-labelledby="bet-title">
      <h2 id="bet-title">Place a bet</h2>
      <form onSubmit={(ev) => void submit(ev)} noValidate>
        <label htmlFor={inputId}>Amount (ETH)</label>
        <div className="bet-row">
          <input
            id={inputId}
            name="amount"
            inputMode="decimal"
            autoComplete="off"
            spellCheck={false}
            value={amount}
            aria-invalid={showValidation ? true : undefined}
            aria-describedby={errorId}
            onChange={(ev) => {
              setAmount(ev.target.value);
              setTouched(true);
            }}
            data-testid="bet-amount"
          />
          <button type="submit" className="primary" disabled={busy || !!blocker} data-testid="bet-submit">
            {bet.phase === "signing" ? "Confirm in wallet…" : bet.phase === "pending" ? "Pending…" : "Bet"}
          </button>
        </div>
        <p id={errorId} className={showValidation ? "field-error" : "muted small"} role={showValidation ? "alert" : undefined} data-testid="bet-validation">
          {showValidation ? validation : minBetWei !== undefined ? `Minimum ${formatEth(minBetWei)} ETH per bet.` : ""}
        </p>
      </form>
      {blocker && <p className="muted" data-testid="bet-blocker">{blocker}</p>}
      <div aria-live="polite" data-testid="bet-status">
        {bet.phase === "signing" && <p className="status">Waiting for your wallet to sign…</p>}
        {bet.phase === "pending" && (
          <p className="status pending">
            Pending: transaction <code data-testid="bet-hash">{bet.hash}</code> sent, waiting for it to be mined.
          </p>
        )}
        {bet.phase === "confirmed" && (
          <p className="status ok" data-testid="bet-confirmed">
            Confirmed in block {bet.block.toString()}: <code data-testid="bet-hash">{bet.hash}</code>
          </p>
        )}
        {bet.phase === "failed" && (
          <p className="status error" role="alert" data-testid="bet-failed">
            Failed: {bet.message}
            {bet.hash && (
              <>
                {" "}
                (transaction <code data-testid="bet-hash">{bet.hash}</code>)
              </>
            )}
          </p>
        )}
      </div>
    </section>
  );
}
