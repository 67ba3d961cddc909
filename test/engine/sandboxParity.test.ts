// The sandbox and the simulator must agree: enroll the demo contact in the inbound-demo
// example, walk the test clock 21 days (a rep completing each task when it falls due), and the
// captured emails and created tasks are exactly the simulator's "no response" path.

import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { parseSequence } from "../../src/domain/sequence/parseSequence.ts";
import { simulate } from "../../src/domain/simulate/simulate.ts";
import { DEFAULT_SIMULATION_CONTACT } from "../../src/domain/simulate/simulatedFacts.ts";
import { localIso } from "../../src/domain/time/index.ts";
import { advanceClock } from "../../src/engine/advanceClock.ts";
import { systemClock } from "../../src/engine/clock.ts";
import { completeTaskWithOutcome } from "../../src/engine/enrollmentCommands.ts";
import { createMailbox } from "../../src/store/repos/mailboxes.ts";
import { listTasks } from "../../src/store/repos/tasks.ts";
import { getWorkspace } from "../../src/store/repos/workspaces.ts";
import { transact } from "../../src/store/transact.ts";
import { enroll, makeContact, makeSequence, makeWorkspace } from "../support/engineFixtures.ts";
import { describeEachEngine } from "../support/testStores.ts";

const DEMO = readFileSync(new URL("../../examples/inbound-demo.yaml", import.meta.url), "utf8");
// Tuesday 2026-12-01 09:00 in New York.
const START = Date.UTC(2026, 11, 1, 14, 0, 0);
const HOUR = 3_600_000;
const ZONE = "America/New_York";

describeEachEngine("sandbox matches simulate", (store) => {
  it("the demo sequence walked for 21 days on the test clock captures exactly the simulator's no-response path", async () => {
    const parsed = parseSequence(DEMO, "inbound-demo.yaml");
    if (!parsed.ok) throw new Error("the demo example must validate");
    const expected = simulate(parsed.definition, {
      contact: { ...DEFAULT_SIMULATION_CONTACT },
      startUtcMs: START,
      workspaceZone: ZONE,
    }).paths.find((p) => p.name.startsWith("no response"));
    if (!expected) throw new Error("the simulator has no no-response path");

    const { engine } = store();
    const ws = await makeWorkspace(engine, START, { timeZone: ZONE });
    const seq = await makeSequence(engine, ws, DEMO, START);
    // The simulator's default sender, as a real mailbox.
    await createMailbox(
      engine.db,
      ws.id,
      {
        name: "Sam",
        fromName: "Sam Rivera",
        fromAddress: "sam@nudge.example",
        signature: "Sam Rivera, Account Executive",
        isDefault: true,
      },
      START,
    );
    const ada = await makeContact(
      engine,
      ws,
      {
        email: "ada@example.com",
        firstName: "Ada",
        lastName: "Lovelace",
        title: "VP Sales",
        timeZone: ZONE,
        company: "Example Corp",
      },
      START,
    );
    await enroll(engine, ws, seq, ada.id, START);
    const deps = { engine, clock: systemClock, publicUrl: "http://nudge.test" };
    for (let hour = 0; hour < 21 * 24; hour++) {
      await advanceClock(deps, ws.id, HOUR);
      const now = (await getWorkspace(engine.db, ws.id))?.clock_at ?? 0;
      for (const task of await listTasks(engine.db, ws.id, {
        contactId: ada.id,
        status: "open",
        dueBeforeUtcMs: now,
      })) {
        // The rep works the task when it falls due, as the simulator assumes.
        await transact(engine, (trx) => completeTaskWithOutcome(trx, ws, task.id, "no_answer", task.due_at));
      }
    }

    const messages = await engine.db
      .selectFrom("messages")
      .select(["step_id", "channel", "subject", "sent_at"])
      .where("contact_id", "=", ada.id)
      .where("status", "=", "sent")
      .execute();
    const allTasks = await engine.db
      .selectFrom("tasks")
      .select(["step_id", "type", "due_at", "title"])
      .where("contact_id", "=", ada.id)
      .execute();
    // The on_complete task is the sequence's ending, not one of its touches.
    const tasks = allTasks.filter((t) => t.step_id !== null);
    expect(allTasks.filter((t) => t.step_id === null)).toHaveLength(
      parsed.definition.onComplete?.task ? 1 : 0,
    );
    const actual = [
      ...messages.map((m) => ({
        at: localIso(Number(m.sent_at), ZONE),
        step: m.step_id,
        channel: m.channel,
        subject: m.subject,
      })),
      ...tasks.map((t) => ({
        at: localIso(Number(t.due_at), ZONE),
        step: t.step_id,
        channel: t.type,
        subject: undefined,
      })),
    ].sort((a, b) => (a.at === b.at ? String(a.step).localeCompare(String(b.step)) : a.at < b.at ? -1 : 1));
    const wanted = expected.touches
      .map((t) => ({ at: t.at, step: t.step, channel: t.channel, subject: t.subject }))
      .sort((a, b) => (a.at === b.at ? a.step.localeCompare(b.step) : a.at < b.at ? -1 : 1));
    expect(actual).toEqual(wanted);
  }, 120_000);
});
