// Speed to lead: a form fill posted to the API enrolls the contact by trigger and the first
// touch reaches the (sandbox) transport because the worker is woken, not because it polled.
// Latency figures live in bench/; this test proves the wake-up path works on both engines.

import { expect, it } from "vitest";
import { buildServer } from "../../src/api/server.ts";
import { mailboxSmtpTransport } from "../../src/cli/commands/worker.ts";
import { systemClock } from "../../src/engine/clock.ts";
import { Worker } from "../../src/engine/worker.ts";
import { createApiKey } from "../../src/store/repos/apiKeys.ts";
import { setWorkspaceMode } from "../../src/store/repos/workspaces.ts";
import { ALWAYS_OPEN, makeSequence, makeWorkspace } from "../support/engineFixtures.ts";
import { startSmtpSink } from "../support/smtpSink.ts";
import { describeEachEngine } from "../support/testStores.ts";
import { waitFor } from "../support/workerProcesses.ts";

const INBOUND = `id: speed-to-lead
name: Speed to lead
trigger:
  event: form.submitted
  where: { form: demo-request }
${ALWAYS_OPEN}steps:
  - id: first
    email: { subject: "Thanks for your request, {{ contact.first_name | default: 'there' }}", body: "I'll be in touch shortly." }
  - id: second
    wait: 2d
    email: { subject: "Following up", body: "Checking in." }
`;

describeEachEngine("speed to lead", (store) => {
  it("a form.submitted event enrolls by trigger and the first email is captured without waiting for a poll", async () => {
    const { engine } = store();
    const now = systemClock.nowUtcMs();
    const ws = await makeWorkspace(engine, now, { testClock: false });
    await makeSequence(engine, ws, INBOUND, now);
    const { key } = await createApiKey(engine.db, ws.id, { name: "ingest", scopes: ["ingest"] }, now);
    const app = await buildServer({
      engine,
      clock: systemClock,
      publicUrl: "http://nudge.test",
      logger: false,
    });
    // A one-minute poll: if the email shows up within seconds, the wake-up did it.
    const worker = new Worker({
      engine,
      clock: systemClock,
      emailTransport: null,
      publicUrl: "http://nudge.test",
      pollMs: 60_000,
    });
    await worker.start();
    try {
      await new Promise((r) => setTimeout(r, 200));
      const response = await app.inject({
        method: "POST",
        url: "/v1/events",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        payload: {
          type: "form.submitted",
          contact: { email: "lead@fast.test", first_name: "Lea" },
          data: { form: "demo-request" },
        },
      });
      expect(response.statusCode, response.body).toBeLessThan(300);
      const captured = await waitFor(
        async () =>
          (
            await engine.db
              .selectFrom("captured_messages")
              .select("id")
              .where("workspace_id", "=", ws.id)
              .execute()
          ).length === 1,
        10_000,
        20,
      );
      expect(captured).toBe(true);
      const message = await engine.db
        .selectFrom("messages")
        .select(["subject", "status"])
        .where("workspace_id", "=", ws.id)
        .executeTakeFirstOrThrow();
      expect(message).toEqual({ subject: "Thanks for your request, Lea", status: "sent" });
    } finally {
      await worker.stop();
      await app.close();
    }
  }, 60_000);

  it("live: a mailbox added through the API a moment ago sends the first email at once over SMTP", async () => {
    const { engine } = store();
    const now = systemClock.nowUtcMs();
    const ws = await makeWorkspace(engine, now, { testClock: false });
    await setWorkspaceMode(engine.db, ws.id, "live");
    await makeSequence(engine, ws, INBOUND, now);
    const { key } = await createApiKey(engine.db, ws.id, { name: "admin", scopes: ["admin"] }, now);
    const sink = await startSmtpSink();
    const app = await buildServer({
      engine,
      clock: systemClock,
      publicUrl: "http://nudge.test",
      logger: false,
    });
    // The transport `nudge start` uses, built before the mailbox exists; a one-minute poll and
    // a one-minute retry: the email arrives within seconds only if neither is waited for.
    const emailTransport = mailboxSmtpTransport(engine);
    const worker = new Worker({
      engine,
      clock: systemClock,
      emailTransport,
      publicUrl: "http://nudge.test",
      pollMs: 60_000,
    });
    await worker.start();
    try {
      const auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };
      const mailbox = await app.inject({
        method: "POST",
        url: "/v1/mailboxes",
        headers: auth,
        payload: {
          name: "Sam",
          from_name: "Sam Rep",
          from_address: "sam@fast.test",
          is_default: true,
          smtp: { host: sink.host, port: sink.port, secure: false },
        },
      });
      expect(mailbox.statusCode, mailbox.body).toBe(201);
      const response = await app.inject({
        method: "POST",
        url: "/v1/events",
        headers: auth,
        payload: {
          type: "form.submitted",
          contact: { email: "live@fast.test", first_name: "Liv" },
          data: { form: "demo-request" },
        },
      });
      expect(response.statusCode, response.body).toBeLessThan(300);
      const arrived = await waitFor(async () => sink.messagesTo("live@fast.test").length === 1, 20_000, 20);
      if (!arrived) {
        const rows = await engine.db
          .selectFrom("messages")
          .select(["status", "hold_reason", "last_error", "attempt_count", "next_attempt_at"])
          .where("workspace_id", "=", ws.id)
          .execute();
        const enrollments = await engine.db
          .selectFrom("enrollments")
          .select(["status", "next_run_at", "current_step", "hold_reason"])
          .where("workspace_id", "=", ws.id)
          .execute();
        throw new Error(`no email at the sink: ${JSON.stringify({ rows, enrollments, now: Date.now() })}`);
      }
      expect(sink.messagesTo("live@fast.test")[0]?.raw.toString()).toContain(
        "Subject: Thanks for your request, Liv",
      );
    } finally {
      await worker.stop();
      await app.close();
      await emailTransport.close();
      await sink.close();
    }
  }, 60_000);
});
