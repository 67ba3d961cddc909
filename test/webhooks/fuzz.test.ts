// Random and malformed deliveries to the public POST endpoints: never a 5xx; unsigned ones write
// nothing, and correctly signed nonsense is refused (4xx) or recorded, never half-written.

import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/engine/clock.ts";
import { calendlySignatureHeader } from "../../src/inbound/webhooks/calendlySignature.ts";
import { genericSignatureHeader } from "../../src/inbound/webhooks/genericSignature.ts";
import { hubSpotSignatureV3 } from "../../src/inbound/webhooks/hubspotSignature.ts";
import { createWorkspace, updateWorkspaceSettings } from "../../src/store/repos/workspaces.ts";
import type { Workspace } from "../../src/store/schema.ts";
import { describeEachEngine } from "../support/testStores.ts";
import { buildHookApp, PUBLIC_URL, rowCounts } from "./hookApp.ts";

const T0 = Date.UTC(2025, 10, 5, 9, 0, 0);
const SECRET = "fuzz-secret-0123456789abcdef";
const CONTENT_TYPES = [
  "application/json",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "multipart/form-data",
  "text/plain",
  "application/octet-stream",
  "",
];

const bodyArb = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json({ maxDepth: 4 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString("latin1")),
  fc.constantFrom(
    "List-Unsubscribe=One-Click",
    '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--xyz--',
    "[]",
    "{}",
    "null",
  ),
);

const weird = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("", "\u0000", "%_\\", "__proto__", "a@b.co", "x@y", "1e309"),
  fc.double(),
  fc.constantFrom(1e300, -1, 0, 2 ** 63, Number.MAX_SAFE_INTEGER, 253402300800001),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);

/** Mostly plausible, sometimes anything: gets deep into the mapping and the store. */
function often<T>(valid: fc.Arbitrary<T>) {
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: weird });
}

/** Payloads shaped like each sender's, with every field allowed to be wrong. */
const shapedArb = fc.oneof(
  fc
    .array(
      fc.record({
        eventId: often(fc.nat()),
        subscriptionType: fc.constantFrom(
          "deal.propertyChange",
          "contact.propertyChange",
          "contact.creation",
          "deal.creation",
          "x",
        ),
        objectId: often(fc.constantFrom(9001, 551, "552")),
        occurredAt: often(fc.integer({ min: 0, max: 2_000_000_000_000 })),
        portalId: often(fc.nat()),
        propertyName: fc.constantFrom("dealstage", "amount", "email"),
        propertyValue: often(fc.constantFrom("closedwon", "appointmentscheduled", "")),
      }),
      { maxLength: 4 },
    )
    .map((v) => JSON.stringify(v)),
  fc
    .record({
      event: fc.constantFrom("invitee.created", "invitee.canceled", "other"),
      created_at: often(fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
      payload: fc.record({
        uri: often(fc.webUrl()),
        email: often(fc.emailAddress()),
        name: often(fc.string({ maxLength: 30 })),
        first_name: weird,
        scheduled_event: fc.record({ start_time: weird, uri: weird }),
      }),
    })
    .map((v) => JSON.stringify(v)),
  fc
    .record({
      t: often(fc.constantFrom("form.submitted", "page.visited", "Bad Type")),
      e: often(fc.emailAddress()),
      at: often(
        fc.oneof(
          fc.nat(),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        ),
      ),
      x: fc.array(weird, { maxLength: 2 }),
    })
    .map((v) => JSON.stringify(v)),
);

describeEachEngine("webhook endpoints under fuzzing", (store) => {
  const clock = new ManualClock(T0);
  let app: FastifyInstance;
  let ws: Workspace;

  beforeAll(async () => {
    app = await buildHookApp(store().engine, clock);
    ws = await createWorkspace(store().engine.db, { name: "Fuzz" }, T0);
    await updateWorkspaceSettings(store().engine.db, ws.id, {
      webhooks: {
        hubspot: { clientSecret: SECRET },
        calendly: { signingKey: SECRET },
        sources: {
          any: { secret: SECRET, mapping: { type: "t", email: "e", occurred_at: "at", data: { x: "x.0" } } },
        },
      },
    });
  });
  afterAll(async () => {
    await app.close();
  });

  const paths = () => [
    `/v1/hooks/${ws.id}/hubspot`,
    `/v1/hooks/${ws.id}/calendly`,
    `/v1/hooks/${ws.id}/generic/any`,
    "/u/bm90LWEtdG9rZW4.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  ];

  it("unsigned or wrongly signed requests never 5xx and write nothing", async () => {
    const before = await rowCounts(store().engine);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths()),
        fc.constantFrom(...CONTENT_TYPES),
        bodyArb,
        fc.constantFrom("", "t=1,v1=00", "garbage", `t=${T0 / 1000},v1=${"a".repeat(64)}`),
        async (url, contentType, body, signature) => {
          const headers: Record<string, string> = {
            "x-nudge-signature": signature,
            "calendly-webhook-signature": signature,
            "x-hubspot-signature-v3": signature,
            "x-hubspot-request-timestamp": String(T0),
          };
          if (contentType) headers["content-type"] = contentType;
          const res = await app.inject({ method: "POST", url, headers, payload: body });
          expect(res.statusCode, `${url} ${contentType} ${res.body}`).toBeLessThan(500);
          expect(res.statusCode).toBeGreaterThanOrEqual(400);
        },
      ),
      { numRuns: 300 },
    );
    expect(await rowCounts(store().engine)).toEqual(before);
  });

  it("correctly signed nonsense is a 4xx or a recorded delivery, never a 5xx", async () => {
    let t = T0 / 1000;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 }),
        fc.oneof(bodyArb, shapedArb, shapedArb),
        async (which, text) => {
          const body = Buffer.from(text);
          t += 1; // a distinct signature each run: replays are another test
          clock.set(t * 1000);
          const url = paths()[which] ?? "";
          const headers: Record<string, string> = { "content-type": "application/json" };
          if (which === 0) {
            headers["x-hubspot-request-timestamp"] = String(t * 1000);
            headers["x-hubspot-signature-v3"] = hubSpotSignatureV3(
              SECRET,
              "POST",
              `${PUBLIC_URL}${url}`,
              body,
              String(t * 1000),
            );
          } else if (which === 1) {
            headers["calendly-webhook-signature"] = calendlySignatureHeader(SECRET, t, body);
          } else {
            headers["x-nudge-signature"] = genericSignatureHeader(SECRET, t, body);
          }
          const res = await app.inject({ method: "POST", url, headers, payload: body });
          expect(res.statusCode, `${url} ${text} ${res.body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 600 },
    );
  });
});
