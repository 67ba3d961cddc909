// Incoming webhooks end to end on both engines: signed deliveries from HubSpot, Calendly and a
// generic source change the store exactly once; anything unsigned, stale or replayed changes nothing.

import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/engine/clock.ts";
import { calendlySignatureHeader } from "../../src/inbound/webhooks/calendlySignature.ts";
import { genericSignatureHeader } from "../../src/inbound/webhooks/genericSignature.ts";
import { hubSpotSignatureV3 } from "../../src/inbound/webhooks/hubspotSignature.ts";
import { createApiKey } from "../../src/store/repos/apiKeys.ts";
import { getContactByEmail } from "../../src/store/repos/contacts.ts";
import { createDeal, dealStageHistory, getDealByExternalId } from "../../src/store/repos/deals.ts";
import { getEnrollment } from "../../src/store/repos/enrollments.ts";
import type { Workspace } from "../../src/store/schema.ts";
import { ALWAYS_OPEN, enroll, makeContact, makeSequence, makeWorkspace } from "../support/engineFixtures.ts";
import { describeEachEngine } from "../support/testStores.ts";
import { adminKey, buildHookApp, fixture, PUBLIC_URL, rowCounts } from "./hookApp.ts";

const T0 = Date.UTC(2025, 10, 2, 15, 0, 0);
const HUBSPOT_SECRET = "a3c0f9d2-7b4e-4f1a-9c3e-2d8b6e1f0a47";
const CALENDLY_KEY = "cal_sk_3qVw8yZpR1tLx6Nn0bHsCe5JmKdUa2Fo";
const FORM_SECRET = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";

const CONFIG = {
  hubspot: { clientSecret: HUBSPOT_SECRET, stageMap: { closedwon: "won", appointmentscheduled: "meeting" } },
  calendly: { signingKey: CALENDLY_KEY },
  sources: {
    "pricing-form": {
      secret: FORM_SECRET,
      eventType: "form.submitted",
      mapping: {
        email: "person.email",
        occurred_at: "submitted_at",
        id: "id",
        data: { form: "form.name", seats: "answers.0.value" },
      },
    },
  },
};

const FOLLOW_UP = `id: follow-up
name: Follow up
${ALWAYS_OPEN}steps:
  - id: one
    wait: 2d
    email:
      subject: "Hello {{ contact.first_name }}"
      body: "A note."
`;

interface Delivery {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

function hubspotDelivery(ws: Workspace, body: Buffer, atUtcMs: number, secret = HUBSPOT_SECRET): Delivery {
  const url = `/v1/hooks/${ws.id}/hubspot`;
  const ts = String(atUtcMs);
  return {
    url,
    body,
    headers: {
      "content-type": "application/json",
      "x-hubspot-request-timestamp": ts,
      "x-hubspot-signature-v3": hubSpotSignatureV3(secret, "POST", `${PUBLIC_URL}${url}`, body, ts),
    },
  };
}

function calendlyDelivery(ws: Workspace, body: Buffer, atUtcMs: number, key = CALENDLY_KEY): Delivery {
  return {
    url: `/v1/hooks/${ws.id}/calendly`,
    body,
    headers: {
      "content-type": "application/json",
      "calendly-webhook-signature": calendlySignatureHeader(key, atUtcMs / 1000, body),
    },
  };
}

function genericDelivery(ws: Workspace, body: Buffer, atUtcMs: number, secret = FORM_SECRET): Delivery {
  return {
    url: `/v1/hooks/${ws.id}/generic/pricing-form`,
    body,
    headers: {
      "content-type": "application/json",
      "x-nudge-signature": genericSignatureHeader(secret, atUtcMs / 1000, body),
    },
  };
}

describeEachEngine("incoming webhooks", (store) => {
  const clock = new ManualClock(T0);
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await buildHookApp(store().engine, clock);
  });
  afterAll(async () => {
    await app.close();
  });

  const send = (d: Delivery) =>
    app.inject({ method: "POST", url: d.url, headers: d.headers, payload: d.body });

  async function workspace(): Promise<Workspace> {
    const { engine } = store();
    const ws = await makeWorkspace(engine, T0);
    const key = await adminKey(engine, ws.id, T0);
    const put = await app.inject({
      method: "PUT",
      url: "/v1/hooks/config",
      headers: { authorization: `Bearer ${key}` },
      payload: CONFIG,
    });
    expect(put.statusCode, put.body).toBe(200);
    return ws;
  }

