// What a sequence achieved: replies by sentiment, time to the first reply, completions without
// a response, and deal movement of enrolled contacts against everyone else, on both engines.

import { expect, it } from "vitest";
import { sequenceOutcomes } from "../../src/api/sequenceOutcomes.ts";
import { changeDealStage, createDeal } from "../../src/store/repos/deals.ts";
import { recordEvent } from "../../src/store/repos/events.ts";
import { ALWAYS_OPEN, enroll, makeContact, makeSequence, makeWorkspace } from "../support/engineFixtures.ts";
import { describeEachEngine } from "../support/testStores.ts";

const T0 = Date.UTC(2026, 2, 2, 15, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const SEQ = `id: outcomes
name: Outcomes
${ALWAYS_OPEN}steps:
  - id: one
    email: { subject: Hi, body: Hello }
  - id: two
    wait: 1d
    email: { subject: Again, body: Hello again }
`;

describeEachEngine("sequence outcomes", (store) => {
  it("counts human replies by intent, the first reply's delay, silent completions and deal movement", async () => {
    const { engine } = store();
    const db = engine.db;
    const ws = await makeWorkspace(engine, T0);
    const seq = await makeSequence(engine, ws, SEQ, T0);
    const contact = async (email: string) => makeContact(engine, ws, { email }, T0 - 3 * DAY);
    const [a, b, c, d, e, f] = await Promise.all(
      ["a@x.test", "b@y.test", "c@z.test", "d@w.test", "e@v.test", "f@u.test"].map(contact),
    );
    if (!a || !b || !c || !d || !e || !f) throw new Error("contacts");
    for (const x of [a, b, c]) await enroll(engine, ws, seq, x.id, T0);
    const reply = (contactId: string, at: number, data: Record<string, unknown>) =>
      recordEvent(
        db,
        { workspaceId: ws.id, type: "email.replied", contactId, data, occurredAtUtcMs: at, source: "test" },
        at,
      );
    await reply(a.id, T0 + 5 * HOUR, { class: "human_reply", intent: "interested" });
    await reply(a.id, T0 + 9 * HOUR, { class: "human_reply", intent: "not_interested" }); // not the first
    await reply(b.id, T0 + 25 * HOUR, { class: "human_reply", intent: "not_interested" });
    await reply(c.id, T0 + 2 * HOUR, { class: "auto_reply" }); // an out-of-office is no reply
    await reply(d.id, T0 + HOUR, { class: "human_reply", intent: "interested" }); // never enrolled
    await db
      .updateTable("enrollments")
      .set({ status: "completed", exit_reason: "completed", ended_at: T0 + 2 * DAY })
      .where("contact_id", "=", c.id)
      .execute();

    const deal = (contactId: string, at: number) =>
      createDeal(db, ws.id, { name: "Deal", stage: "lead", contactId }, "test", at);
    const dealA = await deal(a.id, T0 - DAY);
    await changeDealStage(db, ws.id, dealA.id, "demo", "test", T0 + 2 * DAY); // enrolled, moved
    await deal(c.id, T0 - DAY); // enrolled, never moved
    const dealD = await deal(d.id, T0 - DAY);
    await changeDealStage(db, ws.id, dealD.id, "demo", "test", T0 + DAY); // not enrolled, moved
    const dealE = await deal(e.id, T0 - 5 * DAY);
    await changeDealStage(db, ws.id, dealE.id, "demo", "test", T0 - 2 * DAY); // moved before the period
    const dealF = await deal(f.id, T0 - DAY);
    await changeDealStage(db, ws.id, dealF.id, "closed lost", "test", T0 + DAY); // lost is no progress

    expect(await sequenceOutcomes(db, ws.id, seq.id)).toEqual({
      replies: { total: 2, positive: 1, negative: 1, neutral: 0 },
      time_to_first_reply_hours: { median: 5, p90: 25 },
      completed_without_response: 1,
      deal_advancement: {
        enrolled: { contacts_with_deals: 2, advanced: 1, rate: 0.5 },
        not_enrolled: { contacts_with_deals: 3, advanced: 1, rate: 0.33 },
      },
    });
  });

  it("is all zeros and nulls for a sequence nobody was enrolled in", async () => {
    const { engine } = store();
    const ws = await makeWorkspace(engine, T0);
    const seq = await makeSequence(engine, ws, SEQ.replace("id: outcomes", "id: empty"), T0);
    expect(await sequenceOutcomes(engine.db, ws.id, seq.id)).toEqual({
      replies: { total: 0, positive: 0, negative: 0, neutral: 0 },
      time_to_first_reply_hours: { median: null, p90: null },
      completed_without_response: 0,
      deal_advancement: {
        enrolled: { contacts_with_deals: 0, advanced: 0, rate: null },
        not_enrolled: { contacts_with_deals: 0, advanced: 0, rate: null },
      },
    });
  });
});
