// HubSpot's v3 request signature: `X-HubSpot-Signature-v3` = base64(HMAC-SHA256(client secret,
// method + URI + raw body + timestamp)) with `X-HubSpot-Request-Timestamp` in milliseconds.
// The URI is the full URL HubSpot called, so it is our public URL, not the socket's address.

import { createHmac, timingSafeEqual } from "node:crypto";
import { REPLAY_WINDOW_MS, type SignatureCheck } from "./stampedSignature.ts";

export const HUBSPOT_SIGNATURE_HEADER = "x-hubspot-signature-v3";
export const HUBSPOT_TIMESTAMP_HEADER = "x-hubspot-request-timestamp";

// HubSpot signs the URI with these escapes decoded (its documented list); anything else stays
// as sent. Decoding only these keeps `%25` and friends from turning into a different URI.
const DECODED_ESCAPES: Record<string, string> = {
  "%3A": ":",
  "%2F": "/",
  "%3F": "?",
  "%40": "@",
  "%21": "!",
  "%24": "$",
  "%27": "'",
  "%28": "(",
  "%29": ")",
  "%2A": "*",
  "%2C": ",",
  "%3B": ";",
};

export function hubSpotSignedUri(uri: string): string {
  return uri.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (m) => DECODED_ESCAPES[m.toUpperCase()] ?? m,
  );
}

export function hubSpotSignatureV3(
  clientSecret: string,
  method: string,
  uri: string,
  rawBody: Buffer,
  timestamp: string,
): string {
  return createHmac("sha256", clientSecret)
    .update(`${method.toUpperCase()}${hubSpotSignedUri(uri)}`)
    .update(rawBody)
    .update(timestamp)
    .digest("base64");
}

export function verifyHubSpotSignature(input: {
  clientSecret: string;
  method: string;
  /** The full public URL of the request: scheme, host, path and query. */
  uri: string;
  rawBody: Buffer;
  signatureHeader: string | undefined;
  timestampHeader: string | undefined;
  nowUtcMs: number;
}): SignatureCheck {
  const { signatureHeader: given, timestampHeader: timestamp } = input;
  if (!given || !timestamp) return { ok: false, reason: "missing" };
  if (!/^\d{1,15}$/.test(timestamp)) return { ok: false, reason: "malformed" };
  // HubSpot's rule is "older than 5 minutes"; a timestamp far ahead is refused too, or a
  // captured request signed with a future time would stay replayable for longer.
  if (Math.abs(input.nowUtcMs - Number(timestamp)) > REPLAY_WINDOW_MS) return { ok: false, reason: "stale" };
  const expected = hubSpotSignatureV3(input.clientSecret, input.method, input.uri, input.rawBody, timestamp);
  const a = Buffer.from(given.trim(), "utf8");
  const b = Buffer.from(expected, "utf8");
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: "mismatch" };
  return { ok: true, replayKey: expected };
}
