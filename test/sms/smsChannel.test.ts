// Texts and voicemail drops end to end against the local provider (a real HTTP server speaking
// the Twilio REST shape), through the real worker and the real API server, on SQLite and
// PostgreSQL with a pinned clock: quiet hours in the contact's zone, consent, local presence,
// provider faults, signed callbacks, STOP/START/HELP, the Do-Not-Call list, dead numbers.

import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { DateTime } from "luxon";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildServer } from "../../src/api/server.ts";
import { ManualClock } from "../../src/engine/clock.ts";
import { sendDueMessages } from "../../src/engine/outboxSender.ts";
import { runDueEnrollments } from "../../src/engine/runDueEnrollments.ts";
import { Worker } from "../../src/engine/worker.ts";
import { createApiKey } from "../../src/store/repos/apiKeys.ts";
import { getContact, setSmsConsent } from "../../src/store/repos/contacts.ts";
import { enrollmentsOfContact } from "../../src/store/repos/enrollments.ts";
import { messagesOfContact } from "../../src/store/repos/messages.ts";
import { phoneBlocksOf } from "../../src/store/repos/phoneBlocks.ts";
import { addSmsNumber } from "../../src/store/repos/smsNumbers.ts";
import { saveSmsSettings } from "../../src/store/repos/smsSettings.ts";
import { listTasks } from "../../src/store/repos/tasks.ts";
import { setWorkspaceMode } from "../../src/store/repos/workspaces.ts";
import { ALWAYS_OPEN, enroll, makeContact, makeSequence, makeWorkspace } from "../support/engineFixtures.ts";
import { type LocalSmsProvider, startLocalSmsProvider } from "../support/localSmsProvider.ts";
import { describeEachEngine } from "../support/testStores.ts";

/** Monday 2026-11-02 14:00 UTC: 09:00 in New York, 06:00 in Los Angeles. */
const T0 = Date.UTC(2026, 10, 2, 14, 0, 0);
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const PUBLIC_URL = "https://nudge.example.test";

const TEXT_SEQUENCE = (id: string) => `id: ${id}
name: Text then voicemail
${ALWAYS_OPEN}steps:
  - id: hello
    sms:
      body: "Hi {{ contact.first_name }}, Sam from Acme here. Worth a quick chat?"
  - id: drop
    wait: 1d
    voicemail:
      script: "Hi {{ contact.first_name }}, it's Sam from Acme, I just texted you."
`;