  async function eventsOfType(wsId: string, type: string) {
    return store()
      .engine.db.selectFrom("events")
      .selectAll()
      .where("workspace_id", "=", wsId)
      .where("type", "=", type)
      .orderBy("id")
      .execute();
  }

  it("a signed HubSpot dealstage change moves the deal and records deal.stage_changed for its contact", async () => {
    const { engine } = store();
    const ws = await workspace();
    const ada = await makeContact(engine, ws, { email: "ada@deal.test", firstName: "Ada" }, T0);
    const deal = await createDeal(
      engine.db,
      ws.id,
      { name: "Ada's deal", stage: "meeting", contactId: ada.id, externalId: "9001" },
      "test",
      T0,
    );

    const res = await send(hubspotDelivery(ws, fixture("hubspot-deal-stage-change.json"), T0 - 2_000));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      received: 1,
      events: [{ type: "deal.stage_changed", contact_id: ada.id, duplicate: false }],
    });
    expect((await getDealByExternalId(engine.db, ws.id, "9001"))?.stage).toBe("won");
    expect((await dealStageHistory(engine.db, deal.id)).map((c) => [c.from_stage, c.to_stage])).toEqual([
      [null, "meeting"],
      ["meeting", "won"],
    ]);
    const [event, ...more] = await eventsOfType(ws.id, "deal.stage_changed");
    expect(more).toHaveLength(0);
    expect(event?.contact_id).toBe(ada.id);
    expect(JSON.parse(event?.data_json ?? "{}")).toMatchObject({
      deal_id: deal.id,
      from: "meeting",
      to: "won",
      hubspot_stage: "closedwon",
    });

