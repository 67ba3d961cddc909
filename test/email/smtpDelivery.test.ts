// Live email end to end: the real worker and SmtpEmailTransport (pooled nodemailer) deliver to
// a real SMTP server in-process, on SQLite and PostgreSQL, with a pinned clock. What arrives is
// parsed with mailparser and DKIM-verified with mailauth; the server is scripted to fail
// (421, 451, 550, a connection dropped mid-DATA) to check retries and bounces.

import { generateKeyPairSync } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { dkimVerify } from "mailauth";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildServer } from "../../src/api/server.ts";
import { dkimTxtRecord, type StoredDkimKey } from "../../src/channels/email/dkimKeys.ts";
import { SmtpEmailTransport } from "../../src/channels/email/smtpTransport.ts";
import { ManualClock } from "../../src/engine/clock.ts";
import { Worker } from "../../src/engine/worker.ts";
import { enrollmentsOfContact } from "../../src/store/repos/enrollments.ts";
import { createMailbox, smtpSettingsOf } from "../../src/store/repos/mailboxes.ts";
import { messagesOfContact } from "../../src/store/repos/messages.ts";
import { emailSuppression } from "../../src/store/repos/suppressions.ts";
import { createWebhook, listWebhookDeliveries } from "../../src/store/repos/webhooks.ts";
import { setWorkspaceMode } from "../../src/store/repos/workspaces.ts";
import type { MailboxRow } from "../../src/store/schema.ts";
import { ALWAYS_OPEN, enroll, makeContact, makeSequence, makeWorkspace } from "../support/engineFixtures.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtpSink.ts";
import { describeEachEngine } from "../support/testStores.ts";

const T0 = Date.UTC(2026, 10, 2, 14, 0, 0);
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const PUBLIC_URL = "https://nudge.example.test";
const EMAIL_DOMAIN = "mail.acme.test";

const SEQUENCE = (id: string) => `id: ${id}
name: Two emails
${ALWAYS_OPEN}steps:
  - id: one
    email:
      subject: "Hello {{ contact.first_name }}, about {{ contact.fields.topic | default: 'your team' }}"
      body: |
        Hi {{ contact.first_name }},

        A **short** note about [our pricing](https://acme.test/pricing).

        Best,
        Sam
  - id: two
    wait: 3d
    email:
      thread: true
      body: "Any thoughts, {{ contact.first_name }}?"
`;

/** The header block of a raw message with folded lines joined, as a mail client reads it. */
function headerBlock(raw: Buffer): string {
  const text = raw.toString("utf8");
  const end = text.search(/\r?\n\r?\n/);
  return text.slice(0, end).replace(/\r?\n[ \t]+/g, " ");
}

function headerValues(raw: Buffer, name: string): string[] {
  return headerBlock(raw)
    .split(/\r?\n/)
    .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((line) => line.slice(name.length + 1).trim());
}