describeEachEngine("SMS and voice against the local provider", (store) => {
  const clock = new ManualClock(T0);
  let app: FastifyInstance;
  let localUrl = "";
  let provider: LocalSmsProvider;
  let worker: Worker;
  let counter = 0;

  beforeAll(async () => {
    app = await buildServer({ engine: store().engine, clock, publicUrl: PUBLIC_URL, logger: false });
    localUrl = await app.listen({ port: 0, host: "127.0.0.1" });
    provider = await startLocalSmsProvider({
      nudgePublicUrl: PUBLIC_URL,
      nudgeLocalUrl: () => localUrl,
      now: () => clock.nowUtcMs(),
    });
    worker = new Worker({ engine: store().engine, clock, emailTransport: null, publicUrl: PUBLIC_URL });
  });
  afterAll(async () => {
    await provider.close();
    await app.close();
  });

  /** A live workspace whose provider is the local one, with a New York and a San Francisco number. */
  async function liveSetup(opts: { requireConsent?: boolean } = {}) {
    const { engine } = store();
    counter += 1;
    clock.set(T0 + counter * 7 * DAY_MS);
    const now = clock.nowUtcMs();
    const ws = await makeWorkspace(engine, now, { testClock: false, timeZone: "America/New_York" });
    await setWorkspaceMode(engine.db, ws.id, "live");
    await saveSmsSettings(
      engine.db,
      ws.id,
      {
        account_sid: provider.accountSid,
        auth_token: provider.authToken,
        api_base_url: provider.apiBaseUrl,
        require_consent: opts.requireConsent === false ? 0 : 1,
      },
      now,
    );
    const nyNumber = `+1212555${String(1000 + counter)}`;
    const sfNumber = `+1415555${String(1000 + counter)}`;
    await addSmsNumber(engine.db, ws.id, { number: nyNumber, country: "US", areaCode: "212" }, now);
    await addSmsNumber(engine.db, ws.id, { number: sfNumber, country: "US", areaCode: "415" }, now);
    provider.routeNumber(nyNumber, ws.id);
    provider.routeNumber(sfNumber, ws.id);
    const sequence = await makeSequence(engine, ws, TEXT_SEQUENCE(`texts-${counter}`), now);
    const key = (await createApiKey(engine.db, ws.id, { name: "admin", scopes: ["admin"] }, now)).key;
    return { ws, sequence, nyNumber, sfNumber, key };
  }

  async function contactIn(
    setup: Awaited<ReturnType<typeof liveSetup>>,
    opts: { phone?: string; timeZone?: string; consent?: boolean } = {},
  ) {
    const { engine } = store();
    const phone = opts.phone ?? `(415) 555-${String(2000 + counter)}`;
    const contact = await makeContact(
      engine,
      setup.ws,
      {
        email: `p${counter}-${Math.random().toString(36).slice(2, 8)}@prospect.test`,
        firstName: "Pat",
        phone,
        timeZone: opts.timeZone ?? "America/Los_Angeles",
      },
      clock.nowUtcMs(),
    );
    if (opts.consent !== false)
      await setSmsConsent(engine.db, contact.id, "granted", "web form", clock.nowUtcMs());
    return contact;
  }

  const sentTo = (e164: string, resource: "Messages" | "Calls" = "Messages") =>
    provider.accepted(resource).filter((r) => r.params.To === e164);

  async function run() {
    while (await worker.runOnce()) {
      /* until nothing more is waiting at this instant */
    }
  }

  it("a consented contact's text waits for 08:00 in their zone, then reaches the provider from a local number", async () => {
    const setup = await liveSetup();
    // 06:00 in Los Angeles (09:00 in New York, where the workspace lives).
    clock.set(Date.UTC(2026, 10, 16 + counter, 14, 0));
    const contact = await contactIn(setup);
    const e164 = `+1415555${String(2000 + counter)}`;
    await enroll(store().engine, setup.ws, setup.sequence, contact.id, clock.nowUtcMs());
    await run();
    expect(sentTo(e164)).toHaveLength(0);
    const [queued] = await messagesOfContact(store().engine.db, contact.id);
    expect(queued).toMatchObject({ channel: "sms", status: "queued", hold_reason: "deferred:quiet_hours" });
    expect(queued?.next_attempt_at).toBe(Date.UTC(2026, 10, 16 + counter, 16, 0));

    clock.set(queued?.next_attempt_at ?? 0);
    await run();
    const [sent] = sentTo(e164);
    expect(sentTo(e164)).toHaveLength(1);
    expect(sent?.params).toMatchObject({
      To: e164,
      From: setup.sfNumber,
      Body: "Hi Pat, Sam from Acme here. Worth a quick chat?",
      StatusCallback: `${PUBLIC_URL}/hooks/sms/${setup.ws.id}/status`,
    });
    expect(sent?.atUtcMs).toBe(Date.UTC(2026, 10, 16 + counter, 16, 0));
    const [message] = await messagesOfContact(store().engine.db, contact.id);
    expect(message).toMatchObject({
      status: "sent",
      provider_message_id: sent?.sid,
      from_address: setup.sfNumber,
    });

    // Delivered: the signed callback lands on the delivery and the timeline.
    const callback = await provider.postStatus(sent?.sid ?? "", "delivered");
    expect(callback.status).toBe(200);
    const delivery = await store()
      .engine.db.selectFrom("sms_deliveries")
      .selectAll()
      .where("provider_sid", "=", sent?.sid ?? "")
      .executeTakeFirst();
    expect(delivery).toMatchObject({ status: "delivered", segments: 1, encoding: "GSM-7" });

    // The voicemail drop a day later goes to Calls.json from the same (sticky) number.
    clock.advance(DAY_MS);
    await run();
    const [call] = sentTo(e164, "Calls");
    expect(call?.params.From).toBe(setup.sfNumber);
    expect(call?.params.MachineDetection).toBe("DetectMessageEnd");
    expect(call?.params.Twiml).toContain("<Say");
    expect(call?.params.Twiml).toContain("Hi Pat, it&apos;s Sam from Acme, I just texted you.");

    // A text back within 48 hours of the drop: a reply to the text step and a callback for the drop.
    clock.advance(3 * HOUR_MS);
    const answer = await provider.sendInbound({
      from: e164,
      to: setup.sfNumber,
      body: "Got your voicemail, text me the details",
    });
    expect(answer.status).toBe(200);
    const metrics = await app.inject({
      method: "GET",
      url: `/v1/sequences/${setup.sequence.id}/sms-metrics`,
      headers: { authorization: `Bearer ${setup.key}` },
    });
    expect(metrics.json().steps).toEqual([
      {
        step: "drop",
        channel: "voicemail",
        sent: 1,
        delivered: 0,
        failed: 0,
        replied: 0,
        opted_out: 0,
        callbacks: 1,
      },
      {
        step: "hello",
        channel: "sms",
        sent: 1,
        delivered: 1,
        failed: 0,
        replied: 1,
        opted_out: 0,
        callbacks: 0,
      },
    ]);
  });

  it("no consent or a Do-Not-Call number skips the text; an invalid number holds it; nothing is sent", async () => {
    const setup = await liveSetup();
    clock.set(Date.UTC(2026, 10, 20, 18, 0)); // 10:00 in Los Angeles
    const noConsent = await contactIn(setup, { consent: false, phone: "+14155553001" });
    const invalid = await contactIn(setup, { phone: "555-0100-77" });
    const listed = await contactIn(setup, { phone: "+1 (415) 555-3003" });
    const csv = "name,phone\nPat,+1 415 555 3003\nJo,not a number\n";
    const imported = await app.inject({
      method: "POST",
      url: "/v1/sms/do-not-call/import",
      headers: { authorization: `Bearer ${setup.key}`, "content-type": "text/csv" },
      payload: csv,
    });
    expect(imported.statusCode).toBe(200);
    expect(imported.json()).toMatchObject({ added: 1, already_listed: 0, rejected: [{ line: 3 }] });
    for (const c of [noConsent, invalid, listed]) {
      await enroll(store().engine, setup.ws, setup.sequence, c.id, clock.nowUtcMs());
    }
    await run();
    const holdOf = async (id: string) => {
      const [m] = await messagesOfContact(store().engine.db, id);
      return `${m?.status}:${m?.hold_reason}`;
    };
    // A refusal that waiting cannot change is skipped (the cadence goes on); a number someone
    // can correct holds the touch until they do.
    expect(await holdOf(noConsent.id)).toBe("cancelled:no_sms_consent");
    expect(await holdOf(invalid.id)).toBe("held:invalid_phone");
    expect(await holdOf(listed.id)).toBe("cancelled:do_not_call");
    const stepOf = async (id: string) => (await enrollmentsOfContact(store().engine.db, id))[0]?.current_step;
    expect(await stepOf(noConsent.id)).toBe("drop");
    expect(await stepOf(invalid.id)).toBe("hello");
    expect(sentTo("+14155553001")).toHaveLength(0);
    expect(sentTo("+14155553003")).toHaveLength(0);
    // The next day's voicemail drop needs the same consent: skipped, never placed.
    clock.advance(DAY_MS);
    await run();
    const drop = (await messagesOfContact(store().engine.db, noConsent.id)).find(
      (m) => m.channel === "voicemail",
    );
    expect(`${drop?.status}:${drop?.hold_reason}`).toBe("cancelled:no_voicemail_consent");
    expect(sentTo("+14155553001", "Calls")).toHaveLength(0);
  });

  it("a call step for a number on the Do-Not-Call list gives the rep a task that says not to call", async () => {
    const setup = await liveSetup();
    clock.set(Date.UTC(2026, 10, 21, 18, 0));
    const listed = await contactIn(setup, { phone: "+14155553101" });
    const free = await contactIn(setup, { phone: "+14155553102" });
    const imported = await app.inject({
      method: "POST",
      url: "/v1/sms/do-not-call/import",
      headers: { authorization: `Bearer ${setup.key}`, "content-type": "text/csv" },
      payload: "(415) 555-3101\n",
    });
    expect(imported.json()).toMatchObject({ added: 1 });
    const calls = await makeSequence(
      store().engine,
      setup.ws,
      `id: calls-${counter}\nname: Call\n${ALWAYS_OPEN}steps:\n  - id: ring\n    call: { note: "Ask about pricing" }\n`,
      clock.nowUtcMs(),
    );
    for (const c of [listed, free]) await enroll(store().engine, setup.ws, calls, c.id, clock.nowUtcMs());
    await run();
    const tasks = await store()
      .engine.db.selectFrom("tasks")
      .selectAll()
      .where("workspace_id", "=", setup.ws.id)
      .execute();
    const titleOf = (id: string) => tasks.find((t) => t.contact_id === id)?.title ?? "";
    expect(titleOf(listed.id)).toMatch(/^Do not call \(number on the Do-Not-Call list\): /);
    expect(titleOf(free.id)).not.toMatch(/Do not call/);
    expect(titleOf(free.id)).not.toBe("");
  });

  it("429 then 500: retried with backoff and delivered exactly once", async () => {
    const setup = await liveSetup();
    clock.set(Date.UTC(2026, 10, 24, 18, 0));
    const contact = await contactIn(setup, { phone: "+14155554001" });
    await enroll(store().engine, setup.ws, setup.sequence, contact.id, clock.nowUtcMs());
    provider.fail(429, 500);
    await run();
    let [message] = await messagesOfContact(store().engine.db, contact.id);
    expect(message).toMatchObject({ status: "queued", attempt_count: 1 });
    expect(message?.last_error).toMatch(/^20429/);
    expect(message?.next_attempt_at ?? 0).toBeGreaterThanOrEqual(clock.nowUtcMs() + 0.8 * MINUTE_MS);
    clock.advance(2 * MINUTE_MS);
    await run();
    [message] = await messagesOfContact(store().engine.db, contact.id);
    expect(message).toMatchObject({ status: "queued", attempt_count: 2 });
    expect(message?.last_error).toMatch(/^20500/);
    clock.advance(5 * MINUTE_MS);
    await run();
    clock.advance(10 * MINUTE_MS);
    await run();
    expect(provider.requests.filter((r) => r.params.To === "+14155554001").map((r) => r.outcome)).toEqual([
      429,
      500,
      "accepted",
    ]);
    [message] = await messagesOfContact(store().engine.db, contact.id);
    expect(message).toMatchObject({ status: "sent", attempt_count: 3 });
  });

  it("a timeout after the request left marks the text uncertain, and it is never resent", async () => {
    const setup = await liveSetup();
    clock.set(Date.UTC(2026, 10, 25, 18, 0));
    const contact = await contactIn(setup, { phone: "+14155555001" });
    await enroll(store().engine, setup.ws, setup.sequence, contact.id, clock.nowUtcMs());
    provider.fail("timeout");
    const deps = { engine: store().engine, emailTransport: null, publicUrl: PUBLIC_URL, phoneTimeoutMs: 300 };
    await runDueEnrollments(store().engine, { nowUtcMs: clock.nowUtcMs(), workspaceId: setup.ws.id });
    await sendDueMessages(deps, { nowUtcMs: clock.nowUtcMs(), workspaceId: setup.ws.id });
    const [message] = await messagesOfContact(store().engine.db, contact.id);
    expect(message?.status).toBe("uncertain");
    clock.advance(HOUR_MS);
    await sendDueMessages(deps, { nowUtcMs: clock.nowUtcMs(), workspaceId: setup.ws.id });
    await run();
    expect(provider.requests.filter((r) => r.params.To === "+14155555001")).toHaveLength(1);
  });

  it("a callback with a bad signature is refused with 401 and changes nothing", async () => {
    const setup = await liveSetup();
    clock.set(Date.UTC(2026, 10, 26, 18, 0));
    const contact = await contactIn(setup, { phone: "+14155556001" });
    await enroll(store().engine, setup.ws, setup.sequence, contact.id, clock.nowUtcMs());
    await run();
    const [sent] = sentTo("+14155556001");
    const forged = await provider.sendInbound({
      from: "+14155556001",
      to: setup.sfNumber,
      body: "STOP",
      signWith: "not-the-token",
    });
    expect(forged.status).toBe(401);
    const forgedStatus = await provider.postStatus(sent?.sid ?? "", "undelivered", {
      errorCode: "30006",
      signWith: "not-the-token",
    });
    expect(forgedStatus.status).toBe(401);
    expect((await getContact(store().engine.db, setup.ws.id, contact.id))?.smsConsent).toBe("granted");
    expect(await phoneBlocksOf(store().engine.db, setup.ws.id, "+14155556001")).toEqual([]);
    const [enrollment] = await enrollmentsOfContact(store().engine.db, contact.id);
    expect(enrollment?.status).toBe("active");
    const inbound = await store()
      .engine.db.selectFrom("sms_inbound")
      .selectAll()
      .where("workspace_id", "=", setup.ws.id)
      .execute();
    expect(inbound).toEqual([]);
  });

  it("STOP revokes consent within the request, confirms once even when retried, and skips texts in any sequence while the rest of the cadence goes on", async () => {
    const setup = await liveSetup();
    clock.set(Date.UTC(2026, 10, 27, 18, 0));
    const contact = await contactIn(setup, { phone: "+14155557001" });
    await enroll(store().engine, setup.ws, setup.sequence, contact.id, clock.nowUtcMs());
    await run();
    expect(sentTo("+14155557001")).toHaveLength(1);

    const stop = await provider.sendInbound({ from: "+14155557001", to: setup.sfNumber, body: "Stop" });
    expect(stop.status).toBe(200);
    expect(stop.body).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?><Response><Message>[^<]+<\/Message><\/Response>$/,
    );
    // Within the request: consent, the block and the exit are committed when the answer arrives.
    const after = await getContact(store().engine.db, setup.ws.id, contact.id);
    expect(after?.smsConsent).toBe("revoked");
    expect((await phoneBlocksOf(store().engine.db, setup.ws.id, "+14155557001")).map((b) => b.kind)).toEqual([
      "sms_opt_out",
    ]);
    // STOP ends texts, not the conversation: the enrollment carries on with its other touches.
    const [enrollment] = await enrollmentsOfContact(store().engine.db, contact.id);
    expect(enrollment).toMatchObject({ status: "active", current_step: "drop" });
    // The provider retries the same webhook: no second confirmation.
    const retried = await provider.sendInbound({
      from: "+14155557001",
      to: setup.sfNumber,
      body: "Stop",
      messageSid: stop.messageSid,
    });
    expect(retried.status).toBe(200);
    expect(retried.body).not.toContain("<Message>");
    const confirmations = provider.texts.filter((t) => t.to === "+14155557001" && t.via === "twiml");
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]?.body).toMatch(/no more texts/);

    // Another sequence later: its text is skipped, never sent, and the enrollment moves on.
    clock.advance(8 * DAY_MS);
    const other = await makeSequence(
      store().engine,
      setup.ws,
      TEXT_SEQUENCE(`other-${counter}`),
      clock.nowUtcMs(),
    );
    await enroll(store().engine, setup.ws, other, contact.id, clock.nowUtcMs());
    await run();
    expect(sentTo("+14155557001")).toHaveLength(1);
    const skipped = (await messagesOfContact(store().engine.db, contact.id)).filter(
      (m) => m.channel === "sms" && m.status === "cancelled",
    );
    expect(skipped.map((m) => m.hold_reason)).toEqual(["sms_opted_out"]);
    // A revocation by text ends prerecorded calls too: the first sequence's voicemail drop is
    // skipped, never placed.
    expect(sentTo("+14155557001", "Calls")).toHaveLength(0);
    const drops = (await messagesOfContact(store().engine.db, contact.id)).filter(
      (m) => m.channel === "voicemail",
    );
    expect(drops.map((m) => [m.status, m.hold_reason])).toEqual([["cancelled", "voicemail_consent_revoked"]]);
    const [otherEnrollment] = (await enrollmentsOfContact(store().engine.db, contact.id)).filter(
      (e) => e.sequence_id === other.id,
    );
    expect(otherEnrollment).toMatchObject({ status: "active", current_step: "drop" });

    // HELP answers with the help text; START re-subscribes.
    const help = await provider.sendInbound({ from: "+14155557001", to: setup.sfNumber, body: "HELP" });
    expect(help.body).toMatch(/reply STOP to stop texts/);
    await provider.sendInbound({ from: "+14155557001", to: setup.sfNumber, body: "START" });
    expect((await getContact(store().engine.db, setup.ws.id, contact.id))?.smsConsent).toBe("granted");
    expect(await phoneBlocksOf(store().engine.db, setup.ws.id, "+14155557001")).toEqual([]);
  });

  it("the per-contact cap spans sequences: a second sequence's text waits 7 days after the first", async () => {
    const setup = await liveSetup();
    clock.set(Date.UTC(2026, 10, 29, 18, 0));
    const contact = await contactIn(setup, { phone: "+14155559001" });
    const other = await makeSequence(
      store().engine,
      setup.ws,
      TEXT_SEQUENCE(`cap-${counter}`),
      clock.nowUtcMs(),
    );
    await enroll(store().engine, setup.ws, setup.sequence, contact.id, clock.nowUtcMs());
    await run();
    const firstAt = clock.nowUtcMs();
    await enroll(store().engine, setup.ws, other, contact.id, clock.nowUtcMs());
    await run();
    expect(sentTo("+14155559001")).toHaveLength(1);
    const waiting = (await messagesOfContact(store().engine.db, contact.id)).find(
      (m) => m.channel === "sms" && m.status === "queued",
    );
    expect(waiting?.hold_reason).toBe("deferred:cap:contact_sms_1_per_7_days");
    expect(waiting?.next_attempt_at ?? 0).toBeGreaterThanOrEqual(firstAt + 7 * DAY_MS);
    clock.set(waiting?.next_attempt_at ?? 0);
    await run();
    const texts = provider.accepted("Messages").filter((r) => r.params.To === "+14155559001");
    expect(texts).toHaveLength(2);
    expect((texts[1]?.atUtcMs ?? 0) - (texts[0]?.atUtcMs ?? 0)).toBeGreaterThanOrEqual(7 * DAY_MS);
  });

  it("property: whenever and wherever a contact is enrolled, the text reaches the provider inside 08:00–21:00 their time", async () => {
    const setup = await liveSetup();
    const zones = [
      "America/New_York",
      "America/Los_Angeles",
      "Pacific/Honolulu",
      "Europe/London",
      "Australia/Lord_Howe",
      "Asia/Kolkata",
    ];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...zones),
        // Up to 30 days (to the minute) after the previous run: the year's DST changes get crossed.
        fc.integer({ min: 0, max: 30 * 24 * 60 }),
        async (zone, offsetMinutes) => {
          n += 1;
          const phone = `+1415556${String(1000 + n).padStart(4, "0")}`;
          clock.advance(offsetMinutes * MINUTE_MS);
          const contact = await contactIn(setup, { phone, timeZone: zone });
          await enroll(store().engine, setup.ws, setup.sequence, contact.id, clock.nowUtcMs());
          for (let i = 0; i < 5 && sentTo(phone).length === 0; i++) {
            await run();
            const [m] = await messagesOfContact(store().engine.db, contact.id);
            if (m?.status === "queued" && m.next_attempt_at)
              clock.set(Math.max(clock.nowUtcMs(), m.next_attempt_at));
          }
          const [text] = sentTo(phone);
          expect(text).toBeDefined();
          const local = DateTime.fromMillis(text?.atUtcMs ?? 0, { zone });
          const minute = local.hour * 60 + local.minute;
          expect(minute, `${zone} ${local.toISO()}`).toBeGreaterThanOrEqual(8 * 60);
          expect(minute, `${zone} ${local.toISO()}`).toBeLessThan(21 * 60);
        },
      ),
      { numRuns: 15 },
    );
  });

  it("a call back after a voicemail drop ends the enrollment as replied and gives the rep a call-back task, once", async () => {
    const setup = await liveSetup();
    clock.set(Date.UTC(2026, 11, 1 + counter, 18, 0)); // 10:00 in Los Angeles
    const contact = await contactIn(setup);
    const e164 = `+1415555${String(2000 + counter)}`;
    await enroll(store().engine, setup.ws, setup.sequence, contact.id, clock.nowUtcMs());
    await run();
    clock.advance(DAY_MS);
    await run();
    expect(sentTo(e164, "Calls")).toHaveLength(1);

    clock.advance(2 * HOUR_MS);
    const forged = await provider.placeInboundCall({ from: e164, to: setup.sfNumber, signWith: "wrong" });
    expect(forged.status).toBe(401);
    const call = await provider.placeInboundCall({ from: e164, to: setup.sfNumber });
    expect(call.status).toBe(200);
    expect(call.body).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?><Response><Say>[^<]+<\/Say><\/Response>$/,
    );
    // The provider retries the same call: nothing happens twice.
    expect(
      (await provider.placeInboundCall({ from: e164, to: setup.sfNumber, callSid: call.callSid })).status,
    ).toBe(200);
    const [enrollment] = await enrollmentsOfContact(store().engine.db, contact.id);
    expect(enrollment).toMatchObject({ status: "completed" });
    const callBacks = await listTasks(store().engine.db, setup.ws.id, {
      contactId: contact.id,
      type: "call",
    });
    expect(callBacks.map((t) => t.title)).toEqual([`Call back Pat: they called ${setup.sfNumber}`]);
    const metrics = await app.inject({
      method: "GET",
      url: `/v1/sequences/${setup.sequence.id}/sms-metrics`,
      headers: { authorization: `Bearer ${setup.key}` },
    });
    expect(metrics.json().steps.find((s: { step: string }) => s.step === "drop")).toMatchObject({
      sent: 1,
      callbacks: 1,
    });
  });

  it("a call back is put through to the owner's phone: answered closes the call-back task as connected, unanswered keeps it and tells the caller", async () => {
    const setup = await liveSetup();
    clock.set(Date.UTC(2026, 11, 1 + counter, 18, 0));
    const auth = { authorization: `Bearer ${setup.key}` };
    // The rep's phone is read with the workspace's region and kept in E.164; a number that
    // cannot be assigned is refused, naming the field.
    const bad = await app.inject({
      method: "POST",
      url: "/v1/users",
      headers: auth,
      payload: { email: `rita${counter}@team.test`, name: "Rita", phone: "+1 555 555 0100" },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([expect.objectContaining({ field: "phone" })]);
    const created = await app.inject({
      method: "POST",
      url: "/v1/users",
      headers: auth,
      payload: { email: `rita${counter}@team.test`, name: "Rita", phone: "(415) 555-0199" },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ phone: "+14155550199", active: true });
    const rita = created.json().id as string;

    const answered = await contactIn(setup, { phone: "+14155556101" });
    const missed = await contactIn(setup, { phone: "+14155556102" });
    for (const c of [answered, missed]) {
      await makeContact(store().engine, setup.ws, { email: c.email ?? "", ownerId: rita }, clock.nowUtcMs());
    }
    const callAndFinish = async (from: string, status: "completed" | "no-answer") => {
      const call = await provider.placeInboundCall({ from, to: setup.sfNumber });
      expect(call.status).toBe(200);
      expect(call.body).toContain("<Dial");
      const dial = await provider.finishDial(call.callSid, call.body, status);
      expect(dial.dialed).toBe("+14155550199");
      expect(dial.status).toBe(200);
      return dial.body;
    };
    expect(await callAndFinish("+14155556101", "completed")).toMatch(/<Response><Hangup\/><\/Response>$/);
    expect(await callAndFinish("+14155556102", "no-answer")).toMatch(
      /<Response><Say>[^<]*call you back[^<]*<\/Say>/,
    );
    const taskOf = async (contactId: string) =>
      (await listTasks(store().engine.db, setup.ws.id, { contactId, type: "call" }))[0];
    expect(await taskOf(answered.id)).toMatchObject({
      status: "done",
      outcome: "connected",
      assignee_id: rita,
    });
    expect(await taskOf(missed.id)).toMatchObject({ status: "open", outcome: null, assignee_id: rita });

    // A forged call is refused; an inactive rep's calls are not put through.
    const forged = await provider.placeInboundCall({
      from: "+14155556102",
      to: setup.sfNumber,
      signWith: "wrong",
    });
    expect(forged.status).toBe(401);
    const off = await app.inject({
      method: "PATCH",
      url: `/v1/users/${rita}`,
      headers: auth,
      payload: { active: false },
    });
    expect(off.json()).toMatchObject({ active: false, phone: "+14155550199" });
    const again = await provider.placeInboundCall({ from: "+14155556102", to: setup.sfNumber });
    expect(again.body).not.toContain("<Dial");
    expect(again.body).toContain("<Say>");
    const callBacks = await listTasks(store().engine.db, setup.ws.id, { contactId: missed.id, type: "call" });
    expect(callBacks).toHaveLength(2);
    expect(callBacks.filter((t) => t.assignee_id === rita)).toHaveLength(1);
  });

  it("a call back while the cadence is still running stops it as replied", async () => {
    const setup = await liveSetup();
    clock.set(Date.UTC(2026, 11, 1 + counter, 18, 0));
    const contact = await contactIn(setup);
    const e164 = `+1415555${String(2000 + counter)}`;
    await enroll(store().engine, setup.ws, setup.sequence, contact.id, clock.nowUtcMs());
    await run();
    expect(sentTo(e164)).toHaveLength(1);
    clock.advance(HOUR_MS);
    expect((await provider.placeInboundCall({ from: e164, to: setup.sfNumber })).status).toBe(200);
    const [enrollment] = await enrollmentsOfContact(store().engine.db, contact.id);
    expect(enrollment).toMatchObject({ status: "exited", exit_reason: "replied" });
    clock.advance(2 * DAY_MS);
    await run();
    expect(sentTo(e164, "Calls")).toHaveLength(0);
  });

  it("a landline failure callback stops texts to that number and shows on the contact", async () => {
    const setup = await liveSetup();
    clock.set(Date.UTC(2026, 10, 28, 18, 0));
    const contact = await contactIn(setup, { phone: "+14155558001" });
    await enroll(store().engine, setup.ws, setup.sequence, contact.id, clock.nowUtcMs());
    await run();
    const [sent] = sentTo("+14155558001");
    expect((await provider.postStatus(sent?.sid ?? "", "sent")).status).toBe(200);
    expect((await provider.postStatus(sent?.sid ?? "", "undelivered", { errorCode: "30006" })).status).toBe(
      200,
    );
    // A late "sent" never moves the status back.
    await provider.postStatus(sent?.sid ?? "", "sent");
    const shown = await app.inject({
      method: "GET",
      url: `/v1/contacts/${contact.id}/sms`,
      headers: { authorization: `Bearer ${setup.key}` },
    });
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({
      phone_e164: "+14155558001",
      consent: { state: "granted", source: "web form" },
      sender_number: setup.sfNumber,
      blocks: [{ kind: "sms_undeliverable", source: "provider:30006" }],
    });
    const delivery = await store()
      .engine.db.selectFrom("sms_deliveries")
      .selectAll()
      .where("provider_sid", "=", sent?.sid ?? "")
      .executeTakeFirst();
    expect(delivery).toMatchObject({ status: "undelivered", error_code: "30006" });
    const metrics = await app.inject({
      method: "GET",
      url: `/v1/sequences/${setup.sequence.id}/sms-metrics`,
      headers: { authorization: `Bearer ${setup.key}` },
    });
    expect(metrics.json().steps).toEqual([
      {
        step: "hello",
        channel: "sms",
        sent: 1,
        delivered: 0,
        failed: 1,
        replied: 0,
        opted_out: 0,
        callbacks: 0,
      },
    ]);
  });
});
