// Thousands of random and malformed bodies at every POST endpoint: never a 5xx, and a
// rejected request leaves every table's row count as it was (nothing half-written). The files
// fuzz.sqlite-*.test.ts share the SQLite budget and fuzz.postgres.test.ts runs a smaller one,
// so they run side by side.

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EngineKind, openTestStore, type TestStore } from "../support/testStores.ts";
import { type ApiHarness, countAllRows, openApiHarness, twoEmailSequence } from "./harness.ts";

/** Runs per endpoint: the full budget on SQLite, a smaller one on PostgreSQL (same code path). */
const RUNS: Record<EngineKind, number> = { sqlite: 1000, postgres: 100 };

interface Target {
  path: string;
  /** A valid body the near-valid generator mutates field by field. */
  template: Record<string, unknown>;
}

const CONTENT_TYPES = [
  "application/json",
  "text/csv",
  "application/yaml",
  "text/plain",
  "application/xml",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=latin1",
  "message/rfc822",
];

type Attempt = { payload?: string; contentType?: string };

function attempts(template: Record<string, unknown>): fc.Arbitrary<Attempt> {
  const fieldValue = (valid: unknown) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(valid) },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
      { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
      { weight: 1, arbitrary: fc.constantFrom(null, "", 0, -1, 1e308, true, [], {}) },
    );
  const nearValid = fc
    .tuple(
      fc.record(Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fieldValue(v)])), {
        requiredKeys: [],
      }),
      fc.option(fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })),
    )
    .map(([body, extra]) => ({ ...body, ...(extra ?? {}) }));
  return fc.oneof(
    {
      weight: 5,
      arbitrary: nearValid.map((b) => ({ payload: JSON.stringify(b), contentType: "application/json" })),
    },
    {
      weight: 2,
      arbitrary: fc
        .jsonValue({ maxDepth: 4 })
        .map((v) => ({ payload: JSON.stringify(v), contentType: "application/json" })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...CONTENT_TYPES, undefined), fc.string({ unit: "binary", maxLength: 200 }))
        .map(([contentType, payload]) => ({ payload, ...(contentType ? { contentType } : {}) })),
    },
    { weight: 1, arbitrary: fc.constant({}) },
  );
}

/**
 * `share` splits the endpoints between files (`{ part: 0, of: 2 }` takes every other one), so
 * the SQLite budget runs on two workers side by side; each file has its own store.
 */
