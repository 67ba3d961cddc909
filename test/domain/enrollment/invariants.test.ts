// Property tests over random small sequences and random orders of events, across DST changes in
// three hemispheres' worth of zones: the promises the engine makes to every contact.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/enrollment/decide.ts";
import { startEnrollment } from "../../../src/domain/enrollment/startEnrollment.ts";
import type {
  DecideFacts,
  DecideInput,
  Decision,
  Effect,
  TaskOutcome,
} from "../../../src/domain/enrollment/types.ts";
import type {
  Delay,
  Schedule,
  SequenceDefinition,
  Step,
  StepAction,
  Weekday,
} from "../../../src/domain/sequence/definition.ts";
import { isSendingTime, resolveSchedule } from "../../../src/domain/time/index.ts";
import { event, facts, local, sequence } from "./sequenceFixtures.ts";

const ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney"] as const;
/** Local dates a few days before DST changes: US and EU spring/autumn, Australia both ways. */
const NEAR_DST = ["2026-03-06", "2026-03-27", "2026-04-03", "2026-10-02", "2026-10-23", "2026-10-30"];
const WEEKDAYS: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MINUTE = 60_000;

const delayArb: fc.Arbitrary<Delay> = fc.oneof(
  fc.constant<Delay>({ kind: "none" }),
  fc.integer({ min: 1, max: 600 }).map((minutes): Delay => ({ kind: "minutes", minutes })),
  fc.integer({ min: 1, max: 72 }).map((hours): Delay => ({ kind: "hours", hours })),
  fc
    .record({ days: fc.integer({ min: 1, max: 6 }), business: fc.boolean() })
    .map((d): Delay => ({ kind: "days", ...d })),
  fc
    .integer({ min: 7 * 60, max: 11 * 60 })
    .map((atMinute): Delay => ({ kind: "next_business_morning", atMinute })),
);

const scheduleArb: fc.Arbitrary<Schedule> = fc.record({
  timezone: fc.constantFrom("contact", "Europe/Berlin"),
  days: fc.subarray(WEEKDAYS, { minLength: 1 }),
  hours: fc.constantFrom(
    [{ startMinute: 9 * 60, endMinute: 17 * 60 }],
    [
      { startMinute: 8 * 60, endMinute: 12 * 60 },
      { startMinute: 13 * 60, endMinute: 18 * 60 },
    ],
    [{ startMinute: 0, endMinute: 24 * 60 }],
    [{ startMinute: 1 * 60 + 30, endMinute: 3 * 60 + 30 }],
  ),
  waits: fc.constantFrom("calendar", "business"),
});

const NAME = "{{ contact.first_name }}";

/** One step's action; targets only point forward, so every generated graph is free of cycles. */
function actionArb(index: number, count: number): fc.Arbitrary<StepAction> {
  const later = fc.constantFrom(
    ...[...Array.from({ length: count - index - 1 }, (_, i) => `s${index + 1 + i}`), "end"],
  );
  return fc.oneof(
    fc.constant<StepAction>({
      kind: "email",
      email: { subject: `Hi ${NAME}`, body: `Hello ${NAME}`, format: "markdown", thread: false },
    }),
    fc.constant<StepAction>({ kind: "sms", sms: { body: `Hi ${NAME}` } }),
    fc.constant<StepAction>({ kind: "voicemail", voicemail: { script: `This is Sam for ${NAME}` } }),
    fc.constant<StepAction>({ kind: "call", call: { window: { startMinute: 10 * 60, endMinute: 12 * 60 } } }),
    fc.constant<StepAction>({ kind: "task", task: { title: "Research" } }),
    fc.constant<StepAction>({ kind: "update", update: { addTags: ["touched"] } }),
    fc.record({ goto: later, else: later }).map(
      (t): StepAction => ({
        kind: "branch",
        branch: { rules: [{ if: { kind: "opened", step: "s0" }, goto: t.goto }], else: t.else },
      }),
    ),
    fc.record({ onEvent: later, timeout: delayArb }).map(
      (t): StepAction => ({
        kind: "wait_for",
        wait_for: {
          event: "email.opened",
          timeoutDelay: t.timeout.kind === "none" ? { kind: "hours", hours: 4 } : t.timeout,
          onEvent: t.onEvent,
        },
      }),
    ),
  );
}

const definitionArb: fc.Arbitrary<SequenceDefinition> = fc
  .integer({ min: 1, max: 6 })
  .chain((count) =>
    fc.record({
      schedule: scheduleArb,
      steps: fc.tuple(
        ...Array.from({ length: count }, (_, i) =>
          fc
            .record({ action: actionArb(i, count), wait: delayArb })
            .map((s): Step => ({ ...s.action, id: `s${i}`, wait: s.wait })),
        ),
      ),
    }),
  )
  .map(({ schedule, steps }) => sequence(steps, { schedule }));

type Move =
  | { kind: "advance"; extraMinutes: number }
  | { kind: "report_sent"; delayMinutes: number }
  | { kind: "report_held" }
  | { kind: "task"; outcome: TaskOutcome }
  | { kind: "event"; type: string; data: Record<string, unknown>; machine: boolean; afterMinutes: number }
  | { kind: "pause" }
  | { kind: "resume" };

