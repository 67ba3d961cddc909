import { expect, it } from "vitest";
import { advanceClock } from "../../src/engine/advanceClock.ts";
import { systemClock } from "../../src/engine/clock.ts";
import { ingestEvent } from "../../src/engine/ingestEvent.ts";
import { sendDueMessages } from "../../src/engine/outboxSender.ts";
import { listCapturedMessages } from "../../src/store/repos/capturedMessages.ts";
import { getEnrollment } from "../../src/store/repos/enrollments.ts";
import { messagesOfEnrollment } from "../../src/store/repos/messages.ts";
import { getWorkspace } from "../../src/store/repos/workspaces.ts";
import { ALWAYS_OPEN, enroll, makeContact, makeSequence, makeWorkspace } from "../support/engineFixtures.ts";
import { describeEachEngine } from "../support/testStores.ts";

// Monday 2026-11-02 14:00 UTC = 09:00 in New York.
const T0 = Date.UTC(2026, 10, 2, 14, 0, 0);
const DAY = 86_400_000;

const THREE_EMAILS = `id: three-emails
name: Three emails
${ALWAYS_OPEN}steps:
  - id: one
    email:
      subject: "Hello {{ contact.first_name }}"
      body: "First note for {{ contact.first_name }}."
  - id: two
    wait: 3d
    email:
      thread: true
      body: "Second note."
  - id: three
    wait: 4d
    email:
      subject: "Last one"
      body: "Closing the loop."
`;

describeEachEngine("engine", (store) => {
  const deps = () => ({ engine: store().engine, clock: systemClock, publicUrl: "http://nudge.test" });

  it("a sandbox cadence walks on the test clock and every email is captured once, threaded", async () => {
    const { engine } = store();
    const ws = await makeWorkspace(engine, T0, { settings: { caps: { emailsPer7Days: 10 } } });
    const seq = await makeSequence(engine, ws, THREE_EMAILS.replace("id: three-emails", "id: walk"), T0);
    const ada = await makeContact(engine, ws, { email: "ada@walk.test", firstName: "Ada" }, T0);
    const enrollment = await enroll(engine, ws, seq, ada.id, T0);
    await advanceClock(deps(), ws.id, 10 * DAY);

    const captured = await listCapturedMessages(engine.db, ws.id, { toAddress: "ada@walk.test" });
    expect(captured).toHaveLength(3);
    const messages = (await messagesOfEnrollment(engine.db, enrollment.id)).filter(
      (m) => m.status === "sent",
    );
    expect(messages.map((m) => m.step_id)).toEqual(["one", "two", "three"]);
    expect(messages[0]?.subject).toBe("Hello Ada");
    expect(messages[1]?.subject).toBe("Re: Hello Ada");
    expect(messages[1]?.in_reply_to).toBe(messages[0]?.message_id_header);
    expect(messages[1]?.sent_at).toBe(T0 + 3 * DAY);
    expect(messages[2]?.sent_at).toBe(T0 + 7 * DAY);
    expect(captured[0]?.raw).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    const after = await getEnrollment(engine.db, ws.id, enrollment.id);
    expect(after?.status).toBe("completed");
    expect((await getWorkspace(engine.db, ws.id))?.clock_at).toBe(T0 + 10 * DAY);
  });

  it("a reply stored while a touch is waiting in the outbox stops it from being sent", async () => {
    const { engine } = store();
    const ws = await makeWorkspace(engine, T0);
    const seq = await makeSequence(
      engine,
      ws,
      THREE_EMAILS.replace("id: three-emails", "id: outbox-reply"),
      T0,
    );
    const bob = await makeContact(engine, ws, { email: "bob@reply.test", firstName: "Bob" }, T0);
    const enrollment = await enroll(engine, ws, seq, bob.id, T0);
    const queued = await messagesOfEnrollment(engine.db, enrollment.id);
    expect(queued.map((m) => m.status)).toEqual(["queued"]);

    await engine.db.transaction().execute((trx) =>
      ingestEvent(
        trx,
        ws,
        {
          type: "email.replied",
          contactId: bob.id,
          data: { class: "human_reply" },
          occurredAtUtcMs: T0,
          source: "test",
        },
        T0,
      ),
    );
    const report = await sendDueMessages(
      { engine, emailTransport: null, publicUrl: "http://nudge.test" },
      { nowUtcMs: T0, workspaceId: ws.id },
    );
    expect(report.captured).toBe(0);
    expect(await listCapturedMessages(engine.db, ws.id, { toAddress: "bob@reply.test" })).toHaveLength(0);
    const after = await getEnrollment(engine.db, ws.id, enrollment.id);
    expect(after?.status).toBe("exited");
    expect(after?.exit_reason).toBe("replied");
    expect((await messagesOfEnrollment(engine.db, enrollment.id)).map((m) => m.status)).toEqual([
      "cancelled",
    ]);
  });

  it("a contact in three sequences at once never gets more than 2 automatic emails in any rolling 7 days, and deferred emails keep their order", async () => {
    const { engine } = store();
    const ws = await makeWorkspace(engine, T0);
    const cara = await makeContact(engine, ws, { email: "cara@caps.test", firstName: "Cara" }, T0);
    const enrollments = [];
    for (const key of ["caps-a", "caps-b", "caps-c"]) {
      const seq = await makeSequence(engine, ws, THREE_EMAILS.replace("id: three-emails", `id: ${key}`), T0);
      enrollments.push(await enroll(engine, ws, seq, cara.id, T0 + enrollments.length));
    }
    await advanceClock(deps(), ws.id, 60 * DAY);
    const sent = await engine.db
      .selectFrom("messages")
      .selectAll()
      .where("contact_id", "=", cara.id)
      .where("status", "=", "sent")
      .orderBy("sent_at")
      .execute();
    expect(sent).toHaveLength(9);
    const times = sent.map((m) => Number(m.sent_at));
    for (const t of times) {
      const inWindow = times.filter((u) => u > t - 7 * DAY && u <= t);
      expect(inWindow.length).toBeLessThanOrEqual(2);
    }
    // Within each sequence the steps still go out in order.
    for (const e of enrollments) {
      const steps = sent.filter((m) => m.enrollment_id === e.id).map((m) => m.step_id);
      expect(steps).toEqual(["one", "two", "three"]);
    }
  });
});
