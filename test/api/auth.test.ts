import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../src/api/server.ts";
import { ManualClock } from "../../src/engine/clock.ts";
import { createApiKey, revokeApiKey } from "../../src/store/repos/apiKeys.ts";
import { describeEachEngine, openTestStore } from "../support/testStores.ts";
import { type ApiHarness, openApiHarness, T0 } from "./harness.ts";

describeEachEngine("API auth, errors and public routes", (store) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await openApiHarness(store().engine);
  });
  afterAll(async () => {
    await api.close();
  });

  it("answers 401 problem+json without a key, with a malformed header, and with an unknown key", async () => {
    for (const key of [null, "", "nk_not_a_real_key"]) {
      const res = await api.call("GET", "/v1/contacts", { key });
      expect(res.status).toBe(401);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
      expect(res.json).toMatchObject({
        type: "urn:nudge:problem:unauthorized",
        status: 401,
        title: expect.any(String),
      });
    }
    const basic = await api.call("GET", "/v1/contacts", {
      key: null,
      headers: { authorization: "Basic YTpi" },
    });
    expect(basic.status).toBe(401);
  });

  it("refuses a revoked key", async () => {
    const { key, row } = await createApiKey(
      api.engine.db,
      api.workspace.id,
      { name: "soon gone", scopes: ["admin"] },
      T0,
    );
    expect((await api.call("GET", "/v1/workspace", { key })).status).toBe(200);
    await revokeApiKey(api.engine.db, api.workspace.id, row.id, T0);
    expect((await api.call("GET", "/v1/workspace", { key })).status).toBe(401);
  });

  it("lets an ingest key post events and contacts but read nothing", async () => {
    const { ingest } = api.keys;
    const event = await api.call("POST", "/v1/events", {
      key: ingest,
      body: { type: "form.submitted", email: "ingest@example.com", data: { form: "demo" } },
    });
    expect(event.status).toBe(200);
    expect(
      (await api.call("POST", "/v1/contacts", { key: ingest, body: { email: "in2@example.com" } })).status,
    ).toBe(201);
    const read = await api.call("GET", "/v1/contacts", { key: ingest });
    expect(read.status).toBe(403);
    expect(read.json.type).toBe("urn:nudge:problem:forbidden");
    expect(
      (await api.call("POST", "/v1/keys", { key: ingest, body: { name: "x", scopes: ["admin"] } })).status,
    ).toBe(403);
  });

  it("lets a rep read everything and write contacts, but not manage keys, mailboxes or sequences", async () => {
    const { rep } = api.keys;
    expect((await api.call("GET", "/v1/keys", { key: rep })).status).toBe(200);
    expect((await api.call("GET", "/v1/mailboxes", { key: rep })).status).toBe(200);
    expect(
      (await api.call("POST", "/v1/contacts", { key: rep, body: { email: "rep@example.com" } })).status,
    ).toBe(201);
    expect(
      (await api.call("POST", "/v1/keys", { key: rep, body: { name: "x", scopes: ["rep"] } })).status,
    ).toBe(403);
    expect((await api.call("DELETE", "/v1/keys/key_whatever", { key: rep })).status).toBe(403);
    expect(
      (await api.call("POST", "/v1/sequences", { key: rep, raw: "id: x", contentType: "application/yaml" }))
        .status,
    ).toBe(403);
    expect(
      (
        await api.call("POST", "/v1/mailboxes", {
          key: rep,
          body: { name: "m", from_name: "M", from_address: "m@x.com" },
        })
      ).status,
    ).toBe(403);
  });

  it("serves health, readiness, metrics, the OpenAPI document and the reference page without a key", async () => {
    expect((await api.call("GET", "/healthz", { key: null })).json).toEqual({ status: "ok" });
    expect((await api.call("GET", "/readyz", { key: null })).json).toEqual({
      status: "ready",
      engine: store().kind,
    });
    const metrics = await api.app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain("nudge_outbox_queued");
    expect(metrics.body).toContain("nudge_scheduler_lag_seconds");
    expect(metrics.body).toContain("process_cpu_user_seconds_total");
    expect(metrics.body).toContain("nudge_http_requests_total");
    const doc = await api.app.inject({ method: "GET", url: "/openapi.json" });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().openapi).toBe("3.1.0");
    const docs = await api.app.inject({ method: "GET", url: "/docs/" });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers["content-type"]).toMatch(/text\/html/);
    const docsJson = await api.app.inject({ method: "GET", url: "/docs/json" });
    expect(docsJson.statusCode).toBe(200);
  });

  it("answers unknown routes with a 404 problem, key or not", async () => {
    for (const key of [null, api.keys.admin]) {
      const res = await api.call("GET", "/v1/nothing-here", { key });
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ type: "urn:nudge:problem:not-found", status: 404 });
    }
    const missing = await api.call("GET", "/v1/contacts/ct_missing");
    expect(missing.status).toBe(404);
    expect(missing.json.detail).toContain("ct_missing");
  });

  it("turns malformed JSON, a wrong content type and a huge body into 4xx problems", async () => {
    const broken = await api.call("POST", "/v1/contacts", {
      raw: '{"email": ',
      contentType: "application/json",
    });
    expect(broken.status).toBe(400);
    expect(broken.json.type).toBe("urn:nudge:problem:bad-request");
    const empty = await api.call("POST", "/v1/contacts", { raw: "", contentType: "application/json" });
    expect(empty.status).toBe(400);
    const xml = await api.call("POST", "/v1/contacts", { raw: "<contact/>", contentType: "application/xml" });
    expect(xml.status).toBe(415);
    const huge = await api.call("POST", "/v1/contacts", {
      raw: JSON.stringify({ email: "a@b.co", title: "x".repeat(2_000_000) }),
      contentType: "application/json",
    });
    expect(huge.status).toBe(413);
    const poisoned = await api.call("POST", "/v1/contacts", {
      raw: '{"email":"a@b.co","__proto__":{"admin":true}}',
      contentType: "application/json",
    });
    expect(poisoned.status).toBe(400);
  });

  it("names the offending field as a dotted path, with the index inside a batch", async () => {
    const events = [0, 1, 2, 3].map((i) => ({ type: "page.visited", email: `v${i}@example.com` }));
    const res = await api.call("POST", "/v1/events", {
      body: { events: events.map((e, i) => (i === 3 ? { ...e, type: "Not A Type" } : e)) },
    });
    expect(res.status).toBe(422);
    expect(res.json.type).toBe("urn:nudge:problem:validation-failed");
    expect(res.json.errors).toEqual([{ field: "events[3].type", message: expect.any(String) }]);
    const nested = await api.call("POST", "/v1/contacts", {
      body: { email: "a@b.co", time_zone: "Mars/Base" },
    });
    expect(nested.status).toBe(422);
    expect(nested.json.errors[0].field).toBe("time_zone");
    const typo = await api.call("POST", "/v1/contacts", { body: { email: "a@b.co", fist_name: "Ada" } });
    expect(typo.json.errors).toEqual([{ field: "fist_name", message: "unknown field" }]);
    const query = await api.call("GET", "/v1/contacts?limit=0");
    expect(query.status).toBe(400);
    expect(query.json.errors[0].field).toBe("limit");
    const nul = await api.call("POST", "/v1/contacts", {
      body: { email: "a@b.co", fields: { note: "a\u0000b" } },
    });
    expect(nul.status).toBe(422);
    expect(nul.json.errors[0].field).toBe("fields.note");
  });
});

describe("API internal errors", () => {
  it("answers a 500 problem without a stack when the database breaks under a route", async () => {
    const store = await openTestStore("sqlite");
    try {
      const { key } = await createApiKey(
        store.engine.db,
        (
          await store.engine.db
            .insertInto("workspaces")
            .values({
              id: "ws_broken",
              name: "b",
              mode: "sandbox",
              time_zone: "UTC",
              clock_at: null,
              settings_json: "{}",
              created_at: T0,
            })
            .returning("id")
            .executeTakeFirstOrThrow()
        ).id,
        { name: "a", scopes: ["admin"] },
        T0,
      );
      const app = await buildServer({
        engine: store.engine,
        clock: new ManualClock(T0),
        publicUrl: "http://x.test",
        logger: false,
      });
      await store.engine.db.schema.dropTable("users").execute();
      const res = await app.inject({
        method: "GET",
        url: "/v1/users",
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.statusCode).toBe(500);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      const body = res.json();
      expect(body).toMatchObject({ type: "urn:nudge:problem:internal", status: 500 });
      expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|users|stack/i);
      await app.close();
    } finally {
      await store.close();
    }
  });
});
