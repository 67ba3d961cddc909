// The inbound pipeline end to end: replies, out-of-office and bounces, fed over a real IMAP
// server (a private Dovecot) and through the raw-MIME path, acting on real enrollments.

import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildServer } from "../../src/api/server.ts";
import { advanceClock } from "../../src/engine/advanceClock.ts";
import { systemClock } from "../../src/engine/clock.ts";
import { ImapPoller } from "../../src/inbound/imapPoller.ts";
import { startImapPollers } from "../../src/inbound/imapPollers.ts";
import { processInboundEmail } from "../../src/inbound/processInbound.ts";
import { createApiKey } from "../../src/store/repos/apiKeys.ts";
import { getEnrollment } from "../../src/store/repos/enrollments.ts";
import { createMailbox } from "../../src/store/repos/mailboxes.ts";
import { messagesOfEnrollment } from "../../src/store/repos/messages.ts";
import { emailSuppression } from "../../src/store/repos/suppressions.ts";
import { listTasks } from "../../src/store/repos/tasks.ts";
import { createWebhook, listWebhookDeliveries } from "../../src/store/repos/webhooks.ts";
import { getWorkspace } from "../../src/store/repos/workspaces.ts";
import type { Workspace } from "../../src/store/schema.ts";
import { transact } from "../../src/store/transact.ts";
import { type DovecotServer, startDovecot } from "../support/dovecot.ts";
import { ALWAYS_OPEN, enroll, makeContact, makeSequence, makeWorkspace } from "../support/engineFixtures.ts";
import { describeEachEngine } from "../support/testStores.ts";

// Monday 2026-11-02 14:00 UTC.
const T0 = Date.UTC(2026, 10, 2, 14, 0, 0);
const DAY = 86_400_000;

const SEQ = `id: inbound-pipeline
name: Inbound pipeline
${ALWAYS_OPEN}steps:
  - id: first
    email: { subject: "Quick question, {{ contact.first_name }}", body: "Hi {{ contact.first_name }}, a short note." }
  - id: second
    wait: 3d
    email: { thread: true, body: "Following up." }
  - id: third
    wait: 3d
    email: { subject: "Closing the loop", body: "Last note." }
`;

function reply(opts: {
  from: string;
  to: string;
  inReplyTo: string;
  subject: string;
  body: string;
  headers?: string[];
  id: string;
}): string {
  return [
    `From: ${opts.from}`,
    `To: ${opts.to}`,
    `Subject: ${opts.subject}`,
    `Message-ID: <${opts.id}@prospect.test>`,
    `In-Reply-To: <${opts.inReplyTo}>`,
    `References: <${opts.inReplyTo}>`,
    "Date: Tue, 03 Nov 2026 15:00:00 +0000",
    ...(opts.headers ?? []),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    opts.body,
    "",
  ].join("\r\n");
}

let dovecot: DovecotServer;
beforeAll(async () => {
  dovecot = await startDovecot();
});
afterAll(async () => {
  await dovecot?.stop();
});

