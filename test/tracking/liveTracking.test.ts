// Tracking on a live send: the real worker delivers over SMTP (pooled nodemailer) to a real SMTP
// server in-process; what arrives is parsed with mailparser, and its tracked link is followed on
// the real API server. The clock is pinned, so "seconds after delivery" is exact.

import type { FastifyInstance } from "fastify";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildServer } from "../../src/api/server.ts";
import { SmtpEmailTransport } from "../../src/channels/email/smtpTransport.ts";
import { ManualClock } from "../../src/engine/clock.ts";
import { Worker } from "../../src/engine/worker.ts";
import { eventsOfMessage } from "../../src/store/repos/events.ts";
import { createMailbox, smtpSettingsOf } from "../../src/store/repos/mailboxes.ts";
import { messagesOfContact } from "../../src/store/repos/messages.ts";
import { setWorkspaceMode } from "../../src/store/repos/workspaces.ts";
import type { MailboxRow } from "../../src/store/schema.ts";
import { ALWAYS_OPEN, enroll, makeContact, makeSequence, makeWorkspace } from "../support/engineFixtures.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtpSink.ts";
import { describeEachEngine } from "../support/testStores.ts";

const T0 = Date.UTC(2026, 10, 2, 14, 0, 0);
const PUBLIC_URL = "https://nudge.example.test";
const PRICING = "https://acme.test/pricing";
const CHROME =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

describeEachEngine("tracking on a live SMTP send", (store) => {
  const clock = new ManualClock(T0);
  const mailboxes = new Map<string, MailboxRow>();
  let sink: SmtpSink;
  let transport: SmtpEmailTransport;
  let worker: Worker;
  let app: FastifyInstance;

  beforeAll(async () => {
    sink = await startSmtpSink();
    transport = new SmtpEmailTransport(
      (mailboxId) => {
        const row = mailboxId ? mailboxes.get(mailboxId) : undefined;
        return row ? smtpSettingsOf(row) : null;
      },
      null,
      { connection: 5_000, socket: 5_000 },
    );
    worker = new Worker({ engine: store().engine, clock, emailTransport: transport, publicUrl: PUBLIC_URL });
    app = await buildServer({ engine: store().engine, clock, publicUrl: PUBLIC_URL, logger: false });
  });
  afterAll(async () => {
    await app.close();
    await transport.close();
    await sink.close();
  });

  it("the HTML part carries tracked links and a pixel, the text part the real URL; clicks land on it", async () => {
    const { engine } = store();
    const ws = await makeWorkspace(engine, clock.nowUtcMs(), { testClock: false, timeZone: "UTC" });
    await setWorkspaceMode(engine.db, ws.id, "live");
    const mailbox = await createMailbox(
      engine.db,
      ws.id,
      {
        name: "Sales",
        fromName: "Sam Seller",
        fromAddress: "sam-tracking@acme.test",
        replyTo: null,
        smtp: { host: sink.host, port: sink.port, secure: false },
        dailyLimit: 10_000,
        isDefault: true,
      },
      clock.nowUtcMs(),
    );
    mailboxes.set(mailbox.id, mailbox);
    const sequence = await makeSequence(
      engine,
      ws,
      `id: live-tracking
tracking: true
${ALWAYS_OPEN}steps:
  - id: hello
    email:
      subject: Pricing
      body: "Hi {{ contact.first_name }}, here is [our pricing](${PRICING})."
`,
      clock.nowUtcMs(),
    );
    const contact = await makeContact(
      engine,
      ws,
      { email: "lee@prospect.test", firstName: "Lee" },
      clock.nowUtcMs(),
    );
    await enroll(engine, ws, sequence, contact.id, clock.nowUtcMs());
    await worker.runOnce();

    const [received] = sink.messagesTo("lee@prospect.test");
    if (!received) throw new Error("nothing arrived");
    const mail = await simpleParser(received.raw);
    const html = typeof mail.html === "string" ? mail.html : "";
    const click = /href="(https:\/\/nudge\.example\.test\/t\/c\/[^"]+)"/.exec(html)?.[1];
    expect(click).toBeDefined();
    expect(html).toMatch(/<img src="https:\/\/nudge\.example\.test\/t\/o\/[^"]+\.gif" width="1" height="1"/);
    expect(html).not.toContain(PRICING);
    expect(mail.text).toContain(PRICING);
    expect(mail.text).not.toContain("/t/c/");

    const [message] = await messagesOfContact(engine.db, contact.id);
    expect(message?.sent_at).toBe(T0);
    const follow = (ua: string) =>
      app.inject({
        method: "GET",
        url: (click ?? "").slice(PUBLIC_URL.length),
        headers: { "user-agent": ua },
      });

    clock.advance(4_000);
    const scanned = await follow(CHROME);
    expect(scanned.statusCode).toBe(302);
    expect(scanned.headers.location).toBe(PRICING);
    clock.advance(20 * 60_000);
    const read = await follow(CHROME);
    expect(read.statusCode).toBe(302);
    expect(read.headers.location).toBe(PRICING);

    const events = await eventsOfMessage(engine.db, message?.id ?? "");
    expect(
      events
        .filter((e) => e.type === "email.clicked")
        .map((e) => [e.machine, e.occurredAtUtcMs - T0, e.data.machine_reason ?? null]),
    ).toEqual([
      [true, 4_000, "too_soon_after_send"],
      [false, 20 * 60_000 + 4_000, null],
    ]);
  });
});