export function fuzzSuite(kind: EngineKind, share: { part: number; of: number } = { part: 0, of: 1 }): void {
  describe(`API fuzz [${kind}]${share.of > 1 ? ` part ${share.part + 1} of ${share.of}` : ""}`, () => {
    let store: TestStore;
    let api: ApiHarness;
    const targets: Target[] = [];

    beforeAll(async () => {
      store = await openTestStore(kind);
      api = await openApiHarness(store.engine);
      const seq = await api.call("POST", "/v1/sequences", {
        raw: twoEmailSequence("fuzz"),
        contentType: "application/yaml",
      });
      await api.call("POST", "/v1/sequences/fuzz/activate");
      const contact = await api.call("POST", "/v1/contacts", { body: { email: "fuzz@example.com" } });
      const deal = await api.call("POST", "/v1/deals", {
        body: { name: "d", stage: "new", contact_id: contact.json.id },
      });
      const enrolled = await api.call("POST", "/v1/enrollments", {
        body: { sequence_id: "fuzz", contact_id: contact.json.id },
      });
      const enrollmentId = enrolled.json.results[0].enrollment.id;
      const task = await api.engine.db
        .insertInto("tasks")
        .values({
          id: "task_fuzz",
          workspace_id: api.workspace.id,
          enrollment_id: null,
          contact_id: contact.json.id,
          step_id: null,
          idempotency_key: null,
          type: "task",
          assignee_id: null,
          title: "fuzz",
          note: null,
          data_json: "{}",
          due_at: 0,
          window_end_at: null,
          status: "open",
          outcome: null,
          completed_at: null,
          created_at: 0,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const contactRef = { email: "a@b.co", first_name: "A", tags: ["x"], fields: { plan: "pro" } };
      targets.push(
        { path: "/v1/contacts", template: contactRef },
        { path: "/v1/contacts/import", template: { contacts: [contactRef, { email: "bad" }] } },
        { path: "/v1/accounts", template: { domain: "acme.example", name: "Acme", fields: { tier: 1 } } },
        {
          path: "/v1/deals",
          template: { name: "Deal", stage: "new", amount: 10, currency: "EUR", contact_id: contact.json.id },
        },
        { path: `/v1/deals/${deal.json.id}/stage`, template: { stage: "won" } },
        { path: "/v1/sequences", template: { source: twoEmailSequence("fuzz-two") } },
        { path: `/v1/sequences/${seq.json.id}/activate`, template: {} },
        { path: `/v1/sequences/${seq.json.id}/pause`, template: {} },
        {
          path: `/v1/sequences/${seq.json.id}/simulate`,
          template: { contact: { first_name: "F" }, max_paths: 3 },
        },
        {
          path: "/v1/enrollments",
          template: { sequence_id: "fuzz", email: "e@fuzz.test", contacts: [{ email: "f@fuzz.test" }] },
        },
        { path: `/v1/enrollments/${enrollmentId}/pause`, template: { until: "2027-01-01T00:00:00Z" } },
        { path: `/v1/enrollments/${enrollmentId}/resume`, template: {} },
        { path: `/v1/enrollments/${enrollmentId}/exit`, template: { reason: "manual", detail: "x" } },
        {
          path: "/v1/events",
          template: {
            type: "form.submitted",
            email: "ev@fuzz.test",
            data: { form: "x" },
            occurred_at: "2026-11-02T10:00:00Z",
            events: [{ type: "page.visited", contact_id: contact.json.id }],
          },
        },
        { path: `/v1/tasks/${task.id}/complete`, template: { outcome: "no_answer", note: "n" } },
        { path: "/v1/suppressions", template: { kind: "email", value: "s@fuzz.test", reason: "r" } },
        {
          path: "/v1/mailboxes",
          template: {
            name: "m",
            from_name: "M",
            from_address: "m@fuzz.test",
            smtp: { host: "h", port: 25, pass: "p" },
            daily_limit: 5,
          },
        },
        { path: "/v1/users", template: { email: "u@fuzz.test", name: "U", role: "rep" } },
        { path: "/v1/keys", template: { name: "k", scopes: ["rep"] } },
        { path: "/v1/workspace/live", template: {} },
        { path: "/v1/sandbox/clock/advance", template: { by: "2h" } },
        { path: "/v1/inbound/classify", template: { raw: "From: a@b.co\r\nSubject: Re: hi\r\n\r\nThanks!" } },
        { path: "/v1/inbound/messages", template: { raw: "From: a@b.co\r\nSubject: Re: hi\r\n\r\nThanks!" } },
        // The webhook and unsubscribe plugins' POSTs (all but /v1/webhooks/{id}/test, which calls out).
        {
          path: "/v1/webhooks",
          template: { url: "https://hooks.example.com/nudge", event_types: ["enrollment.exited"] },
        },
        {
          path: `/v1/hooks/${api.workspace.id}/hubspot`,
          template: { subscriptionType: "deal.propertyChange" },
        },
        { path: `/v1/hooks/${api.workspace.id}/calendly`, template: { event: "invitee.created" } },
        {
          path: `/v1/hooks/${api.workspace.id}/generic/crm`,
          template: { type: "form.submitted", email: "g@fuzz.test" },
        },
        { path: "/u/not-a-token", template: { "List-Unsubscribe": "One-Click" } },
      );
    }, 60_000);

    afterAll(async () => {
      await api.close();
      await store.close();
    });

    it("no POST endpoint answers 5xx to random bodies, and rejected ones write nothing", async () => {
      let counts = await countAllRows(api.engine);
      let requests = 0;
      const mine = targets.filter((_, i) => i % share.of === share.part);
      for (const target of mine) {
        await fc.assert(
          fc.asyncProperty(attempts(target.template), async (attempt) => {
            const headers: Record<string, string> = { authorization: `Bearer ${api.keys.admin}` };
            if (attempt.contentType) headers["content-type"] = attempt.contentType;
            const response = await api.app.inject({
              method: "POST",
              url: target.path,
              headers,
              ...(attempt.payload !== undefined ? { payload: attempt.payload } : {}),
            });
            requests += 1;
            if (response.statusCode >= 500) {
              throw new Error(`${target.path} answered ${response.statusCode}: ${response.body}`);
            }
            const after = await countAllRows(api.engine);
            if (response.statusCode >= 400) {
              // The unsubscribe page answers people in HTML; the API answers in problem+json.
              if (target.path.startsWith("/v1/")) {
                expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
              }
              expect(after, `${target.path} ${response.statusCode} ${response.body}`).toEqual(counts);
            }
            counts = after;
          }),
          { numRuns: RUNS[kind], seed: 20261102 },
        );
      }
      expect(requests).toBe(mine.length * RUNS[kind]);
    }, 300_000);
  });
}
