// Acceptance: the demo cadence "day 1 email + SMS, day 3 voicemail drop, day 5 email, day 10
// break-up email", live, walked on a pinned clock by the real worker, each touch arriving at a
// real in-process SMTP server or the local SMS provider at the right local time; and the same
// cadence with an SMS reply on day 2, which exits the enrollment, hands the contact to a rep as
// a task, and lets nothing else go out.

import type { FastifyInstance } from "fastify";
import { DateTime } from "luxon";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildServer } from "../../src/api/server.ts";
import { SmtpEmailTransport } from "../../src/channels/email/smtpTransport.ts";
import { ManualClock } from "../../src/engine/clock.ts";
import { Worker } from "../../src/engine/worker.ts";
import { nextDueAt } from "../../src/store/ops/claimDueEnrollments.ts";
import { nextOutboxAt } from "../../src/store/ops/claimOutboxMessages.ts";
import { setSmsConsent } from "../../src/store/repos/contacts.ts";
import { enrollmentsOfContact } from "../../src/store/repos/enrollments.ts";
import { createMailbox, smtpSettingsOf } from "../../src/store/repos/mailboxes.ts";
import { addSmsNumber } from "../../src/store/repos/smsNumbers.ts";
import { saveSmsSettings } from "../../src/store/repos/smsSettings.ts";
import { listTasks } from "../../src/store/repos/tasks.ts";
import { setWorkspaceMode } from "../../src/store/repos/workspaces.ts";
import type { MailboxRow } from "../../src/store/schema.ts";
import { enroll, makeContact, makeSequence, makeWorkspace } from "../support/engineFixtures.ts";
import { type LocalSmsProvider, startLocalSmsProvider } from "../support/localSmsProvider.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtpSink.ts";
import { describeEachEngine } from "../support/testStores.ts";

const PUBLIC_URL = "https://nudge.example.test";
const ZONE = "America/Chicago";
const DAY_MS = 86_400_000;
/** Monday 2026-11-02, 07:00 in Chicago: before the sending window opens. */
const T0 = DateTime.fromISO("2026-11-02T07:00", { zone: ZONE }).toMillis();

const DEMO = (id: string) => `id: ${id}
name: Demo cadence
schedule:
  timezone: contact
  days: weekdays
  hours: "09:00-17:00"
steps:
  - id: day1-email
    email:
      subject: "Quick question, {{ contact.first_name }}"
      body: "Hi {{ contact.first_name }}, would a 15-minute look at Acme be useful?"
  - id: day1-sms
    sms:
      body: "Hi {{ contact.first_name }}, Sam from Acme: just emailed you a quick question."
  - id: day3-voicemail
    wait: 2d
    voicemail:
      script: "Hi {{ contact.first_name }}, Sam from Acme. I sent you an email, have a look when you can."
  - id: day5-email
    wait: 2d
    email:
      thread: true
      body: "Following up on my note, {{ contact.first_name }}."
  - id: day10-breakup
    wait: 5d
    email:
      thread: true
      body: "I'll stop here, {{ contact.first_name }}. If the timing changes, just reply."
`;

interface Arrival {
  channel: "email" | "sms" | "voicemail";
  to: string;
  local: string;
}