describeEachEngine("email over SMTP", (store) => {
  const clock = new ManualClock(T0);
  const mailboxes = new Map<string, MailboxRow>();
  let sink: SmtpSink;
  let transport: SmtpEmailTransport;
  let worker: Worker;
  let counter = 0;

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
  });
  afterAll(async () => {
    await transport.close();
    await sink.close();
  });

  /** A live workspace (system-clock path, pinned by the manual clock) with one SMTP mailbox. */
  async function liveSetup(opts: { dkim?: StoredDkimKey; fromName?: string; postalAddress?: string } = {}) {
    const { engine } = store();
    counter += 1;
    // A sender of its own, so the sink's script for it is this test's alone.
    const sender = `sam${counter}@acme.test`;
    const ws = await makeWorkspace(engine, clock.nowUtcMs(), {
      testClock: false,
      timeZone: "UTC",
      settings: {
        emailDomain: EMAIL_DOMAIN,
        ...(opts.postalAddress ? { postalAddress: opts.postalAddress } : {}),
      },
    });
    await setWorkspaceMode(engine.db, ws.id, "live");
    const mailbox = await createMailbox(
      engine.db,
      ws.id,
      {
        name: "Sales",
        fromName: opts.fromName ?? "Sam Seller",
        fromAddress: sender,
        replyTo: sender,
        smtp: { host: sink.host, port: sink.port, secure: false },
        ...(opts.dkim ? { dkim: opts.dkim } : {}),
        dailyLimit: 10_000,
        isDefault: true,
      },
      clock.nowUtcMs(),
    );
    mailboxes.set(mailbox.id, mailbox);
    const sequence = await makeSequence(engine, ws, SEQUENCE(`smtp-${counter}`), clock.nowUtcMs());
    return { ws, mailbox, sequence, sender };
  }

  async function enrolled(
    setup: Awaited<ReturnType<typeof liveSetup>>,
    contact: { firstName: string; fields?: Record<string, string> },
  ) {
    const { engine } = store();
    const email = `${contact.firstName.replace(/\W/g, "").toLowerCase() || "x"}${counter}@prospect.test`;
    const row = await makeContact(
      engine,
      setup.ws,
      { email, firstName: contact.firstName, ...(contact.fields ? { fields: contact.fields } : {}) },
      clock.nowUtcMs(),
    );
    await enroll(engine, setup.ws, setup.sequence, row.id, clock.nowUtcMs());
    return { email, contact: row };
  }

  it("a sent email parses cleanly: multipart with a real text part, unsubscribe headers, our Message-ID", async () => {
    const setup = await liveSetup();
    const { email, contact } = await enrolled(setup, { firstName: "Ann" });
    await worker.runOnce();

    const [received] = sink.messagesTo(email);
    expect(sink.messagesTo(email)).toHaveLength(1);
    if (!received) throw new Error("nothing arrived");
    expect(received.from).toBe(setup.sender);
    const mail = await simpleParser(received.raw);
    expect(mail.subject).toBe("Hello Ann, about your team");
    expect(mail.from?.value).toEqual([{ name: "Sam Seller", address: setup.sender }]);
    expect(mail.headers.get("content-type")).toMatchObject({ value: "multipart/alternative" });
    // The text part is text a person would write, not HTML with its tags stripped.
    expect(mail.text).toContain("A short note about our pricing (https://acme.test/pricing).");
    expect(mail.text).not.toMatch(/<[a-z]/i);
    expect(mail.html).toContain("<strong>short</strong>");
    expect(mail.html).toContain('href="https://acme.test/pricing"');

    const [message] = await messagesOfContact(store().engine.db, contact.id);
    expect(message?.status).toBe("sent");
    expect(mail.messageId).toBe(`<${message?.message_id_header}>`);
    expect(message?.message_id_header).toMatch(
      new RegExp(`^msg_[0-9a-z]+@${EMAIL_DOMAIN.replace(/\./g, "\\.")}$`),
    );

    const [listUnsubscribe] = headerValues(received.raw, "List-Unsubscribe");
    expect(listUnsubscribe).toMatch(/^<https:\/\/nudge\.example\.test\/u\/[\w.-]+>, <mailto:([^>]+)>$/);
    expect(listUnsubscribe).toContain(`<mailto:${setup.sender}?subject=unsubscribe>`);
    expect(headerValues(received.raw, "List-Unsubscribe-Post")).toEqual(["List-Unsubscribe=One-Click"]);
    // The footer link is the same one-click URL.
    const url = /<(https:[^>]+)>/.exec(listUnsubscribe ?? "")?.[1] ?? "";
    expect(mail.text).toContain(url);
    expect(mail.html).toContain(`href="${url}"`);
  });

  it("a `thread: true` step replies in the first email's thread (Re:, In-Reply-To, References)", async () => {
    const setup = await liveSetup();
    const { email } = await enrolled(setup, { firstName: "Bea" });
    await worker.runOnce();
    clock.advance(3 * DAY_MS + MINUTE_MS);
    await worker.runOnce();
    await worker.runOnce();

    const received = sink.messagesTo(email);
    expect(received).toHaveLength(2);
    const [first, second] = await Promise.all(received.map((m) => simpleParser(m.raw)));
    expect(first?.subject).toBe("Hello Bea, about your team");
    expect(second?.subject).toBe("Re: Hello Bea, about your team");
    expect(second?.inReplyTo).toBe(first?.messageId);
    expect(second?.references).toBe(first?.messageId);
    expect(second?.messageId).not.toBe(first?.messageId);
    expect(second?.text).toContain("Any thoughts, Bea?");
  });

  it("a DKIM signature made with the mailbox's key verifies, and covers both unsubscribe headers", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const setup = await liveSetup({ dkim: { selector: "nudge1", privateKey: pem } });
    const { email } = await enrolled(setup, { firstName: "Cleo" });
    await worker.runOnce();
    const [received] = sink.messagesTo(email);
    if (!received) throw new Error("nothing arrived");

    const lookups: string[] = [];
    const resolver = async (name: string, type: string) => {
      lookups.push(`${type} ${name}`);
      if (type === "TXT" && name === "nudge1._domainkey.acme.test") return [[dkimTxtRecord(pem) ?? ""]];
      throw Object.assign(new Error(`no ${type} ${name}`), { code: "ENOTFOUND" });
    };
    const verified = await dkimVerify(received.raw, { resolver });
    expect(lookups).toContain("TXT nudge1._domainkey.acme.test");
    expect(verified.results).toHaveLength(1);
    expect(verified.results[0]).toMatchObject({
      signingDomain: "acme.test",
      selector: "nudge1",
      status: { result: "pass" },
    });
    const [signature] = headerValues(received.raw, "DKIM-Signature");
    const signed = (/\bh=([^;]+)/.exec(signature ?? "")?.[1] ?? "")
      .replace(/\s+/g, "")
      .toLowerCase()
      .split(":");
    expect(signed).toEqual(
      expect.arrayContaining(["from", "subject", "message-id", "list-unsubscribe", "list-unsubscribe-post"]),
    );

    // A different published key fails: the check can fail.
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    const wrong = await dkimVerify(received.raw, {
      resolver: async () => [[dkimTxtRecord(other.toString()) ?? ""]],
    });
    expect(wrong.results[0]?.status.result).toBe("fail");
  });

  it("421, then 451, then accepted: retried with backoff and delivered exactly once", async () => {
    const setup = await liveSetup();
    const { email, contact } = await enrolled(setup, { firstName: "Dan" });
    sink.script(setup.sender, { code: 421, at: "rcpt" }, { code: 451, at: "data" }, "accept");

    await worker.runOnce();
    let [message] = await messagesOfContact(store().engine.db, contact.id);
    expect(message).toMatchObject({ status: "queued", attempt_count: 1 });
    // A 421 closes the session (RFC 5321 4.2): nodemailer reports the closed connection.
    expect(message?.last_error).toMatch(/^(421|ECONNECTION)\b/);
    // Backoff: the retry waits about a minute (±20% jitter), so an immediate pass sends nothing.
    expect(message?.next_attempt_at ?? 0).toBeGreaterThanOrEqual(clock.nowUtcMs() + 0.8 * MINUTE_MS);
    await worker.runOnce();
    expect(sink.attemptsTo(email)).toHaveLength(1);

    clock.advance(2 * MINUTE_MS);
    await worker.runOnce();
    [message] = await messagesOfContact(store().engine.db, contact.id);
    expect(message).toMatchObject({ status: "queued", attempt_count: 2 });
    expect(message?.last_error).toMatch(/^451/);
    expect(message?.next_attempt_at ?? 0).toBeGreaterThanOrEqual(clock.nowUtcMs() + 1.6 * MINUTE_MS);

    clock.advance(3 * MINUTE_MS);
    await worker.runOnce();
    clock.advance(10 * MINUTE_MS);
    await worker.runOnce();

    expect(sink.attemptsTo(email).map((a) => [a.outcome, a.code])).toEqual([
      ["refused", 421],
      ["refused", 451],
      ["accepted", 250],
    ]);
    expect(sink.messagesTo(email)).toHaveLength(1);
    [message] = await messagesOfContact(store().engine.db, contact.id);
    expect(message).toMatchObject({ status: "sent", attempt_count: 3 });
    const [enrollment] = await enrollmentsOfContact(store().engine.db, contact.id);
    expect(enrollment?.status).toBe("active");
  });

  it("transient failures give up after the configured number of attempts: held, not bounced", async () => {
    const setup = await liveSetup();
    const { email, contact } = await enrolled(setup, { firstName: "Ida" });
    sink.script(
      setup.sender,
      { code: 451, at: "rcpt" },
      { code: 452, at: "rcpt" },
      { code: 451, at: "data" },
    );
    const limited = new Worker({
      engine: store().engine,
      clock,
      emailTransport: transport,
      publicUrl: PUBLIC_URL,
      maxSendAttempts: 2,
    });
    await limited.runOnce();
    clock.advance(3 * MINUTE_MS);
    await limited.runOnce();
    clock.advance(30 * MINUTE_MS);
    await limited.runOnce();

    expect(sink.attemptsTo(email).map((a) => a.code)).toEqual([451, 452]);
    expect(sink.messagesTo(email)).toHaveLength(0);
    const [message] = await messagesOfContact(store().engine.db, contact.id);
    expect(message).toMatchObject({ status: "failed", attempt_count: 2 });
    // A server that keeps saying "later" says nothing about the address.
    expect(await emailSuppression(store().engine.db, setup.ws.id, email)).toBeUndefined();
    const [enrollment] = await enrollmentsOfContact(store().engine.db, contact.id);
    expect(enrollment?.status).not.toBe("exited");
  });

  it("550 to the recipient is a hard bounce: the enrollment exits `bounced` and the address is suppressed", async () => {
    const setup = await liveSetup();
    const { email, contact } = await enrolled(setup, { firstName: "Eve" });
    const hook = await createWebhook(
      store().engine.db,
      setup.ws.id,
      { url: "https://hooks.example.test/nudge", secret: "s3cret", eventTypes: ["message.bounced"] },
      clock.nowUtcMs(),
    );
    sink.script(setup.sender, { code: 550, at: "rcpt", message: "5.1.1 <eve> User unknown" });
    await worker.runOnce();

    expect(sink.messagesTo(email)).toHaveLength(0);
    const [message] = await messagesOfContact(store().engine.db, contact.id);
    expect(message?.status).toBe("bounced");
    expect(message?.last_error).toContain("550");
    const [enrollment] = await enrollmentsOfContact(store().engine.db, contact.id);
    expect(enrollment).toMatchObject({ status: "exited", exit_reason: "bounced" });
    expect(await emailSuppression(store().engine.db, setup.ws.id, email)).toMatchObject({
      reason: "hard_bounce",
      source: "smtp:550",
    });
    // Subscribers hear of it: one `message.bounced` delivery queued in the same transaction.
    const deliveries = await listWebhookDeliveries(store().engine.db, hook.id);
    expect(deliveries.map((d) => [d.event_type, d.status])).toEqual([["message.bounced", "pending"]]);
    expect(JSON.parse(deliveries[0]?.payload_json ?? "{}")).toEqual({
      contact_id: contact.id,
      email,
      hard: true,
      status: "550",
      message_id: message?.id,
    });
    // Nothing more goes to the address, whatever the clock does.
    clock.advance(4 * DAY_MS);
    await worker.runOnce();
    expect(sink.attemptsTo(email)).toHaveLength(1);
  });

  it("a 5xx refusing the message after DATA is a hard bounce too", async () => {
    const setup = await liveSetup();
    const { email, contact } = await enrolled(setup, { firstName: "Jo" });
    sink.script(setup.sender, { code: 554, at: "data", message: "5.7.1 Message rejected" });
    await worker.runOnce();
    const [message] = await messagesOfContact(store().engine.db, contact.id);
    expect(message?.status).toBe("bounced");
    const [enrollment] = await enrollmentsOfContact(store().engine.db, contact.id);
    expect(enrollment).toMatchObject({ status: "exited", exit_reason: "bounced" });
    expect(await emailSuppression(store().engine.db, setup.ws.id, email)).toMatchObject({
      source: "smtp:554",
    });
  });

  it("a 5xx to the login or the sender is not the recipient's fault: no bounce, no suppression", async () => {
    const setup = await liveSetup();
    const { email, contact } = await enrolled(setup, { firstName: "Finn" });
    sink.script(setup.sender, { code: 553, at: "mail", message: "5.7.1 Sender not allowed" });
    await worker.runOnce();
    const [message] = await messagesOfContact(store().engine.db, contact.id);
    expect(message).toMatchObject({ status: "queued", attempt_count: 1 });
    expect(message?.last_error).toMatch(/^553/);
    expect(await emailSuppression(store().engine.db, setup.ws.id, email)).toBeUndefined();
    clock.advance(2 * MINUTE_MS);
    await worker.runOnce();
    expect(sink.messagesTo(email)).toHaveLength(1);
  });

  it("a connection dropped mid-DATA is retried and the message arrives once, complete", async () => {
    const setup = await liveSetup();
    const { email, contact } = await enrolled(setup, { firstName: "Gus" });
    sink.script(setup.sender, "drop");
    await worker.runOnce();
    let [message] = await messagesOfContact(store().engine.db, contact.id);
    expect(message).toMatchObject({ status: "queued", attempt_count: 1 });
    expect(sink.attemptsTo(email).map((a) => a.outcome)).toEqual(["dropped"]);
    expect(sink.messagesTo(email)).toHaveLength(0);

    clock.advance(2 * MINUTE_MS);
    await worker.runOnce();
    clock.advance(10 * MINUTE_MS);
    await worker.runOnce();
    expect(sink.attemptsTo(email).map((a) => a.outcome)).toEqual(["dropped", "accepted"]);
    const received = sink.messagesTo(email);
    expect(received).toHaveLength(1);
    const mail = await simpleParser(received[0]?.raw ?? Buffer.alloc(0));
    expect(mail.text).toContain("Best,\nSam");
    expect(mail.html).toContain("Sam");
    expect(mail.text).toContain("unsubscribe here");
    [message] = await messagesOfContact(store().engine.db, contact.id);
    expect(message).toMatchObject({ status: "sent", attempt_count: 2 });
  });

  it("a server that never answers the message times out and is retried; it arrives once", async () => {
    const setup = await liveSetup();
    const { email, contact } = await enrolled(setup, { firstName: "Kit" });
    sink.script(setup.sender, "stall");
    // Short timeouts: the wait here is the socket timeout itself, not a schedule.
    const impatient = new SmtpEmailTransport(
      (mailboxId) => {
        const row = mailboxId ? mailboxes.get(mailboxId) : undefined;
        return row ? smtpSettingsOf(row) : null;
      },
      null,
      { connection: 2_000, socket: 500 },
    );
    const quick = new Worker({
      engine: store().engine,
      clock,
      emailTransport: impatient,
      publicUrl: PUBLIC_URL,
    });
    try {
      await quick.runOnce();
      let [message] = await messagesOfContact(store().engine.db, contact.id);
      expect(message).toMatchObject({ status: "queued", attempt_count: 1 });
      expect(sink.attemptsTo(email).map((a) => a.outcome)).toEqual(["stalled"]);

      clock.advance(2 * MINUTE_MS);
      await quick.runOnce();
      expect(sink.attemptsTo(email).map((a) => a.outcome)).toEqual(["stalled", "accepted"]);
      expect(sink.messagesTo(email)).toHaveLength(1);
      [message] = await messagesOfContact(store().engine.db, contact.id);
      expect(message).toMatchObject({ status: "sent", attempt_count: 2 });
    } finally {
      await impatient.close();
    }
  });

  it("CR/LF in a merge value or a sender name adds no header; HTML in a first name is escaped", async () => {
    const setup = await liveSetup({ fromName: "Sam\r\nBcc: boss@evil.test" });
    const { email } = await enrolled(setup, {
      firstName: "<script>alert(1)</script>",
      fields: { topic: "pricing\r\nBcc: x@y.test\r\nX-Injected: yes" },
    });
    await worker.runOnce();
    const [received] = sink.messagesTo(email);
    if (!received) throw new Error("nothing arrived");
    // One envelope recipient, and no header the template did not write.
    expect(received.to).toEqual([email]);
    const headers = headerBlock(received.raw);
    expect(headers).not.toMatch(/^bcc:/im);
    expect(headers).not.toMatch(/^x-injected:/im);
    const mail = await simpleParser(received.raw);
    expect(mail.bcc).toBeUndefined();
    expect(mail.headers.has("x-injected")).toBe(false);
    expect(mail.subject).toContain("pricing Bcc: x@y.test X-Injected: yes");
    expect(mail.from?.value).toHaveLength(1);
    expect(mail.from?.value[0]?.address).toBe(setup.sender);

    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(mail.text).toContain("Hi <script>alert(1)</script>,");
  });

  it("the workspace's postal address closes both parts of the footer (CAN-SPAM), escaped in HTML", async () => {
    const setup = await liveSetup({ postalAddress: "Acme <Sales> & Co.\n1 Main St, Springfield, IL 62701" });
    const { email } = await enrolled(setup, { firstName: "Ida" });
    await worker.runOnce();
    const [received] = sink.messagesTo(email);
    if (!received) throw new Error("nothing arrived");
    const mail = await simpleParser(received.raw);
    expect(mail.text).toMatch(
      /unsubscribe here: https:\S+\nAcme <Sales> & Co\.\n1 Main St, Springfield, IL 62701\n?$/,
    );
    expect(mail.html).toContain("Acme &lt;Sales&gt; &amp; Co.<br>1 Main St, Springfield, IL 62701");
    expect(mail.html).not.toContain("<Sales>");
  });

  it("one-click unsubscribe from a delivered email's header suppresses and exits within the request", async () => {
    const { engine } = store();
    const app: FastifyInstance = await buildServer({ engine, clock, publicUrl: PUBLIC_URL, logger: false });
    try {
      const setup = await liveSetup();
      const { email, contact } = await enrolled(setup, { firstName: "Hal" });
      await worker.runOnce();
      const [received] = sink.messagesTo(email);
      const url = /<(https:[^>]+)>/.exec(
        headerValues(received?.raw ?? Buffer.alloc(0), "List-Unsubscribe")[0] ?? "",
      )?.[1];
      if (!url) throw new Error("no List-Unsubscribe URL");
      const res = await app.inject({
        method: "POST",
        url: url.slice(PUBLIC_URL.length),
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: "List-Unsubscribe=One-Click",
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers.location).toBeUndefined();
      // Already done when the answer arrives: no worker pass in between.
      expect(await emailSuppression(engine.db, setup.ws.id, email)).toMatchObject({ reason: "unsubscribed" });
      const [enrollment] = await enrollmentsOfContact(engine.db, contact.id);
      expect(enrollment).toMatchObject({ status: "exited", exit_reason: "unsubscribed" });
      clock.advance(3 * DAY_MS + MINUTE_MS);
      await worker.runOnce();
      expect(sink.messagesTo(email)).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
