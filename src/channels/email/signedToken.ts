// Tokens in public URLs (unsubscribe, open pixel, click redirect): the payload names the
// message and purpose, and an HMAC-SHA256 tag makes any altered or forged token worthless.

import { createHmac, timingSafeEqual } from "node:crypto";

export type TokenPurpose = "u" | "o" | "c";

export interface TokenPayload {
  purpose: TokenPurpose;
  messageId: string;
  /** For clicks: the index of the link in the message as sent. */
  link?: number;
}

function encodePayload(p: TokenPayload): string {
  return [p.purpose, p.messageId, p.link ?? ""].join(":");
}

function tag(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body).digest("base64url").slice(0, 32);
}

export function signToken(secret: string, payload: TokenPayload): string {
  const body = Buffer.from(encodePayload(payload)).toString("base64url");
  return `${body}.${tag(secret, body)}`;
}

/** The payload of a genuine token, or null for anything altered, truncated or forged. */
export function verifyToken(secret: string, token: string, purpose: TokenPurpose): TokenPayload | null {
  const dot = token.indexOf(".");
  if (dot <= 0) return null;
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(tag(secret, body));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const [p, messageId, link] = Buffer.from(body, "base64url").toString("utf8").split(":");
  if (p !== purpose || !messageId) return null;
  const payload: TokenPayload = { purpose, messageId };
  if (link !== undefined && link !== "") {
    const index = Number(link);
    if (!Number.isInteger(index) || index < 0) return null;
    payload.link = index;
  }
  return payload;
}
