// Signature schemes of incoming webhooks, checked against an independent implementation (the
// openssl command line the docs tell people to use) and for every way a delivery can be wrong.

import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  calendlySignatureHeader,
  verifyCalendlySignature,
} from "../../src/inbound/webhooks/calendlySignature.ts";
import {
  genericSignatureHeader,
  verifyGenericSignature,
} from "../../src/inbound/webhooks/genericSignature.ts";
import {
  hubSpotSignatureV3,
  hubSpotSignedUri,
  verifyHubSpotSignature,
} from "../../src/inbound/webhooks/hubspotSignature.ts";
import { parseStampedHeader } from "../../src/inbound/webhooks/stampedSignature.ts";
import { fixture } from "./hookApp.ts";

const NOW = Date.UTC(2025, 10, 2, 15, 0, 0);
const MIN = 60_000;

function opensslHmac(key: string, data: Buffer, encoding: "hex" | "base64"): string {
  const digest = execFileSync("openssl", ["dgst", "-sha256", "-hmac", key, "-binary"], { input: data });
  return digest.toString(encoding);
}

describe("HubSpot v3 signature", () => {
  const secret = "a3c0f9d2-7b4e-4f1a-9c3e-2d8b6e1f0a47";
  const uri = "https://nudge.example.test/v1/hooks/ws_01abc/hubspot";
  const body = fixture("hubspot-deal-stage-change.json");
  const ts = String(NOW - 30_000);
  const signature = hubSpotSignatureV3(secret, "POST", uri, body, ts);
  const base = {
    clientSecret: secret,
    method: "POST",
    uri,
    rawBody: body,
    signatureHeader: signature,
    timestampHeader: ts,
    nowUtcMs: NOW,
  };

  it("is base64 HMAC-SHA256 of method + URI + body + timestamp, as openssl computes it", () => {
    const source = Buffer.concat([Buffer.from(`POST${uri}`), body, Buffer.from(ts)]);
    expect(signature).toBe(opensslHmac(secret, source, "base64"));
  });

  it("accepts a genuine delivery and keys replays by the signature", () => {
    expect(verifyHubSpotSignature(base)).toEqual({ ok: true, replayKey: signature });
  });

  it("refuses a changed body, URI, method or secret", () => {
    const changed = Buffer.from(body.toString("utf8").replace("closedwon", "closedlost"));
    expect(verifyHubSpotSignature({ ...base, rawBody: changed })).toEqual({ ok: false, reason: "mismatch" });
    expect(verifyHubSpotSignature({ ...base, uri: `${uri}?x=1` })).toEqual({ ok: false, reason: "mismatch" });
    expect(verifyHubSpotSignature({ ...base, method: "PUT" })).toEqual({ ok: false, reason: "mismatch" });
    expect(verifyHubSpotSignature({ ...base, clientSecret: "another" })).toEqual({
      ok: false,
      reason: "mismatch",
    });
  });

  it("refuses timestamps older than 5 minutes or more than 5 minutes ahead", () => {
    const old = String(NOW - 5 * MIN - 1);
    const oldSig = hubSpotSignatureV3(secret, "POST", uri, body, old);
    expect(verifyHubSpotSignature({ ...base, timestampHeader: old, signatureHeader: oldSig })).toEqual({
      ok: false,
      reason: "stale",
    });
    const ahead = String(NOW + 5 * MIN + 1);
    const aheadSig = hubSpotSignatureV3(secret, "POST", uri, body, ahead);
    expect(verifyHubSpotSignature({ ...base, timestampHeader: ahead, signatureHeader: aheadSig })).toEqual({
      ok: false,
      reason: "stale",
    });
    const edge = String(NOW - 5 * MIN);
    const edgeSig = hubSpotSignatureV3(secret, "POST", uri, body, edge);
    expect(verifyHubSpotSignature({ ...base, timestampHeader: edge, signatureHeader: edgeSig }).ok).toBe(
      true,
    );
  });

  it("says which header is missing or unreadable", () => {
    expect(verifyHubSpotSignature({ ...base, signatureHeader: undefined })).toEqual({
      ok: false,
      reason: "missing",
    });
    expect(verifyHubSpotSignature({ ...base, timestampHeader: undefined })).toEqual({
      ok: false,
      reason: "missing",
    });
    expect(verifyHubSpotSignature({ ...base, timestampHeader: "yesterday" })).toEqual({
      ok: false,
      reason: "malformed",
    });
  });

  it("decodes only HubSpot's listed escapes in the signed URI", () => {
    expect(hubSpotSignedUri("https://h.test/a%3Ab%2Fc?d%3De%40f%2a")).toBe("https://h.test/a:b/c?d%3De@f*");
    expect(hubSpotSignedUri("https://h.test/%25%2F")).toBe("https://h.test/%25/");
  });
});

