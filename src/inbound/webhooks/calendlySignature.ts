// Calendly's webhook signature: `Calendly-Webhook-Signature: t=<unix seconds>,v1=<hex>` where
// v1 = hex(HMAC-SHA256(signing key, t + "." + raw body)). Verified before the body is parsed.

import { type SignatureCheck, stampedSignatureHex, verifyStampedSignature } from "./stampedSignature.ts";

export const CALENDLY_SIGNATURE_HEADER = "calendly-webhook-signature";

export function verifyCalendlySignature(input: {
  signingKey: string;
  header: string | undefined;
  rawBody: Buffer;
  nowUtcMs: number;
}): SignatureCheck {
  return verifyStampedSignature({
    secret: input.signingKey,
    header: input.header,
    rawBody: input.rawBody,
    nowUtcMs: input.nowUtcMs,
  });
}

/** The header Calendly would send for this body at this time (tests, docs). */
export function calendlySignatureHeader(signingKey: string, unixSeconds: number, rawBody: Buffer): string {
  const t = String(Math.floor(unixSeconds));
  return `t=${t},v1=${stampedSignatureHex(signingKey, t, rawBody)}`;
}
