import { describe, expect, it } from "vitest";
import type { SequenceDefinition } from "../../../src/domain/sequence/definition.ts";
import { DEFAULT_SIMULATION_CONTACT, simulate } from "../../../src/domain/simulate/simulate.ts";
import { isSendingTime, resolveSchedule } from "../../../src/domain/time/index.ts";
import { call, days, email, hours, local, sequence, sms, step } from "../enrollment/sequenceFixtures.ts";

const TUE_0930 = local("2026-12-01T09:30");

const demo: SequenceDefinition = sequence([
  email("intro", {}, { subject: "Your demo request, {{ contact.first_name }}" }),
  email("bump-1", { wait: days(2) }, { thread: true }),
  step("check", {
    kind: "branch",
    branch: {
      rules: [{ if: { kind: "clicked", step: "intro", url: "*pricing*" }, goto: "hot" }],
      else: "call-1",
    },
  }),
  call("call-1", { wait: days(1) }, { start: 10 * 60, end: 12 * 60 }),
  step("wait-open", {
    kind: "wait_for",
    wait_for: { event: "email.opened", step: "bump-1", timeoutDelay: days(3), onEvent: "end" },
  }),
  email("breakup", { wait: days(3), next: "end" }, { subject: "Closing the loop" }),
  email("hot", { wait: hours(1) }, { subject: "Pricing for {{ contact.company }}" }),
]);

function run(contact: Record<string, string> = {}, def = demo, maxPaths?: number) {
  return simulate(def, {
    contact: { ...DEFAULT_SIMULATION_CONTACT, ...contact },
    startUtcMs: TUE_0930,
    workspaceZone: "UTC",
    ...(maxPaths !== undefined ? { maxPaths } : {}),
  });
}

describe("simulate", () => {
  it("shows the no-response path first, with local times and rendered subjects", () => {
    const [first] = run().paths;
    expect(first).toEqual({
      name: "no response → completed",
      outcome: "completed",
      touches: [
        {
          at: "2026-12-01T09:30:00-05:00",
          atUtcMs: TUE_0930,
          step: "intro",
          channel: "email",
          subject: "Your demo request, Ada",
        },
        {
          at: "2026-12-03T09:30:00-05:00",
          atUtcMs: local("2026-12-03T09:30"),
          step: "bump-1",
          channel: "email",
          subject: "Re: Your demo request, Ada",
        },
        {
          at: "2026-12-04T10:00:00-05:00",
          atUtcMs: local("2026-12-04T10:00"),
          step: "call-1",
          channel: "call",
          note: "Call Ada Lovelace — Ask about VP Sales",
        },
        {
          at: "2026-12-10T10:00:00-05:00",
          atUtcMs: local("2026-12-10T10:00"),
          step: "breakup",
          channel: "email",
          subject: "Closing the loop",
        },
      ],
    });
  });

  it("walks each branch outcome by making its condition true", () => {
    const hot = run().paths.find((p) => p.name === "clicked intro (*pricing*) → hot → completed");
    expect(hot?.touches.map((t) => [t.step, t.subject])).toEqual([
      ["intro", "Your demo request, Ada"],
      ["bump-1", "Re: Your demo request, Ada"],
      ["hot", "Pricing for Example Corp"],
    ]);
  });

  it("walks a wait_for both ways: the event arriving and the timeout", () => {
    const names = run().paths.map((p) => p.name);
    expect(names).toContain("opened bump-1 → completed");
    const opened = run().paths.find((p) => p.name === "opened bump-1 → completed");
    expect(opened?.touches.map((t) => t.step)).toEqual(["intro", "bump-1", "call-1"]);
  });

  it("stops at a reply during each wait of the no-response path", () => {
    const replies = run()
      .paths.filter((p) => p.outcome === "replied")
      .map((p) => p.name);
    expect(replies).toEqual([
      "reply during wait before bump-1",
      "reply during wait before call-1",
      "reply while waiting at wait-open",
      "reply during wait before breakup",
    ]);
    const outcomes = new Set(run().paths.map((p) => p.outcome));
    expect(outcomes).toEqual(new Set(["completed", "replied", "meeting_booked", "unsubscribed", "bounced"]));
  });

  it("pauses for an out-of-office reply and resumes the morning after the return date", () => {
    const away = run().paths.find((p) => p.name === "out of office before bump-1, resumed → completed");
    // The auto-reply arrives Wed 09:30 saying back a week later (Wed 9th): resume Thu 10th 09:00.
    expect(away?.touches[1]).toMatchObject({ step: "bump-1", at: "2026-12-10T09:00:00-05:00" });
  });

  it("shows the hold when the contact lacks a field a touch needs", () => {
    const { paths } = run({ first_name: "" });
    expect(paths).toEqual([
      {
        name: "held: missing contact.first_name",
        outcome: "held",
        touches: [
          {
            at: "2026-12-01T09:30:00-05:00",
            atUtcMs: TUE_0930,
            step: "intro",
            channel: "email",
            held: "missing_field:contact.first_name",
          },
        ],
      },
    ]);
  });

  it("gives the same output for the same input", () => {
    expect(run()).toEqual(run());
  });

  it("sends every simulated email and sms inside the sending window", () => {
    const def = sequence([
      sms("text"),
      email("late", { wait: hours(9) }),
      sms("again", undefined, { wait: days(1, true) }),
    ]);
    const schedule = resolveSchedule(def.schedule, "America/New_York", "UTC");
    for (const path of run({}, def).paths) {
      for (const touch of path.touches) expect(isSendingTime(touch.atUtcMs, schedule)).toBe(true);
    }
  });

  it("caps the number of paths and says so", () => {
    const result = run({}, demo, 3);
    expect(result.paths).toHaveLength(3);
    expect(result.truncated).toBe(true);
    expect(run().truncated).toBe(false);
  });

  it("cuts off a sequence that loops forever and names it still running", () => {
    const loop = sequence([
      email("ping", { wait: days(1) }, { subject: "Ping" }),
      step("again", {
        kind: "branch",
        branch: { rules: [{ if: { kind: "tag", tag: "stop" }, goto: "end" }], else: "ping" },
      }),
    ]);
    const { paths } = run({}, loop, 5);
    expect(paths[0]?.outcome).toBe("running");
    expect(paths[0]?.name).toBe("still running after 40 touches");
  });
});

describe("simulate with sequence exits", () => {
  const def = sequence([email("intro"), email("bump", { wait: days(2) })], {
    exit: {
      account: true,
      events: [{ event: "trial.started", where: { plan: { in: ["pro", "team"] } } }],
      dealStages: ["closed_won"],
      fields: [{ path: "lifecycle_stage", op: "equals", value: "customer" }],
    },
  });

  it("walks each of the sequence's own exits once, at the first wait", () => {
    const exits = run({}, def)
      .paths.filter(
        (p) => !["completed", "replied", "meeting_booked", "unsubscribed", "bounced"].includes(p.outcome),
      )
      .map((p) => [p.name, p.outcome]);
    expect(exits).toEqual([
      ["trial.started plan=pro during wait before bump", "event"],
      ["deal moved to closed_won during wait before bump", "stage_changed"],
      ["colleague replied during wait before bump", "account_replied"],
      ["lifecycle_stage is customer during wait before bump", "field"],
    ]);
  });
});
