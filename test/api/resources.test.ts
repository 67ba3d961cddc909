import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachEngine } from "../support/testStores.ts";
import { type ApiHarness, openApiHarness } from "./harness.ts";

const SMTP_PASS = "smtp-s3cret-Pa55";
const IMAP_PASS = "imap-s3cret-Pa55";

describeEachEngine("API resources", (store) => {
  let api: ApiHarness;
  let logged = "";
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    api = await openApiHarness(store().engine, { logger: pino({ level: "trace" }, sink) });
  });
  afterAll(async () => {
    await api.close();
  });

  it("never returns or logs mailbox credentials", async () => {
    const created = await api.call("POST", "/v1/mailboxes", {
      body: {
        name: "Sales",
        from_name: "Sam Sales",
        from_address: "Sam@Sales.Example",
        smtp: { host: "smtp.example.com", port: 587, user: "sam", pass: SMTP_PASS },
        imap: { host: "imap.example.com", port: 993, secure: true, user: "sam", pass: IMAP_PASS },
        is_default: true,
      },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      from_address: "sam@sales.example",
      smtp: { host: "smtp.example.com", port: 587, user: "sam", has_password: true, secure: false },
      imap: { mailbox: "INBOX", has_password: true },
      is_default: true,
    });
    const patched = await api.call("PATCH", `/v1/mailboxes/${created.json.id}`, {
      body: { smtp: { host: "smtp2.example.com" }, daily_limit: 50 },
    });
    expect(patched.json.smtp).toMatchObject({ host: "smtp2.example.com", has_password: true });
    const bad = await api.call("POST", "/v1/mailboxes", {
      body: {
        name: "x",
        from_name: "x",
        from_address: "x@x.com",
        smtp: { host: "h", port: 99999, pass: SMTP_PASS },
      },
    });
    expect(bad.status).toBe(422);
    const answers = [
      created.body,
      patched.body,
      bad.body,
      (await api.call("GET", "/v1/mailboxes")).body,
      (await api.call("GET", `/v1/mailboxes/${created.json.id}`)).body,
    ].join("\n");
    expect(answers).not.toContain(SMTP_PASS);
    expect(answers).not.toContain(IMAP_PASS);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged).not.toContain(SMTP_PASS);
    expect(logged).not.toContain(IMAP_PASS);
    expect(logged).not.toContain(api.keys.admin);
    // The stored settings kept the password an edit left out.
    const row = await api.engine.db
      .selectFrom("mailboxes")
      .select("smtp_json")
      .where("id", "=", created.json.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.smtp_json ?? "{}").pass).toBe(SMTP_PASS);
  });

  it("switches live only once a mailbox can send", async () => {
    const res = await api.call("GET", "/v1/workspace");
    expect(res.json).toMatchObject({ mode: "sandbox", clock: { test_clock: true } });
    expect(res.body).not.toContain("secret");
    const patched = await api.call("PATCH", "/v1/workspace", {
      body: {
        time_zone: "europe/berlin",
        settings: { concurrent_enrollment: "skip", caps: { emails_per_7_days: 3 } },
      },
    });
    expect(patched.json).toMatchObject({
      time_zone: "Europe/Berlin",
      settings: { concurrent_enrollment: "skip", caps: { emails_per_7_days: 3, sms_per_7_days: 1 } },
    });
    // The mailbox made in the previous test has SMTP settings; remove them to see the refusal.
    const mailboxes = await api.call("GET", "/v1/mailboxes");
    for (const m of mailboxes.json.data)
      await api.call("PATCH", `/v1/mailboxes/${m.id}`, { body: { smtp: null } });
    const refused = await api.call("POST", "/v1/workspace/live");
    expect(refused.status).toBe(409);
    expect(refused.json.detail).toMatch(/SMTP/);
    await api.call("PATCH", `/v1/mailboxes/${mailboxes.json.data[0].id}`, {
      body: { smtp: { host: "smtp.example.com", port: 465, secure: true, user: "u", pass: "p" } },
    });
    const live = await api.call("POST", "/v1/workspace/live");
    expect(live.status).toBe(200);
    expect(live.json).toMatchObject({ mode: "live", clock: { test_clock: false } });
    const advance = await api.call("POST", "/v1/sandbox/clock/advance", { body: { by: "1d" } });
    expect(advance.status).toBe(409);
    // Back to the sandbox for the tests that follow.
    await api.engine.db
      .updateTable("workspaces")
      .set({ mode: "sandbox" })
      .where("id", "=", api.workspace.id)
      .execute();
  });

  it("adds suppressions, lists and lifts them, and refuses values that do not fit their kind", async () => {
    const added = await api.call("POST", "/v1/suppressions", {
      body: { kind: "email", value: "Gone@Example.com", reason: "asked" },
    });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({
      created: true,
      suppression: { value: "gone@example.com", reason: "asked", source: "api" },
    });
    const again = await api.call("POST", "/v1/suppressions", {
      body: { kind: "email", value: "gone@example.com" },
    });
    expect(again.status).toBe(200);
    expect(again.json.created).toBe(false);
    const domain = await api.call("POST", "/v1/suppressions", {
      body: { kind: "domain", value: "competitor.example" },
    });
    expect(domain.status).toBe(201);
    const bad = await api.call("POST", "/v1/suppressions", { body: { kind: "phone", value: "not a phone" } });
    expect(bad.status).toBe(422);
    expect(bad.json.errors[0].field).toBe("value");
    const list = await api.call("GET", "/v1/suppressions?kind=email");
    expect(list.json.data.map((s: { value: string }) => s.value)).toEqual(["gone@example.com"]);
    expect((await api.call("DELETE", `/v1/suppressions/${domain.json.suppression.id}`)).status).toBe(204);
    expect((await api.call("DELETE", `/v1/suppressions/${domain.json.suppression.id}`)).status).toBe(404);
  });

  it("creates users and API keys; a key is shown once and can be revoked", async () => {
    const user = await api.call("POST", "/v1/users", {
      body: { email: "Mia@Team.test", name: "Mia", role: "manager" },
    });
    expect(user.status).toBe(201);
    expect(user.json).toMatchObject({ email: "mia@team.test", role: "manager", active: true });
    expect(
      (await api.call("POST", "/v1/users", { body: { email: "mia@team.test", name: "Mia 2" } })).status,
    ).toBe(409);
    const key = await api.call("POST", "/v1/keys", {
      body: { name: "zapier", scopes: ["ingest", "ingest"] },
    });
    expect(key.status).toBe(201);
    expect(key.json.scopes).toEqual(["ingest"]);
    const list = await api.call("GET", "/v1/keys");
    expect(list.body).not.toContain(key.json.key);
    expect(list.json.data.some((k: { id: string }) => k.id === key.json.id)).toBe(true);
    expect(
      (
        await api.call("POST", "/v1/events", {
          key: key.json.key,
          body: { type: "page.visited", email: "z@z.test" },
        })
      ).status,
    ).toBe(200);
    expect((await api.call("DELETE", `/v1/keys/${key.json.id}`)).status).toBe(204);
    expect(
      (
        await api.call("POST", "/v1/events", {
          key: key.json.key,
          body: { type: "page.visited", email: "z@z.test" },
        })
      ).status,
    ).toBe(401);
    expect((await api.call("POST", "/v1/keys", { body: { name: "none", scopes: [] } })).status).toBe(422);
  });

  it("upserts accounts by domain and keeps deals with their stage history", async () => {
    const account = await api.call("POST", "/v1/accounts", {
      body: { domain: "https://www.Acme.example/about", name: "Acme" },
    });
    expect(account.status).toBe(201);
    expect(account.json.domain).toBe("acme.example");
    const same = await api.call("POST", "/v1/accounts", {
      body: { domain: "acme.example", fields: { tier: "gold" } },
    });
    expect(same.status).toBe(200);
    expect(same.json).toMatchObject({ id: account.json.id, name: "Acme", fields: { tier: "gold" } });
    expect((await api.call("GET", `/v1/accounts/${account.json.id}`)).json.id).toBe(account.json.id);
    expect((await api.call("GET", "/v1/accounts")).json.data.length).toBeGreaterThan(0);
    const contact = await api.call("POST", "/v1/contacts", { body: { email: "buyer@acme.example" } });
    const deal = await api.call("POST", "/v1/deals", {
      body: {
        name: "Acme pilot",
        stage: "qualified",
        amount: 12000,
        currency: "usd",
        contact_id: contact.json.id,
        external_id: "crm-1",
      },
    });
    expect(deal.status).toBe(201);
    expect(deal.json).toMatchObject({ stage: "qualified", currency: "USD", amount: 12000 });
    expect(
      (await api.call("POST", "/v1/deals", { body: { name: "dup", stage: "x", external_id: "crm-1" } }))
        .status,
    ).toBe(409);
    expect(
      (await api.call("POST", "/v1/deals", { body: { name: "x", stage: "x", contact_id: "ct_nope" } })).json
        .errors[0].field,
    ).toBe("contact_id");
    const moved = await api.call("POST", `/v1/deals/${deal.json.id}/stage`, {
      body: { stage: "negotiation" },
    });
    expect(moved.json.stage).toBe("negotiation");
    const read = await api.call("GET", `/v1/deals/${deal.json.id}`);
    expect(read.json.stage_history.map((h: { to_stage: string }) => h.to_stage)).toEqual([
      "qualified",
      "negotiation",
    ]);
    const timeline = await api.call("GET", `/v1/contacts/${contact.json.id}/timeline`);
    const stageEvents = timeline.json.data.filter((i: { type: string }) => i.type === "deal.stage_changed");
    expect(stageEvents.map((e: { data: { to: string } }) => e.data.to)).toEqual(["negotiation", "qualified"]);
    expect((await api.call("GET", "/v1/deals?stage=negotiation")).json.data).toHaveLength(1);
  });
});
