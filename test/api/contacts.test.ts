import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser } from "../../src/store/repos/users.ts";
import { describeEachEngine } from "../support/testStores.ts";
import { type ApiHarness, countAllRows, openApiHarness, T0 } from "./harness.ts";

describeEachEngine("contacts API", (store) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await openApiHarness(store().engine);
    await createUser(api.engine.db, api.workspace.id, { email: "rita@team.test", name: "Rita" }, T0);
  });
  afterAll(async () => {
    await api.close();
  });

  it("upserts by email: 201 when created, 200 when updated, with snake_case fields and ISO times", async () => {
    const created = await api.call("POST", "/v1/contacts", {
      body: {
        email: "Grace@Navy.Example",
        first_name: "Grace",
        time_zone: "america/new_york",
        company: "Navy",
        owner_email: "rita@team.test",
        tags: ["vip"],
        fields: { plan: "pro", seats: 12 },
      },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      email: "grace@navy.example",
      first_name: "Grace",
      time_zone: "America/New_York",
      tags: ["vip"],
      fields: { plan: "pro", seats: 12 },
      created_at: new Date(T0).toISOString(),
    });
    expect(created.json.account_id).toMatch(/^acc_/);
    expect(created.json.owner_id).toMatch(/^usr_/);
    const updated = await api.call("POST", "/v1/contacts", {
      body: { email: "grace@navy.example", title: "Rear Admiral", fields: { seats: null } },
    });
    expect(updated.status).toBe(200);
    expect(updated.json.id).toBe(created.json.id);
    expect(updated.json).toMatchObject({
      title: "Rear Admiral",
      first_name: "Grace",
      fields: { plan: "pro" },
    });
    const read = await api.call("GET", `/v1/contacts/${created.json.id}`);
    expect(read.json).toEqual(updated.json);
  });

  it("refuses an owner that does not exist, naming the field", async () => {
    const res = await api.call("POST", "/v1/contacts", {
      body: { email: "x@owner.test", owner_email: "ghost@team.test" },
    });
    expect(res.status).toBe(422);
    expect(res.json.errors).toEqual([
      { field: "owner_email", message: expect.stringContaining("ghost@team.test") },
    ]);
    const byId = await api.call("POST", "/v1/contacts", {
      body: { email: "x@owner.test", owner_id: "usr_ghost" },
    });
    expect(byId.json.errors[0].field).toBe("owner_id");
  });

  it("searches by text, tag, stage and owner, and pages with a cursor", async () => {
    for (const [i, name] of ["Alan", "Barbara", "Claude"].entries()) {
      await api.call("POST", "/v1/contacts", {
        body: {
          email: `${name.toLowerCase()}@search.test`,
          first_name: name,
          tags: i === 1 ? ["speaker"] : [],
          lifecycle_stage: i === 2 ? "customer" : "lead",
        },
      });
    }
    const byText = await api.call("GET", "/v1/contacts?q=barb");
    expect(byText.json.data.map((c: { first_name: string }) => c.first_name)).toEqual(["Barbara"]);
    const byTag = await api.call("GET", "/v1/contacts?tag=speaker");
    expect(byTag.json.data).toHaveLength(1);
    const byStage = await api.call("GET", "/v1/contacts?stage=customer");
    expect(byStage.json.data.map((c: { email: string }) => c.email)).toEqual(["claude@search.test"]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { json: { data: Array<{ id: string }>; next_cursor: string | null } } = await api.call(
        "GET",
        `/v1/contacts?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...page.json.data.map((c) => c.id));
      cursor = page.json.next_cursor;
    } while (cursor);
    const all = await api.call("GET", "/v1/contacts?limit=500");
    expect(seen).toEqual(all.json.data.map((c: { id: string }) => c.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("patches a contact, adding and removing tags", async () => {
    const created = await api.call("POST", "/v1/contacts", {
      body: { email: "pat@patch.test", tags: ["a", "b"] },
    });
    const patched = await api.call("PATCH", `/v1/contacts/${created.json.id}`, {
      body: { last_name: "Patch", add_tags: ["c"], remove_tags: ["a"] },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ last_name: "Patch", tags: ["b", "c"] });
    expect((await api.call("PATCH", "/v1/contacts/ct_nobody", { body: { title: "x" } })).status).toBe(404);
  });

  it("imports CSV: good rows kept, every bad row reported with its row number and field", async () => {
    const csv = [
      "email,first_name,last_name,time_zone,phone,tags,owner_email,plan",
      "lin@import.test,Lin,Ng,Asia/Singapore,+65 6123 4567,vip;beta,rita@team.test,pro",
      "not-an-email,Bad,Row,UTC,,,,",
      "kim@import.test,Kim,,Mars/Olympus,,,,",
      "sam@import.test,Sam,,,call me maybe,,,",
      "lee@import.test,Lee,,,,,ghost@team.test,",
      "max@import.test,Max,,,,,,basic",
    ].join("\n");
    const before = await countAllRows(api.engine);
    const res = await api.call("POST", "/v1/contacts/import", { raw: csv, contentType: "text/csv" });
    expect(res.status).toBe(200);
    expect(res.json.created).toBe(2);
    expect(res.json.updated).toBe(0);
    expect(res.json.rejected).toEqual([
      { row: 3, field: "email", message: expect.any(String) },
      { row: 4, field: "time_zone", message: expect.any(String) },
      { row: 5, field: "phone", message: expect.any(String) },
      { row: 6, field: "owner_email", message: expect.stringContaining("ghost@team.test") },
    ]);
    expect((await countAllRows(api.engine)).contacts).toBe((before.contacts ?? 0) + 2);
    const lin = (await api.call("GET", "/v1/contacts?q=lin@import.test")).json.data[0];
    expect(lin).toMatchObject({
      tags: ["vip", "beta"],
      fields: { plan: "pro" },
      time_zone: "Asia/Singapore",
    });
  });

  it("imports JSON rows, updating contacts that exist", async () => {
    const res = await api.call("POST", "/v1/contacts/import", {
      body: {
        contacts: [{ email: "max@import.test", title: "CTO" }, { email: "new@import.test" }, { email: 42 }],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ created: 1, updated: 1 });
    expect(res.json.rejected).toEqual([{ row: 2, field: "email", message: expect.any(String) }]);
  });

  it("refuses a CSV without an email column as a whole", async () => {
    const res = await api.call("POST", "/v1/contacts/import", {
      raw: "name\nAda\n",
      contentType: "text/csv",
    });
    expect(res.status).toBe(422);
    expect(res.json.errors[0].field).toBe("email");
  });

  it("shows a contact's timeline newest first, across events", async () => {
    const contact = await api.call("POST", "/v1/contacts", { body: { email: "tim@timeline.test" } });
    api.clock.advance(1000);
    await api.call("POST", "/v1/events", {
      body: {
        type: "page.visited",
        contact_id: contact.json.id,
        occurred_at: new Date(T0 + 60_000).toISOString(),
      },
    });
    await api.call("POST", "/v1/events", {
      body: {
        type: "form.submitted",
        contact_id: contact.json.id,
        occurred_at: new Date(T0 + 120_000).toISOString(),
      },
    });
    const timeline = await api.call("GET", `/v1/contacts/${contact.json.id}/timeline`);
    expect(timeline.status).toBe(200);
    const types = timeline.json.data.map((i: { type: string }) => i.type);
    expect(types.slice(0, 2)).toEqual(["form.submitted", "page.visited"]);
    expect(types).toContain("contact.created");
    const firstPage = await api.call("GET", `/v1/contacts/${contact.json.id}/timeline?limit=1`);
    const secondPage = await api.call(
      "GET",
      `/v1/contacts/${contact.json.id}/timeline?limit=1&cursor=${firstPage.json.next_cursor}`,
    );
    expect(secondPage.json.data[0].type).toBe("page.visited");
    expect((await api.call("GET", `/v1/contacts/${contact.json.id}/timeline?cursor=garbage`)).status).toBe(
      400,
    );
  });
});
