// Per-step replies when the reply quotes none of our Message-IDs (a prospect who writes a new
// email instead of answering ours): it is credited to the touch the contact last got from the
// enrollment that was running, on both engines.

import { expect, it } from "vitest";
import { sequenceStats } from "../../src/api/sequenceStats.ts";
import { advanceClock } from "../../src/engine/advanceClock.ts";
import { systemClock } from "../../src/engine/clock.ts";
import { processInboundEmail } from "../../src/inbound/processInbound.ts";
import { getEnrollment } from "../../src/store/repos/enrollments.ts";
import { recordEvent } from "../../src/store/repos/events.ts";
import { getWorkspace } from "../../src/store/repos/workspaces.ts";
import { transact } from "../../src/store/transact.ts";
import { ALWAYS_OPEN, enroll, makeContact, makeSequence, makeWorkspace } from "../support/engineFixtures.ts";
import { describeEachEngine } from "../support/testStores.ts";

const T0 = Date.UTC(2026, 2, 2, 15, 0);
const DAY = 86_400_000;

const SEQ = `id: replies-by-step
name: Replies by step
${ALWAYS_OPEN}steps:
  - id: one
    email: { subject: Hi, body: Hello }
  - id: two
    wait: 2d
    email: { subject: Again, body: Hello again }
  - id: three
    wait: 5d
    email: { subject: Last, body: Closing the loop }
`;

describeEachEngine("sequence stats: replies matched by sender", (store) => {
  it("credits a reply without our Message-ID to the last touch of the running enrollment, and not one from before it", async () => {
    const { engine } = store();
    const ws = await makeWorkspace(engine, T0, { settings: { caps: { emailsPer7Days: 10 } } });
    const seq = await makeSequence(engine, ws, SEQ, T0);
    const rae = await makeContact(engine, ws, { email: "rae@sender.test", firstName: "Rae" }, T0);
    // A message from before the enrollment: not this sequence's reply.
    await recordEvent(
      engine.db,
      {
        workspaceId: ws.id,
        type: "email.replied",
        contactId: rae.id,
        data: { class: "human_reply" },
        occurredAtUtcMs: T0 - DAY,
        source: "test",
      },
      T0 - DAY,
    );
    const enrollment = await enroll(engine, ws, seq, rae.id, T0);
    await advanceClock({ engine, clock: systemClock, publicUrl: "http://nudge.test" }, ws.id, 3 * DAY);
    const fresh = await getWorkspace(engine.db, ws.id);
    if (!fresh?.clock_at) throw new Error("no test clock");
    const raw = [
      "From: Rae <rae@sender.test>",
      "To: rep@acme.test",
      "Subject: a question about pricing",
      "Message-ID: <new-thread@sender.test>",
      "",
      "Hi, what does the team plan cost?",
      "",
    ].join("\r\n");
    const processed = await transact(engine, (trx) =>
      processInboundEmail(trx, fresh, raw, { source: "api" }, fresh.clock_at ?? T0),
    );
    expect(processed.matchedBy).toBe("sender");
    expect((await getEnrollment(engine.db, ws.id, enrollment.id))?.exit_reason).toBe("replied");

    const stats = await sequenceStats(engine.db, seq.id, null);
    const replied = Object.fromEntries(stats.steps.map((s) => [s.step_id, s.replied]));
    expect(replied).toEqual({ one: 0, two: 1 });
    expect(stats.exits).toEqual({ replied: 1 });
  });
});