describe("Calendly signature", () => {
  const key = "cal_sk_3qVw8yZpR1tLx6Nn0bHsCe5JmKdUa2Fo";
  const body = fixture("calendly-invitee-created.json");
  const t = Math.floor(NOW / 1000) - 20;
  const header = calendlySignatureHeader(key, t, body);
  const base = { signingKey: key, header, rawBody: body, nowUtcMs: NOW };

  it("is hex HMAC-SHA256 of t + '.' + body, as openssl computes it", () => {
    const v1 = parseStampedHeader(header)?.v1[0];
    expect(v1).toBe(opensslHmac(key, Buffer.concat([Buffer.from(`${t}.`), body]), "hex"));
  });

  it("accepts a genuine delivery; the replay key is the canonical signature", () => {
    const v1 = parseStampedHeader(header)?.v1[0] ?? "";
    expect(verifyCalendlySignature(base)).toEqual({ ok: true, replayKey: v1 });
    // Upper-case hex verifies too, but cannot pose as a second delivery.
    const upper = `t=${t},v1=${v1.toUpperCase()}`;
    expect(verifyCalendlySignature({ ...base, header: upper })).toEqual({ ok: true, replayKey: v1 });
  });

  it("refuses a wrong key, a changed body, a stale or future t", () => {
    expect(verifyCalendlySignature({ ...base, signingKey: "nope-nope-nope" })).toEqual({
      ok: false,
      reason: "mismatch",
    });
    expect(verifyCalendlySignature({ ...base, rawBody: Buffer.concat([body, Buffer.from(" ")]) })).toEqual({
      ok: false,
      reason: "mismatch",
    });
    const stale = calendlySignatureHeader(key, t - 6 * 60, body);
    expect(verifyCalendlySignature({ ...base, header: stale })).toEqual({ ok: false, reason: "stale" });
    const future = calendlySignatureHeader(key, t + 6 * 60, body);
    expect(verifyCalendlySignature({ ...base, header: future })).toEqual({ ok: false, reason: "stale" });
  });

  it("accepts any one of several v1 values (key rotation)", () => {
    const v1 = parseStampedHeader(header)?.v1[0] ?? "";
    const rotated = `t=${t},v1=${"0".repeat(64)},v1=${v1}`;
    expect(verifyCalendlySignature({ ...base, header: rotated }).ok).toBe(true);
  });

  it("refuses headers it cannot read", () => {
    for (const bad of ["", "v1=abc", `t=${t}`, `t=soon,v1=abc`, "garbage", `t=${t},v1=zz`]) {
      const result = verifyCalendlySignature({ ...base, header: bad });
      expect(result.ok, bad).toBe(false);
    }
    expect(verifyCalendlySignature({ ...base, header: undefined })).toEqual({ ok: false, reason: "missing" });
  });
});

describe("generic X-Nudge-Signature", () => {
  it("any body signed with the secret verifies, and any changed byte does not", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.string({ minLength: 16, maxLength: 40 }),
        fc.nat(),
        (bytes, secret, flip) => {
          const body = Buffer.from(bytes);
          const header = genericSignatureHeader(secret, NOW / 1000, body);
          expect(verifyGenericSignature({ secret, header, rawBody: body, nowUtcMs: NOW }).ok).toBe(true);
          const changed = Buffer.from(body);
          const i = flip % changed.length;
          changed[i] = (changed[i] ?? 0) ^ 0x01;
          expect(verifyGenericSignature({ secret, header, rawBody: changed, nowUtcMs: NOW })).toEqual({
            ok: false,
            reason: "mismatch",
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