describeEachEngine("inbound pipeline", (store) => {
  const deps = () => ({ engine: store().engine, clock: systemClock, publicUrl: "http://nudge.test" });

  async function sentFirstTouch(email: string) {
    const { engine } = store();
    const ws = await makeWorkspace(engine, T0, { settings: { caps: { emailsPer7Days: 10 } } });
    const seq = await makeSequence(engine, ws, SEQ, T0);
    const contact = await makeContact(engine, ws, { email, firstName: "Pat" }, T0);
    const enrollment = await enroll(engine, ws, seq, contact.id, T0);
    await advanceClock(deps(), ws.id, 60_000);
    const [first] = await messagesOfEnrollment(engine.db, enrollment.id);
    if (!first?.message_id_header) throw new Error("first touch was not sent");
    return { ws, contact, enrollment, first };
  }

  /** Delivers a raw message into a Dovecot folder (created when missing), as a mail server would. */
  async function appendToFolder(folder: string, raw: string) {
    const admin = new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.pass },
      logger: false,
    });
    await admin.connect();
    try {
      await admin.mailboxCreate(folder).catch(() => {});
      await admin.append(folder, raw);
    } finally {
      await admin.logout();
    }
  }

  async function feed(ws: Workspace, raw: string) {
    const fresh = (await getWorkspace(store().engine.db, ws.id)) ?? ws;
    return transact(store().engine, (trx) =>
      processInboundEmail(trx, fresh, raw, { source: "api" }, fresh.clock_at ?? T0),
    );
  }

  it("a human reply through the raw-MIME path exits the enrollment and hands off to a rep with the intent", async () => {
    const { ws, contact, enrollment, first } = await sentFirstTouch("pat@reply.test");
    const hook = await createWebhook(
      store().engine.db,
      ws.id,
      { url: "http://127.0.0.1:9/hooks", secret: "s3cret", eventTypes: ["task.created", "reply.received"] },
      T0,
    );
    const out = await feed(
      ws,
      reply({
        from: "Pat <pat@reply.test>",
        to: "rep@acme.test",
        inReplyTo: first.message_id_header ?? "",
        subject: "Re: Quick question, Pat",
        body: "Sounds interesting - can we set up a call on Thursday?\n\nOn Mon, Nov 2, 2026 Rep wrote:\n> Hi Pat",
        id: "r1",
      }),
    );
    expect(out.classification?.class).toBe("human_reply");
    expect(out.matchedBy).toBe("thread");
    const after = await getEnrollment(store().engine.db, ws.id, enrollment.id);
    expect(after?.status).toBe("exited");
    expect(after?.exit_reason).toBe("replied");
    const handoffs = await listTasks(store().engine.db, ws.id, { contactId: contact.id, type: "handoff" });
    expect(handoffs).toHaveLength(1);
    expect(handoffs[0]?.title).toMatch(/replied \((interested|meeting request)\)/);
    // The rep's tools hear about both the reply and the handoff task.
    const deliveries = await listWebhookDeliveries(store().engine.db, hook.id);
    expect(deliveries.map((d) => d.event_type).sort()).toEqual(["reply.received", "task.created"]);
    const taskHook = deliveries.find((d) => d.event_type === "task.created");
    expect(JSON.parse(taskHook?.payload_json ?? "{}")).toMatchObject({
      task_id: handoffs[0]?.id,
      type: "handoff",
    });
    // The same message delivered twice is processed once.
    const again = await feed(
      ws,
      reply({
        from: "pat@reply.test",
        to: "rep@acme.test",
        inReplyTo: first.message_id_header ?? "",
        subject: "Re: x",
        body: "Sounds interesting",
        id: "r1",
      }),
    );
    expect(again.duplicate).toBe(true);
  });

  it("an out-of-office pauses the enrollment and it resumes after the return date on the test clock", async () => {
    const { ws, enrollment, first } = await sentFirstTouch("olive@ooo.test");
    await feed(
      ws,
      reply({
        from: "olive@ooo.test",
        to: "rep@acme.test",
        inReplyTo: first.message_id_header ?? "",
        subject: "Automatic reply: Quick question, Pat",
        body: "I am out of the office until Monday, November 16, 2026 with limited access to email.",
        headers: ["Auto-Submitted: auto-replied"],
        id: "ooo1",
      }),
    );
    const paused = await getEnrollment(store().engine.db, ws.id, enrollment.id);
    expect(paused?.status).toBe("paused");
    await advanceClock(deps(), ws.id, 10 * DAY);
    expect(
      (await messagesOfEnrollment(store().engine.db, enrollment.id)).filter((m) => m.status === "sent"),
    ).toHaveLength(1);
    await advanceClock(deps(), ws.id, 10 * DAY);
    const resumed = await getEnrollment(store().engine.db, ws.id, enrollment.id);
    expect(resumed?.status).not.toBe("paused");
    const sent = (await messagesOfEnrollment(store().engine.db, enrollment.id)).filter(
      (m) => m.status === "sent",
    );
    expect(sent.length).toBeGreaterThan(1);
    expect(Number(sent[1]?.sent_at)).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 17));
  });

  it("a hard bounce DSN exits the enrollment and suppresses the address", async () => {
    const { ws, enrollment, first } = await sentFirstTouch("gone@bounce.test");
    const dsn = [
      "From: Mail Delivery System <MAILER-DAEMON@mx.acme.test>",
      "To: rep@acme.test",
      "Subject: Undelivered Mail Returned to Sender",
      "Message-ID: <dsn1@mx.acme.test>",
      "Date: Mon, 02 Nov 2026 14:05:00 +0000",
      "MIME-Version: 1.0",
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      "",
      "--b1",
      "Content-Type: text/plain",
      "",
      "I'm sorry to have to inform you that your message could not be delivered.",
      "--b1",
      "Content-Type: message/delivery-status",
      "",
      "Reporting-MTA: dns; mx.acme.test",
      "",
      "Final-Recipient: rfc822; gone@bounce.test",
      "Action: failed",
      "Status: 5.1.1",
      "Diagnostic-Code: smtp; 550 5.1.1 user unknown",
      "",
      "--b1",
      "Content-Type: text/rfc822-headers",
      "",
      `Message-ID: <${first.message_id_header}>`,
      "Subject: Quick question, Pat",
      "",
      "--b1--",
      "",
    ].join("\r\n");
    const out = await feed(ws, dsn);
    expect(out.classification?.class).toBe("bounce_hard");
    const after = await getEnrollment(store().engine.db, ws.id, enrollment.id);
    expect(after?.exit_reason).toBe("bounced");
    expect(await emailSuppression(store().engine.db, ws.id, "gone@bounce.test")).toBeDefined();
  });

  it("over IMAP, a reply appended to the mailbox exits its enrollment within one poll, and a restarted poller does not process it twice", async () => {
    const { engine } = store();
    const { ws, enrollment, first } = await sentFirstTouch(`imap-${store().kind}@reply.test`);
    const folder = `Nudge${store().kind}`;
    await appendToFolder(
      folder,
      reply({
        from: `imap-${store().kind}@reply.test`,
        to: "rep@acme.test",
        inReplyTo: first.message_id_header ?? "",
        subject: "Re: Quick question",
        body: "Yes, let's talk next week.",
        id: `imap-${store().kind}`,
      }),
    );
    const mailbox = await createMailbox(
      engine.db,
      ws.id,
      {
        name: "IMAP",
        fromName: "Rep",
        fromAddress: "rep@acme.test",
        imap: {
          host: dovecot.host,
          port: dovecot.port,
          secure: false,
          user: dovecot.user,
          pass: dovecot.pass,
          mailbox: folder,
        },
      },
      T0,
    );
    const settings = {
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      user: dovecot.user,
      pass: dovecot.pass,
      mailbox: folder,
    };
    const poller = new ImapPoller({
      engine,
      clock: systemClock,
      workspaceId: ws.id,
      mailboxId: mailbox.id,
      settings,
    });
    const firstPoll = await poller.pollOnce();
    expect(firstPoll.processed).toBe(1);
    expect((await getEnrollment(engine.db, ws.id, enrollment.id))?.exit_reason).toBe("replied");
    const restarted = new ImapPoller({
      engine,
      clock: systemClock,
      workspaceId: ws.id,
      mailboxId: mailbox.id,
      settings,
    });
    const secondPoll = await restarted.pollOnce();
    expect(secondPoll.fetched).toBe(0);
    const handoffs = await engine.db
      .selectFrom("tasks")
      .select("id")
      .where("type", "=", "handoff")
      .where("workspace_id", "=", ws.id)
      .execute();
    expect(handoffs).toHaveLength(1);
  });

  it("a mailbox given IMAP settings through the API is polled at once by the running pollers", async () => {
    const { engine } = store();
    const { ws, enrollment, first } = await sentFirstTouch(`api-imap-${store().kind}@reply.test`);
    const folder = `NudgeApi${store().kind}`;
    await appendToFolder(
      folder,
      reply({
        from: `api-imap-${store().kind}@reply.test`,
        to: "rep@acme.test",
        inReplyTo: first.message_id_header ?? "",
        subject: "Re: Quick question",
        body: "Sounds good, call me on Monday.",
        id: `api-imap-${store().kind}`,
      }),
    );
    // Pollers whose own rescan and poll are an hour apart: only the API's wake-up can start one.
    const stopPollers = await startImapPollers(engine, systemClock, undefined, {
      rescanMs: 3_600_000,
      pollMs: 3_600_000,
    });
    const app = await buildServer({
      engine,
      clock: systemClock,
      publicUrl: "http://nudge.test",
      logger: false,
    });
    try {
      const key = (await createApiKey(engine.db, ws.id, { name: "admin", scopes: ["admin"] }, T0)).key;
      const created = await app.inject({
        method: "POST",
        url: "/v1/mailboxes",
        headers: { authorization: `Bearer ${key}` },
        payload: {
          name: "Inbox",
          from_name: "Rep",
          from_address: "rep@acme.test",
          imap: {
            host: dovecot.host,
            port: dovecot.port,
            secure: false,
            user: dovecot.user,
            pass: dovecot.pass,
            mailbox: folder,
          },
        },
      });
      expect(created.statusCode).toBe(201);
      // Waiting on the IMAP round trips, not on a schedule: at most 15 s.
      let exit: string | null | undefined = null;
      for (let i = 0; i < 150 && exit !== "replied"; i++) {
        exit = (await getEnrollment(engine.db, ws.id, enrollment.id))?.exit_reason;
        if (exit !== "replied") await new Promise((r) => setTimeout(r, 100));
      }
      expect(exit).toBe("replied");
    } finally {
      await app.close();
      await stopPollers();
    }
  });
});
