import { afterAll, beforeAll, expect, it } from "vitest";
import { createApiKey } from "../../src/store/repos/apiKeys.ts";
import { createWorkspace } from "../../src/store/repos/workspaces.ts";
import { describeEachEngine } from "../support/testStores.ts";
import { type ApiHarness, countAllRows, openApiHarness, T0 } from "./harness.ts";

describeEachEngine("Idempotency-Key", (store) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await openApiHarness(store().engine);
  });
  afterAll(async () => {
    await api.close();
  });

  it("replays the stored answer for the same key and body, writing nothing again", async () => {
    const headers = { "idempotency-key": "create-ada-1" };
    const body = { email: "ada.idem@example.com", first_name: "Ada" };
    const first = await api.call("POST", "/v1/contacts", { body, headers });
    expect(first.status).toBe(201);
    expect(first.headers["idempotent-replayed"]).toBeUndefined();
    const before = await countAllRows(api.engine);
    // Same JSON, keys in another order: still the same request.
    const again = await api.call("POST", "/v1/contacts", {
      body: { first_name: "Ada", email: "ada.idem@example.com" },
      headers,
    });
    expect(again.status).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.json).toEqual(first.json);
    expect(await countAllRows(api.engine)).toEqual(before);
  });

  it("refuses the same key with a different body (422)", async () => {
    const headers = { "idempotency-key": "create-bob-1" };
    expect(
      (await api.call("POST", "/v1/contacts", { body: { email: "bob.idem@example.com" }, headers })).status,
    ).toBe(201);
    const reuse = await api.call("POST", "/v1/contacts", {
      body: { email: "eve.idem@example.com" },
      headers,
    });
    expect(reuse.status).toBe(422);
    expect(reuse.json.type).toBe("urn:nudge:problem:idempotency-key-reused");
    expect(reuse.json.errors[0].field).toBe("Idempotency-Key");
    const otherPath = await api.call("POST", "/v1/accounts", { body: { domain: "example.com" }, headers });
    expect(otherPath.status).toBe(422);
  });

  it("does not store a rejected request: the corrected retry with the same key goes through", async () => {
    const headers = { "idempotency-key": "fix-me" };
    expect((await api.call("POST", "/v1/contacts", { body: { email: "nope" }, headers })).status).toBe(422);
    const fixed = await api.call("POST", "/v1/contacts", {
      body: { email: "fixed.idem@example.com" },
      headers,
    });
    expect(fixed.status).toBe(201);
  });

  it("keeps keys per workspace", async () => {
    const other = await createWorkspace(api.engine.db, { name: "Other" }, T0);
    const { key } = await createApiKey(api.engine.db, other.id, { name: "o", scopes: ["admin"] }, T0);
    const headers = { "idempotency-key": "shared-key" };
    const mine = await api.call("POST", "/v1/contacts", { body: { email: "one@shared.test" }, headers });
    const theirs = await api.call("POST", "/v1/contacts", {
      key,
      body: { email: "two@shared.test" },
      headers,
    });
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers["idempotent-replayed"]).toBeUndefined();
    expect(theirs.json.id).not.toBe(mine.json.id);
  });

  it("replays answers of routes that do not write through a transaction of their own", async () => {
    const headers = { "idempotency-key": "advance-1" };
    const first = await api.call("POST", "/v1/sandbox/clock/advance", { body: { by: "1h" }, headers });
    expect(first.status).toBe(200);
    const again = await api.call("POST", "/v1/sandbox/clock/advance", { body: { by: "1h" }, headers });
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.json).toEqual(first.json);
    const clock = await api.call("GET", "/v1/sandbox/clock");
    expect(clock.json.now).toBe(first.json.to);
  });

  it("never repeats a new API key in a replay", async () => {
    const headers = { "idempotency-key": "new-key-1" };
    const first = await api.call("POST", "/v1/keys", { body: { name: "ci", scopes: ["ingest"] }, headers });
    expect(first.status).toBe(201);
    expect(first.json.key).toMatch(/^nk_/);
    const again = await api.call("POST", "/v1/keys", { body: { name: "ci", scopes: ["ingest"] }, headers });
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.json.id).toBe(first.json.id);
    expect(again.json.key).not.toBe(first.json.key);
    const stored = await api.engine.db
      .withTables<{ idempotency_keys: { response_json: string } }>()
      .selectFrom("idempotency_keys")
      .select("response_json")
      .execute();
    expect(stored.some((r) => r.response_json.includes(first.json.key))).toBe(false);
  });

  it("two retries racing with the same key create one contact and give the same answer", async () => {
    const headers = { "idempotency-key": "race-1" };
    const body = { email: "race@example.com", first_name: "Rae" };
    const [a, b] = await Promise.all([
      api.call("POST", "/v1/contacts", { body, headers }),
      api.call("POST", "/v1/contacts", { body, headers }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.json.id).toBe(b.json.id);
    expect([a.headers["idempotent-replayed"], b.headers["idempotent-replayed"]].filter(Boolean)).toEqual([
      "true",
    ]);
    const found = await api.call("GET", "/v1/contacts?q=race@example.com");
    expect(found.json.data).toHaveLength(1);
  });

  it("refuses a malformed key", async () => {
    const res = await api.call("POST", "/v1/contacts", {
      body: { email: "k@example.com" },
      headers: { "idempotency-key": "x".repeat(300) },
    });
    expect(res.status).toBe(400);
    expect(res.json.errors[0].field).toBe("Idempotency-Key");
  });
});