describeEachEngine("the demo cadence, live, on a pinned clock", (store) => {
  const clock = new ManualClock(T0);
  const mailboxes = new Map<string, MailboxRow>();
  let app: FastifyInstance;
  let localUrl = "";
  let sink: SmtpSink;
  let transport: SmtpEmailTransport;
  let provider: LocalSmsProvider;
  let worker: Worker;
  let counter = 0;

  beforeAll(async () => {
    app = await buildServer({ engine: store().engine, clock, publicUrl: PUBLIC_URL, logger: false });
    localUrl = await app.listen({ port: 0, host: "127.0.0.1" });
    sink = await startSmtpSink();
    transport = new SmtpEmailTransport(
      (mailboxId) => {
        const row = mailboxId ? mailboxes.get(mailboxId) : undefined;
        return row ? smtpSettingsOf(row) : null;
      },
      null,
      { connection: 5_000, socket: 5_000 },
    );
    provider = await startLocalSmsProvider({
      nudgePublicUrl: PUBLIC_URL,
      nudgeLocalUrl: () => localUrl,
      now: () => clock.nowUtcMs(),
    });
    worker = new Worker({ engine: store().engine, clock, emailTransport: transport, publicUrl: PUBLIC_URL });
  });
  afterAll(async () => {
    await provider.close();
    await transport.close();
    await sink.close();
    await app.close();
  });

  async function setup() {
    const { engine } = store();
    counter += 1;
    clock.set(T0);
    const ws = await makeWorkspace(engine, T0, { testClock: false, timeZone: "America/New_York" });
    await setWorkspaceMode(engine.db, ws.id, "live");
    const mailbox = await createMailbox(
      engine.db,
      ws.id,
      {
        name: "Sales",
        fromName: "Sam Seller",
        fromAddress: "sam@acme.test",
        replyTo: "sam@acme.test",
        smtp: { host: sink.host, port: sink.port, secure: false },
        dailyLimit: 10_000,
        isDefault: true,
      },
      T0,
    );
    mailboxes.set(mailbox.id, mailbox);
    await saveSmsSettings(
      engine.db,
      ws.id,
      { account_sid: provider.accountSid, auth_token: provider.authToken, api_base_url: provider.apiBaseUrl },
      T0,
    );
    const ours = `+1312555${String(1100 + counter)}`;
    await addSmsNumber(engine.db, ws.id, { number: ours, country: "US", areaCode: "312" }, T0);
    await addSmsNumber(
      engine.db,
      ws.id,
      { number: `+1212555${String(1100 + counter)}`, country: "US", areaCode: "212" },
      T0,
    );
    provider.routeNumber(ours, ws.id);
    const sequence = await makeSequence(engine, ws, DEMO(`demo-${counter}`), T0);
    const email = `dana${counter}@prospect.test`;
    const phone = `+1312555${String(2100 + counter)}`;
    const contact = await makeContact(
      engine,
      ws,
      {
        email,
        firstName: "Dana",
        lastName: "Reyes",
        phone: `(312) 555-${String(2100 + counter)}`,
        timeZone: ZONE,
      },
      T0,
    );
    await setSmsConsent(engine.db, contact.id, "granted", "demo form checkbox", T0);
    await enroll(engine, ws, sequence, contact.id, T0);
    return { ws, contact, email, phone, ours };
  }

  /** Runs the worker at every instant something falls due, up to `untilUtcMs`, noting arrivals. */
  async function walk(
    workspaceId: string,
    email: string,
    phone: string,
    untilUtcMs: number,
    arrivals: Arrival[],
  ) {
    const local = () =>
      DateTime.fromMillis(clock.nowUtcMs(), { zone: ZONE }).toFormat("ccc yyyy-MM-dd HH:mm");
    for (let guard = 0; guard < 500; guard++) {
      for (;;) {
        const before = {
          mail: sink.messagesTo(email).length,
          texts: sentTo(phone, "Messages"),
          calls: sentTo(phone, "Calls"),
        };
        const more = await worker.runOnce();
        for (let i = before.mail; i < sink.messagesTo(email).length; i++)
          arrivals.push({ channel: "email", to: email, local: local() });
        for (let i = before.texts; i < sentTo(phone, "Messages"); i++)
          arrivals.push({ channel: "sms", to: phone, local: local() });
        for (let i = before.calls; i < sentTo(phone, "Calls"); i++)
          arrivals.push({ channel: "voicemail", to: phone, local: local() });
        if (!more) break;
      }
      const [due, outbox] = await Promise.all([
        nextDueAt(store().engine.db, workspaceId),
        nextOutboxAt(store().engine.db, workspaceId),
      ]);
      const next = Math.min(due ?? Number.POSITIVE_INFINITY, outbox ?? Number.POSITIVE_INFINITY);
      if (next > untilUtcMs) break;
      clock.set(Math.max(clock.nowUtcMs(), next));
    }
    clock.set(untilUtcMs);
  }

  const sentTo = (phone: string, resource: "Messages" | "Calls") =>
    provider.accepted(resource).filter((r) => r.params.To === phone).length;

  it("each touch reaches the SMTP server or the provider on its day, at the right local time", async () => {
    const { ws, email, phone, ours } = await setup();
    const arrivals: Arrival[] = [];
    await walk(ws.id, email, phone, T0 + 12 * DAY_MS, arrivals);
    expect(arrivals).toEqual([
      { channel: "email", to: email, local: "Mon 2026-11-02 09:00" },
      { channel: "sms", to: phone, local: "Mon 2026-11-02 09:00" },
      { channel: "voicemail", to: phone, local: "Wed 2026-11-04 09:00" },
      { channel: "email", to: email, local: "Fri 2026-11-06 09:00" },
      { channel: "email", to: email, local: "Wed 2026-11-11 09:00" },
    ]);
    const texts = provider.accepted("Messages").filter((r) => r.params.To === phone);
    expect(texts[0]?.params).toMatchObject({
      From: ours,
      Body: "Hi Dana, Sam from Acme: just emailed you a quick question.",
    });
    const [call] = provider.accepted("Calls").filter((r) => r.params.To === phone);
    expect(call?.params.From).toBe(ours);
    const mails = await Promise.all(sink.messagesTo(email).map((m) => simpleParser(m.raw)));
    expect(mails.map((m) => m.subject)).toEqual([
      "Quick question, Dana",
      "Re: Quick question, Dana",
      "Re: Quick question, Dana",
    ]);
    const [enrollment] = await enrollmentsOfContact(store().engine.db, (await setupContactId(email)) ?? "");
    expect(enrollment?.status).toBe("completed");
  });

  it("an SMS reply on day 2 exits the enrollment, creates a handoff task, and nothing else is sent", async () => {
    const { ws, contact, email, phone, ours } = await setup();
    const arrivals: Arrival[] = [];
    const day2 = DateTime.fromISO("2026-11-03T10:15", { zone: ZONE }).toMillis();
    await walk(ws.id, email, phone, day2, arrivals);
    expect(arrivals.map((a) => a.channel)).toEqual(["email", "sms"]);

    const answer = await provider.sendInbound({ from: phone, to: ours, body: "Call me Tuesday at 2" });
    expect(answer.status).toBe(200);
    expect(answer.body).not.toContain("<Message>");
    const [enrollment] = await enrollmentsOfContact(store().engine.db, contact.id);
    expect(enrollment).toMatchObject({ status: "exited", exit_reason: "replied" });
    const tasks = await listTasks(store().engine.db, ws.id, { contactId: contact.id });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ type: "handoff", status: "open", note: "Call me Tuesday at 2" });
    expect(tasks[0]?.title).toMatch(/Dana Reyes replied \(meeting request\)/);

    await walk(ws.id, email, phone, T0 + 14 * DAY_MS, arrivals);
    expect(arrivals.map((a) => a.channel)).toEqual(["email", "sms"]);
    expect(sink.messagesTo(email)).toHaveLength(1);
    expect(sentTo(phone, "Messages")).toBe(1);
    expect(sentTo(phone, "Calls")).toBe(0);
  });

  async function setupContactId(email: string): Promise<string | undefined> {
    const row = await store()
      .engine.db.selectFrom("contacts")
      .select("id")
      .where("email", "=", email)
      .executeTakeFirst();
    return row?.id;
  }
});
