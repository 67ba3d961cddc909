// The `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>` signature scheme that
// Calendly uses and that our generic sources use too: parse the header, check the window, verify.

import { createHmac, timingSafeEqual } from "node:crypto";

/** Deliveries older (or further in the future) than this are refused: the replay window. */
export const REPLAY_WINDOW_MS = 5 * 60_000;

export type SignatureFailure = "missing" | "malformed" | "stale" | "mismatch";

/**
 * A verified delivery carries `replayKey`: the canonical form of its signature (what we computed,
 * not what was sent, so `ABC…` and `abc…` cannot pass as two deliveries).
 */
export type SignatureCheck = { ok: true; replayKey: string } | { ok: false; reason: SignatureFailure };

export function stampedSignatureHex(secret: string, unixSeconds: string, rawBody: Buffer): string {
  return createHmac("sha256", secret).update(`${unixSeconds}.`).update(rawBody).digest("hex");
}

/** Parses `t=…,v1=…[,v1=…]`; several v1 entries let a sender rotate its secret. */
export function parseStampedHeader(header: string): { t: string; v1: string[] } | null {
  let t: string | null = null;
  const v1: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") t = value;
    else if (key === "v1") v1.push(value);
  }
  if (t === null || !/^\d{1,12}$/.test(t) || v1.length === 0) return null;
  return { t, v1 };
}

export function verifyStampedSignature(input: {
  secret: string;
  header: string | undefined;
  rawBody: Buffer;
  nowUtcMs: number;
  windowMs?: number;
}): SignatureCheck {
  if (!input.header) return { ok: false, reason: "missing" };
  const parsed = parseStampedHeader(input.header);
  if (!parsed) return { ok: false, reason: "malformed" };
  const sentAtMs = Number(parsed.t) * 1000;
  if (Math.abs(input.nowUtcMs - sentAtMs) > (input.windowMs ?? REPLAY_WINDOW_MS)) {
    return { ok: false, reason: "stale" };
  }
  const expected = stampedSignatureHex(input.secret, parsed.t, input.rawBody);
  const matched = parsed.v1.some((given) => equalHex(given, expected));
  return matched ? { ok: true, replayKey: expected } : { ok: false, reason: "mismatch" };
}

function equalHex(given: string, expected: string): boolean {
  if (!/^[0-9a-fA-F]+$/.test(given)) return false;
  const a = Buffer.from(given.toLowerCase(), "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}
