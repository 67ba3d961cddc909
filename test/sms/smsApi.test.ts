// The SMS set-up API through the real server, every answer checked against the OpenAPI
// document the server publishes: provider settings (the token never comes back, texting hours
// may only narrow), sender numbers in E.164, the Do-Not-Call import, consent, segments.

import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ApiHarness, openApiHarness } from "../api/harness.ts";
import { describeEachEngine } from "../support/testStores.ts";

const TOKEN = "tw-auth-t0ken-s3cret";

describeEachEngine("SMS API", (store) => {
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

  it("settings: the auth token is stored but never returned or logged; texting hours may narrow, never widen", async () => {
    const before = await api.call("GET", "/v1/sms/settings");
    expect(before.json).toMatchObject({
      configured: false,
      auth_token_set: false,
      require_consent: true,
      texting_hours: { start: "08:00", end: "21:00" },
      inbound_webhook_url: `https://nudge.example.test/hooks/sms/${api.workspace.id}/inbound`,
    });
    const saved = await api.call("PATCH", "/v1/sms/settings", {
      body: { account_sid: "AC123", auth_token: TOKEN, texting_hours: { start: "09:00", end: "20:00" } },
    });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({
      configured: true,
      auth_token_set: true,
      account_sid: "AC123",
      texting_hours: { start: "09:00", end: "20:00" },
    });
    expect(saved.body).not.toContain(TOKEN);
    const wider = await api.call("PATCH", "/v1/sms/settings", {
      body: { texting_hours: { start: "07:30", end: "20:00" } },
    });
    expect(wider.status).toBe(422);
    expect(wider.json.errors[0].field).toBe("texting_hours");
    expect((await api.call("GET", "/v1/sms/settings")).json.texting_hours).toEqual({
      start: "09:00",
      end: "20:00",
    });
    expect(logged).not.toContain(TOKEN);
  });

  it("numbers are stored in E.164 with their area code; a duplicate is 200, a bad one 422, a retired one inactive", async () => {
    const created = await api.call("POST", "/v1/sms/numbers", { body: { number: "(312) 555-0199" } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      number: "+13125550199",
      country: "US",
      area_code: "312",
      active: true,
    });
    const again = await api.call("POST", "/v1/sms/numbers", { body: { number: "+1 312 555 0199" } });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(created.json.id);
    const bad = await api.call("POST", "/v1/sms/numbers", { body: { number: "555-01" } });
    expect(bad.status).toBe(422);
    expect((await api.call("DELETE", `/v1/sms/numbers/${created.json.id}`)).status).toBe(204);
    const list = await api.call("GET", "/v1/sms/numbers");
    expect(list.json.data).toEqual([expect.objectContaining({ number: "+13125550199", active: false })]);
  });

  it("the Do-Not-Call import normalises numbers, counts repeats, and names the lines it could not read", async () => {
    const csv = "phone,name\n(646) 555-0101,A\n+16465550101,A again\n646.555.0102,B\nnope,C\n";
    const first = await api.call("POST", "/v1/sms/do-not-call/import", { raw: csv, contentType: "text/csv" });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      added: 2,
      already_listed: 0,
      rejected: [{ line: 5, value: "nope", reason: expect.any(String) }],
    });
    const second = await api.call("POST", "/v1/sms/do-not-call/import", {
      raw: "6465550102\n",
      contentType: "text/csv",
    });
    expect(second.json).toMatchObject({ added: 0, already_listed: 1 });
    const blocks = await api.call("GET", "/v1/sms/blocks?kind=do_not_call");
    expect(blocks.json.data.map((b: { phone: string }) => b.phone)).toEqual(["+16465550101", "+16465550102"]);
  });

  it("consent is recorded with its source and time, and shown with the contact's number in E.164", async () => {
    const contact = await api.call("POST", "/v1/contacts", {
      body: { email: "consent@prospect.test", phone: "(415) 555-0142" },
    });
    const id = contact.json.id;
    expect((await api.call("GET", `/v1/contacts/${id}/sms`)).json).toMatchObject({
      phone_e164: "+14155550142",
      consent: { state: "unknown", source: null, at: null },
    });
    const granted = await api.call("PUT", `/v1/contacts/${id}/sms-consent`, {
      body: { state: "granted", source: "pricing form checkbox" },
    });
    expect(granted.status).toBe(200);
    expect(granted.json.consent).toEqual({
      state: "granted",
      source: "pricing form checkbox",
      at: new Date(api.clock.nowUtcMs()).toISOString(),
    });
    expect(
      (
        await api.call("PUT", "/v1/contacts/ct_missing/sms-consent", {
          body: { state: "granted", source: "x" },
        })
      ).status,
    ).toBe(404);
  });

  it("segments: GSM-7 and UCS-2 counted, over 3 segments flagged", async () => {
    expect(
      (await api.call("POST", "/v1/sms/segments", { body: { text: "Hi Ada, quick one?" } })).json,
    ).toEqual({
      encoding: "GSM-7",
      segments: 1,
      characters: 18,
      warning: false,
    });
    expect(
      (await api.call("POST", "/v1/sms/segments", { body: { text: "😀".repeat(120) } })).json,
    ).toMatchObject({
      encoding: "UCS-2",
      segments: 4,
      warning: true,
    });
  });

  it("a rep key cannot change SMS settings", async () => {
    const denied = await api.call("PATCH", "/v1/sms/settings", {
      key: api.keys.rep,
      body: { require_consent: false },
    });
    expect(denied.status).toBe(403);
  });
});
