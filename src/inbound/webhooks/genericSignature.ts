// Signatures of generic webhook sources (a form tool, a product, a script):
// `X-Nudge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>`.

import { type SignatureCheck, stampedSignatureHex, verifyStampedSignature } from "./stampedSignature.ts";

export const GENERIC_SIGNATURE_HEADER = "x-nudge-signature";

export function verifyGenericSignature(input: {
  secret: string;
  header: string | undefined;
  rawBody: Buffer;
  nowUtcMs: number;
}): SignatureCheck {
  return verifyStampedSignature(input);
}

export function genericSignatureHeader(secret: string, unixSeconds: number, rawBody: Buffer): string {
  const t = String(Math.floor(unixSeconds));
  return `t=${t},v1=${stampedSignatureHex(secret, t, rawBody)}`;
}