const moveArb: fc.Arbitrary<Move> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      extraMinutes: fc.integer({ min: 0, max: 3 * 24 * 60 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("report_sent" as const),
      delayMinutes: fc.integer({ min: 0, max: 30 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "report_held" as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("task" as const),
      outcome: fc.constantFrom<TaskOutcome>(
        "connected",
        "no_answer",
        "left_voicemail",
        "wrong_number",
        "skip",
        "meeting_booked",
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("event" as const),
      type: fc.constantFrom(
        "email.opened",
        "email.clicked",
        "email.replied",
        "reply.auto_reply",
        "contact.updated",
        "email.bounced",
        "meeting.booked",
        "contact.unsubscribed",
        "webinar.attended",
      ),
      data: fc.constantFrom<Record<string, unknown>>(
        {},
        { step: "s0" },
        { hard: false },
        { return_date: "2026-11-20" },
        { class: "auto_reply" },
      ),
      machine: fc.boolean(),
      afterMinutes: fc.integer({ min: 0, max: 48 * 60 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "pause" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "resume" as const }) },
);

const worldArb = fc.record({
  def: definitionArb,
  zone: fc.constantFrom(...ZONES),
  date: fc.constantFrom(...NEAR_DST),
  minuteOfDay: fc.integer({ min: 0, max: 24 * 60 - 1 }),
  moves: fc.array(moveArb, { minLength: 1, maxLength: 40 }),
});

interface Played {
  nowUtcMs: number;
  decision: Decision;
}

/** Plays the moves as an engine would (time only goes forward) and returns every decision. */
function play(def: SequenceDefinition, f: DecideFacts, startUtcMs: number, moves: Move[]): Played[] {
  let nowUtcMs = startUtcMs;
  let current = startEnrollment(def, nowUtcMs, f);
  const decisions: Played[] = [{ nowUtcMs, decision: current }];
  let events = f.events;
  for (const move of moves) {
    const state = current.state;
    let input: DecideInput;
    switch (move.kind) {
      case "advance":
        nowUtcMs = Math.max(nowUtcMs, state.nextRunAtUtcMs ?? nowUtcMs + move.extraMinutes * MINUTE);
        input = { kind: "tick" };
        break;
      case "report_sent":
        nowUtcMs += move.delayMinutes * MINUTE;
        input = { kind: "touch_sent", step: state.stepId ?? "none", atUtcMs: nowUtcMs };
        break;
      case "report_held":
        input = { kind: "touch_held", step: state.stepId ?? "none", reason: "invalid_address" };
        break;
      case "task":
        input = { kind: "task_completed", step: state.stepId ?? "none", outcome: move.outcome };
        break;
      case "event": {
        nowUtcMs += move.afterMinutes * MINUTE;
        const e = event(
          move.type,
          nowUtcMs,
          move.data,
          move.machine ? { machine: true, step: "s0" } : { step: "s0" },
        );
        events = [...events, e];
        input = { kind: "event", event: e };
        break;
      }
      case "pause":
        input = { kind: "pause", untilUtcMs: nowUtcMs + 2 * 86_400_000 };
        break;
      case "resume":
        input = { kind: "resume" };
        break;
    }
    current = decide(state, def, input, nowUtcMs, { ...f, events });
    decisions.push({ nowUtcMs, decision: current });
  }
  return decisions;
}

const isSend = (e: Effect) => e.kind === "send_email" || e.kind === "send_sms" || e.kind === "send_voicemail";

describe("enrollment invariants", () => {
  it("no effect ever follows an exit, in the same decision or any later one", () => {
    fc.assert(
      fc.property(worldArb, ({ def, zone, date, minuteOfDay, moves }) => {
        const start = local(date, zone) + minuteOfDay * MINUTE;
        let exited = false;
        for (const { decision } of play(def, facts({ time_zone: zone }), start, moves)) {
          if (exited) expect(decision.effects).toEqual([]);
          const exitAt = decision.effects.findIndex((e) => e.kind === "exit");
          if (exitAt !== -1) {
            expect(exitAt).toBe(decision.effects.length - 1);
            expect(decision.state.status).toBe("exited");
            exited = true;
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it("every send is emitted inside the contact's sending window, across DST changes", () => {
    fc.assert(
      fc.property(worldArb, ({ def, zone, date, minuteOfDay, moves }) => {
        const start = local(date, zone) + minuteOfDay * MINUTE;
        const schedule = resolveSchedule(def.schedule, zone, "UTC");
        for (const { nowUtcMs, decision } of play(def, facts({ time_zone: zone }), start, moves)) {
          for (const effect of decision.effects.filter(isSend)) {
            expect({
              effect,
              at: new Date(nowUtcMs).toISOString(),
              inWindow: isSendingTime(nowUtcMs, schedule),
            }).toMatchObject({
              inWindow: true,
            });
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it("a touch held for a missing field never sends while the field is missing", () => {
    fc.assert(
      fc.property(worldArb, ({ def, zone, date, minuteOfDay, moves }) => {
        const start = local(date, zone) + minuteOfDay * MINUTE;
        const decisions = play(def, facts({ time_zone: zone, first_name: null }), start, moves);
        for (const { decision } of decisions) expect(decision.effects.filter(isSend)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("a completed or exited enrollment has no pending run", () => {
    fc.assert(
      fc.property(worldArb, ({ def, zone, date, minuteOfDay, moves }) => {
        const start = local(date, zone) + minuteOfDay * MINUTE;
        for (const { decision } of play(def, facts({ time_zone: zone }), start, moves)) {
          const s = decision.state;
          if (s.status === "completed" || s.status === "exited") {
            expect(s).toMatchObject({ nextRunAtUtcMs: null, stepId: null });
          }
          if (s.status === "active" && (s.phase === "due" || s.phase === "waiting_for_event")) {
            expect(s.nextRunAtUtcMs).not.toBeNull();
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
