import { expect, it } from "vitest";
import { advanceClock } from "../../src/engine/advanceClock.ts";
import { changeSequenceStatus } from "../../src/engine/changeSequenceStatus.ts";
import { systemClock } from "../../src/engine/clock.ts";
import { enrollContact } from "../../src/engine/enroll.ts";
import { ingestEvent } from "../../src/engine/ingestEvent.ts";
import { sendDueMessages } from "../../src/engine/outboxSender.ts";
import { listCapturedMessages } from "../../src/store/repos/capturedMessages.ts";
import { getEnrollment } from "../../src/store/repos/enrollments.ts";
import { messagesOfEnrollment } from "../../src/store/repos/messages.ts";
import { setSequenceStatus } from "../../src/store/repos/sequences.ts";
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

  it("a paused sequence sends nothing until it is activated again, then carries on where it stood", async () => {
    const { engine } = store();
    const ws = await makeWorkspace(engine, T0, { settings: { caps: { emailsPer7Days: 10 } } });
    const seq = await makeSequence(engine, ws, THREE_EMAILS.replace("id: three-emails", "id: pausing"), T0);
    const dee = await makeContact(engine, ws, { email: "dee@pause.test", firstName: "Dee" }, T0);
    const enrollment = await enroll(engine, ws, seq, dee.id, T0);
    await advanceClock(deps(), ws.id, DAY);
    await setSequenceStatus(engine.db, ws.id, seq.id, "paused", T0 + DAY);
    await advanceClock(deps(), ws.id, 10 * DAY);
    const sent = async () =>
      (await messagesOfEnrollment(engine.db, enrollment.id)).filter((m) => m.status === "sent").length;
    expect(await sent()).toBe(1);
    await setSequenceStatus(engine.db, ws.id, seq.id, "active", T0 + 11 * DAY);
    await advanceClock(deps(), ws.id, 10 * DAY);
    expect(await sent()).toBe(3);
  });

  it("activating a paused sequence carries on at once, not at the paused sequence's next recheck", async () => {
    const { engine } = store();
    const ws = await makeWorkspace(engine, T0, { settings: { caps: { emailsPer7Days: 10 } } });
    const seq = await makeSequence(engine, ws, THREE_EMAILS.replace("id: three-emails", "id: resuming"), T0);
    const fay = await makeContact(engine, ws, { email: "fay@resume.test", firstName: "Fay" }, T0);
    const enrollment = await enroll(engine, ws, seq, fay.id, T0);
    await advanceClock(deps(), ws.id, DAY);
    await setSequenceStatus(engine.db, ws.id, seq.id, "paused", T0 + DAY);
    // Step two fell due at T0 + 3 days and is held while the sequence is paused.
    await advanceClock(deps(), ws.id, 3 * DAY);
    const sentAt = async () =>
      (await messagesOfEnrollment(engine.db, enrollment.id))
        .filter((m) => m.status === "sent")
        .map((m) => Number(m.sent_at));
    expect(await sentAt()).toHaveLength(1);
    const activatedAt = T0 + 4 * DAY;
    const change = await engine.db
      .transaction()
      .execute((trx) => changeSequenceStatus(trx, ws.id, seq.id, "active", activatedAt));
    expect(change.wokenEnrollments).toBe(1);
    await advanceClock(deps(), ws.id, 0);
    expect(await sentAt()).toEqual([T0, activatedAt]);
  });

  it("with the workspace policy `queue`, a second sequence waits until the first one ends, then starts", async () => {
    const { engine } = store();
    const ws = await makeWorkspace(engine, T0, {
      settings: { concurrentEnrollment: "queue", caps: { emailsPer7Days: 10 } },
    });
    const first = await makeSequence(
      engine,
      ws,
      THREE_EMAILS.replace("id: three-emails", "id: queue-first"),
      T0,
    );
    const second = await makeSequence(
      engine,
      ws,
      THREE_EMAILS.replace("id: three-emails", "id: queue-second"),
      T0,
    );
    const eve = await makeContact(engine, ws, { email: "eve@queue.test", firstName: "Eve" }, T0);
    await enroll(engine, ws, first, eve.id, T0);
    const queued = await engine.db.transaction().execute((trx) => enrollContact(trx, ws, second, eve.id, T0));
    expect(queued.status).toBe("queued");
    await advanceClock(deps(), ws.id, 30 * DAY);
    const bySequence = await engine.db
      .selectFrom("messages")
      .innerJoin("enrollments", "enrollments.id", "messages.enrollment_id")
      .select(["enrollments.sequence_id", "messages.sent_at"])
      .where("messages.contact_id", "=", eve.id)
      .where("messages.status", "=", "sent")
      .execute();
    const lastOfFirst = Math.max(
      ...bySequence.filter((r) => r.sequence_id === first.id).map((r) => Number(r.sent_at)),
    );
    const firstOfSecond = Math.min(
      ...bySequence.filter((r) => r.sequence_id === second.id).map((r) => Number(r.sent_at)),
    );
    expect(bySequence).toHaveLength(6);
    expect(firstOfSecond).toBeGreaterThanOrEqual(lastOfFirst);
  });
});
