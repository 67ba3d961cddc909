// Twilio's request signature: X-Twilio-Signature = base64(HMAC-SHA1(auth token, the full URL
// Twilio requested + each POST parameter's name and value, in sorted name order)). Verified in
// constant time over the parameters as received, before anything in them is trusted.

import { createHmac, timingSafeEqual } from "node:crypto";

export const TWILIO_SIGNATURE_HEADER = "x-twilio-signature";

export type FormParams = Readonly<Record<string, string | readonly string[]>>;

export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    // A repeated parameter contributes name+value once per value, values sorted (as Twilio's SDKs do).
    const values = typeof value === "string" ? [value] : [...(value ?? [])].sort();
    for (const v of values) data += name + v;
  }
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

export function verifyTwilioSignature(input: {
  authToken: string;
  url: string;
  params: FormParams;
  header: string | undefined;
}): boolean {
  if (!input.header) return false;
  const expected = Buffer.from(twilioSignature(input.authToken, input.url, input.params));
  const given = Buffer.from(input.header.trim());
  return expected.length === given.length && timingSafeEqual(expected, given);
}