    // HubSpot retries with a new timestamp (so a new signature) and the same eventId: no second move.
    const retry = await send(hubspotDelivery(ws, fixture("hubspot-deal-stage-change.json"), T0 - 1_000));
    expect(retry.statusCode).toBe(200);
    expect(retry.json().events[0].duplicate).toBe(true);
    expect(await dealStageHistory(engine.db, deal.id)).toHaveLength(2);
    expect(await eventsOfType(ws.id, "deal.stage_changed")).toHaveLength(1);
  });

  it("a HubSpot deal Nudge has not seen is created at its first stage change", async () => {
    const { engine } = store();
    const ws = await workspace();
    const res = await send(hubspotDelivery(ws, fixture("hubspot-deal-stage-change.json"), T0));
    expect(res.statusCode, res.body).toBe(200);
    const deal = await getDealByExternalId(engine.db, ws.id, "9001");
    expect(deal).toMatchObject({ stage: "won", contact_id: null, name: "HubSpot deal 9001" });
    const [event] = await eventsOfType(ws.id, "deal.stage_changed");
    expect(JSON.parse(event?.data_json ?? "{}")).toMatchObject({ deal_id: deal?.id, from: null, to: "won" });
  });

  it("HubSpot contact changes are recorded by HubSpot id and attached to the contact carrying it", async () => {
    const { engine } = store();
    const ws = await workspace();
    const known = await makeContact(
      engine,
      ws,
      { email: "known@hs.test", fields: { hubspot_id: "551" } },
      T0,
    );
    await makeContact(engine, ws, { email: "decoy@hs.test", fields: { hubspot_id: "5510" } }, T0);
    const res = await send(hubspotDelivery(ws, fixture("hubspot-mixed-batch.json"), T0));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      received: 4,
      events: [
        { type: "contact.updated", contact_id: known.id },
        { type: "contact.updated", contact_id: null },
      ],
      ignored: [{ index: 0, type: "deal.creation" }, { index: 3 }],
    });
    const updates = await eventsOfType(ws.id, "contact.updated");
    expect(updates.map((e) => [e.contact_id, JSON.parse(e.data_json).hubspot_id])).toEqual([
      [known.id, "551"],
      [null, "552"],
    ]);
    expect(await getDealByExternalId(engine.db, ws.id, "9002")).toBeUndefined();
  });

  it("Calendly invitee.created upserts the invitee, stores meeting.booked and exits their running enrollment", async () => {
    const { engine } = store();
    const ws = await workspace();
    const seq = await makeSequence(engine, ws, FOLLOW_UP, T0);
    const grace = await makeContact(engine, ws, { email: "grace.hopper@navy.example" }, T0);
    const enrollment = await enroll(engine, ws, seq, grace.id, T0);

    const res = await send(calendlyDelivery(ws, fixture("calendly-invitee-created.json"), T0));
    expect(res.statusCode, res.body).toBe(200);
    const contact = await getContactByEmail(engine.db, ws.id, "grace.hopper@navy.example");
    expect(contact).toMatchObject({ id: grace.id, firstName: "Grace", lastName: "Brewster Hopper" });
    const [booked] = await eventsOfType(ws.id, "meeting.booked");
    expect(booked?.contact_id).toBe(grace.id);
    expect(JSON.parse(booked?.data_json ?? "{}")).toMatchObject({
      event_uri: "https://api.calendly.com/scheduled_events/GQKD4XW2MTNB7YPA",
      start_time: "2025-11-05T16:00:00.000000Z",
      name: "30 Minute Intro Call",
    });
    const after = await getEnrollment(engine.db, ws.id, enrollment.id);
    expect(after).toMatchObject({ status: "exited", exit_reason: "meeting_booked" });
  });

  it("Calendly invitee.canceled records meeting.canceled; an unknown invitee becomes a contact", async () => {
    const { engine } = store();
    const ws = await workspace();
    const res = await send(calendlyDelivery(ws, fixture("calendly-invitee-canceled.json"), T0));
    expect(res.statusCode, res.body).toBe(200);
    const contact = await getContactByEmail(engine.db, ws.id, "grace.hopper@navy.example");
    expect(contact).toMatchObject({ firstName: "Grace", lastName: "Hopper" });
    const [canceled] = await eventsOfType(ws.id, "meeting.canceled");
    expect(canceled?.contact_id).toBe(contact?.id);
    expect(JSON.parse(canceled?.data_json ?? "{}")).toMatchObject({ reason: "Something came up" });
  });

  it("a generic source's fields are mapped by path into one event for the contact", async () => {
    const { engine } = store();
    const ws = await workspace();
    const res = await send(genericDelivery(ws, fixture("generic-form-submission.json"), T0));
    expect(res.statusCode, res.body).toBe(200);
    const linus = await getContactByEmail(engine.db, ws.id, "linus@kernel.example");
    const [submitted] = await eventsOfType(ws.id, "form.submitted");
    expect(submitted).toMatchObject({
      contact_id: linus?.id,
      occurred_at: Date.parse("2025-11-02T14:55:00Z"),
      source: "hook:generic:pricing-form",
    });
    expect(JSON.parse(submitted?.data_json ?? "{}")).toEqual({ form: "Pricing request", seats: "25" });
  });

  describe("refusals write nothing", () => {
    const sources = [
      {
        name: "HubSpot",
        body: () => fixture("hubspot-deal-stage-change.json"),
        sign: hubspotDelivery,
        forge: (ws: Workspace, body: Buffer, at: number) =>
          hubspotDelivery(ws, body, at, "not-the-client-secret"),
      },
      {
        name: "Calendly",
        body: () => fixture("calendly-invitee-created.json"),
        sign: calendlyDelivery,
        forge: (ws: Workspace, body: Buffer, at: number) =>
          calendlyDelivery(ws, body, at, "not-the-signing-key"),
      },
      {
        name: "generic",
        body: () => fixture("generic-form-submission.json"),
        sign: genericDelivery,
        forge: (ws: Workspace, body: Buffer, at: number) =>
          genericDelivery(ws, body, at, "not-the-secret-of-this-source"),
      },
    ];

    for (const source of sources) {
      it(`${source.name}: wrong signature, stale timestamp and replayed delivery are all 401`, async () => {
        const { engine } = store();
        const ws = await workspace();
        const before = await rowCounts(engine);

        const forged = await send(source.forge(ws, source.body(), T0));
        expect(forged.statusCode, forged.body).toBe(401);
        expect(forged.headers["content-type"]).toContain("application/problem+json");
        expect(forged.json().detail).toContain("does not match");

        const stale = await send(source.sign(ws, source.body(), T0 - 6 * 60_000));
        expect(stale.statusCode, stale.body).toBe(401);
        expect(stale.json().detail).toContain("window");

        const tampered = source.sign(ws, source.body(), T0);
        tampered.body = Buffer.from(tampered.body.toString("utf8").replace(/"/, ' "'));
        expect((await send(tampered)).statusCode).toBe(401);

        const unsigned = source.sign(ws, source.body(), T0);
        unsigned.headers = { "content-type": "application/json" };
        expect((await send(unsigned)).statusCode).toBe(401);
        expect(await rowCounts(engine)).toEqual(before);

        const genuine = source.sign(ws, source.body(), T0 - 1_000);
        expect((await send(genuine)).statusCode).toBe(200);
        const afterGenuine = await rowCounts(engine);
        expect(afterGenuine.events).toBeGreaterThan(before.events ?? 0);

        const replayed = await send(genuine);
        expect(replayed.statusCode, replayed.body).toBe(401);
        expect(replayed.json().detail).toContain("replay");
        expect(await rowCounts(engine)).toEqual(afterGenuine);
      });
    }
  });

  it("a signed body that is not JSON is 400, one without a usable email is 422; neither writes", async () => {
    const { engine } = store();
    const ws = await workspace();
    const before = await rowCounts(engine);
    const notJson = await send(genericDelivery(ws, Buffer.from("email=linus@kernel.example"), T0));
    expect(notJson.statusCode, notJson.body).toBe(400);
    const noEmail = await send(
      genericDelivery(ws, Buffer.from(JSON.stringify({ person: { email: "nope" } })), T0),
    );
    expect(noEmail.statusCode, noEmail.body).toBe(422);
    expect(noEmail.json().errors).toEqual([expect.objectContaining({ field: "person.email" })]);
    expect(await rowCounts(engine)).toEqual(before);
  });

  it("a source that is not set up, or a workspace that does not exist, is 404", async () => {
    const { engine } = store();
    const ws = await makeWorkspace(engine, T0);
    const hub = await send(hubspotDelivery(ws, fixture("hubspot-deal-stage-change.json"), T0));
    expect(hub.statusCode).toBe(404);
    const other = await send({
      ...genericDelivery(ws, Buffer.from("{}"), T0),
      url: `/v1/hooks/${ws.id}/generic/nope`,
    });
    expect(other.statusCode).toBe(404);
    const nowhere = await send({
      ...calendlyDelivery(ws, Buffer.from("{}"), T0),
      url: "/v1/hooks/ws_missing/calendly",
    });
    expect(nowhere.statusCode).toBe(404);
  });

  it("the set-up is admin only; GET masks secrets and lists the URLs to give each sender", async () => {
    const { engine } = store();
    const ws = await workspace();
    const admin = await adminKey(engine, ws.id, T0);
    const rep = (await createApiKey(engine.db, ws.id, { name: "rep", scopes: ["rep"] }, T0)).key;

    expect((await app.inject({ method: "GET", url: "/v1/hooks/config" })).statusCode).toBe(401);
    const asRep = await app.inject({
      method: "GET",
      url: "/v1/hooks/config",
      headers: { authorization: `Bearer ${rep}` },
    });
    expect(asRep.statusCode).toBe(403);

    const res = await app.inject({
      method: "GET",
      url: "/v1/hooks/config",
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).not.toContain(HUBSPOT_SECRET);
    expect(res.body).not.toContain(CALENDLY_KEY);
    expect(res.body).not.toContain(FORM_SECRET);
    expect(res.json()).toMatchObject({
      config: { hubspot: { clientSecret: "****0a47", stageMap: { closedwon: "won" } } },
      endpoints: {
        hubspot: `${PUBLIC_URL}/v1/hooks/${ws.id}/hubspot`,
        calendly: `${PUBLIC_URL}/v1/hooks/${ws.id}/calendly`,
        generic: { "pricing-form": `${PUBLIC_URL}/v1/hooks/${ws.id}/generic/pricing-form` },
      },
      replay_window_seconds: 300,
    });

    // Sending the masked view back keeps every secret: deliveries still verify.
    const roundTrip = await app.inject({
      method: "PUT",
      url: "/v1/hooks/config",
      headers: { authorization: `Bearer ${admin}` },
      payload: res.json().config,
    });
    expect(roundTrip.statusCode, roundTrip.body).toBe(200);
    expect((await send(calendlyDelivery(ws, fixture("calendly-invitee-canceled.json"), T0))).statusCode).toBe(
      200,
    );

    const invalid = await app.inject({
      method: "PUT",
      url: "/v1/hooks/config",
      headers: { authorization: `Bearer ${admin}` },
      payload: { sources: { "Bad Name": { secret: "x", mapping: {} } } },
    });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.headers["content-type"]).toContain("application/problem+json");
  });
});
