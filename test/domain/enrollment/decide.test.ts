import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/enrollment/decide.ts";
import { startEnrollment } from "../../../src/domain/enrollment/startEnrollment.ts";
import type { DecideFacts, Decision, EnrollmentState } from "../../../src/domain/enrollment/types.ts";
import type { SequenceDefinition } from "../../../src/domain/sequence/definition.ts";
import {
  ALWAYS_OPEN,
  call,
  days,
  email,
  event,
  facts,
  hours,
  local,
  NEW_YORK,
  sequence,
  sms,
  step,
  withEvents,
} from "./sequenceFixtures.ts";

const TUE_10AM = local("2026-12-01T10:00");
const HOUR = 3_600_000;

const threeTouches = sequence([
  email("intro"),
  email("bump-1", { wait: days(2) }),
  call("call-1", { wait: days(1) }),
]);

function sendingAfterStart(def: SequenceDefinition = threeTouches, f: DecideFacts = facts()): Decision {
  return startEnrollment(def, TUE_10AM, f);
}

/** The state once `intro` was reported sent at 10:00 Tuesday: bump-1 due Thursday 10:00. */
function waitingForBump(): EnrollmentState {
  const started = sendingAfterStart();
  return decide(
    started.state,
    threeTouches,
    { kind: "touch_sent", step: "intro", atUtcMs: TUE_10AM },
    TUE_10AM,
    facts(),
  ).state;
}

describe("startEnrollment", () => {
  it("sends a first email with no wait at once when enrolled inside the sending window", () => {
    const { state, effects } = sendingAfterStart();
    expect(effects).toEqual([{ kind: "send_email", step: "intro", variant: null, thread: false, visit: 1 }]);
    expect(state).toMatchObject({
      status: "active",
      phase: "sending",
      stepId: "intro",
      nextRunAtUtcMs: null,
    });
    expect(state.visits).toEqual({ intro: 1 });
  });

  it("schedules the first email for Monday morning when enrolled on a Saturday", () => {
    const saturday = local("2026-12-05T14:00");
    const { state, effects } = startEnrollment(threeTouches, saturday, facts());
    expect(effects).toEqual([]);
    expect(state).toMatchObject({ phase: "due", stepId: "intro", nextRunAtUtcMs: local("2026-12-07T09:00") });
  });

  it("applies the first step's wait from the enrollment instant", () => {
    const def = sequence([email("intro", { wait: hours(3) })]);
    const { state, effects } = startEnrollment(def, TUE_10AM, facts());
    expect(effects).toEqual([]);
    expect(state.nextRunAtUtcMs).toBe(TUE_10AM + 3 * HOUR);
  });

  it("never sends to a contact who already meets a field exit", () => {
    const def = sequence([email("intro")], {
      exit: {
        account: false,
        events: [],
        dealStages: [],
        fields: [{ path: "lifecycle_stage", op: "equals", value: "customer" }],
      },
    });
    const { state, effects } = startEnrollment(def, TUE_10AM, facts({ lifecycle_stage: "customer" }));
    expect(effects).toEqual([{ kind: "exit", reason: "field", detail: "lifecycle_stage equals customer" }]);
    expect(state.status).toBe("exited");
  });

  it("completes at once a sequence whose only steps are updates", () => {
    const def = sequence([step("tag", { kind: "update", update: { addTags: ["nurtured"] } })], {
      onComplete: { stage: "nurture" },
    });
    const { state, effects } = startEnrollment(def, TUE_10AM, facts());
    expect(effects.map((e) => e.kind)).toEqual(["update_contact", "complete"]);
    expect(state).toMatchObject({ status: "completed", exitReason: "completed", nextRunAtUtcMs: null });
  });
});

describe("sends and their reports", () => {
  it("counts the next wait from the real send and records the touch", () => {
    const state = waitingForBump();
    expect(state.touches).toEqual([{ step: "intro", atUtcMs: TUE_10AM, channel: "email" }]);
    expect(state).toMatchObject({
      phase: "due",
      stepId: "bump-1",
      nextRunAtUtcMs: local("2026-12-03T10:00"),
    });
  });

  it("moves a wait that ends at night to the next morning for an automatic touch", () => {
    const def = sequence([email("intro"), email("bump-1", { wait: hours(8) })]);
    const started = startEnrollment(def, local("2026-12-01T15:00"), facts());
    const sentAt = local("2026-12-01T15:00");
    const { state } = decide(
      started.state,
      def,
      { kind: "touch_sent", step: "intro", atUtcMs: sentAt },
      sentAt,
      facts(),
    );
    expect(state.nextRunAtUtcMs).toBe(local("2026-12-02T09:00"));
  });

  it("does nothing on a tick that arrives before the step is due", () => {
    const state = waitingForBump();
    expect(decide(state, threeTouches, { kind: "tick" }, TUE_10AM + HOUR, facts())).toEqual({
      state,
      effects: [],
    });
  });

  it("sends the due step on the tick at its time", () => {
    const due = local("2026-12-03T10:00");
    const { state, effects } = decide(waitingForBump(), threeTouches, { kind: "tick" }, due, facts());
    expect(effects).toEqual([{ kind: "send_email", step: "bump-1", variant: null, thread: false, visit: 1 }]);
    expect(state.phase).toBe("sending");
  });

  it("reschedules to the next window instead of sending when the tick comes late at night", () => {
    const night = local("2026-12-03T22:00");
    const { state, effects } = decide(waitingForBump(), threeTouches, { kind: "tick" }, night, facts());
    expect(effects).toEqual([]);
    expect(state).toMatchObject({
      phase: "due",
      stepId: "bump-1",
      nextRunAtUtcMs: local("2026-12-04T09:00"),
    });
    expect(state.visits["bump-1"]).toBeUndefined();
  });

  it("ignores a sent report for a step it is not sending", () => {
    const state = waitingForBump();
    const input = { kind: "touch_sent", step: "intro", atUtcMs: TUE_10AM } as const;
    expect(decide(state, threeTouches, input, TUE_10AM, facts()).effects).toEqual([]);
  });

  it("keeps sms and voicemail sends inside the window too", () => {
    const def = sequence([
      sms("text"),
      step("vm", { kind: "voicemail", voicemail: { audio_url: "https://x/a.mp3" } }),
    ]);
    const first = startEnrollment(def, TUE_10AM, facts());
    expect(first.effects).toEqual([{ kind: "send_sms", step: "text", visit: 1 }]);
    const second = decide(
      first.state,
      def,
      { kind: "touch_sent", step: "text", atUtcMs: TUE_10AM },
      TUE_10AM,
      facts(),
    );
    expect(second.effects).toEqual([{ kind: "send_voicemail", step: "vm", visit: 1 }]);
  });
});

describe("holds", () => {
  const noName = facts({ first_name: null });

  it("holds a touch whose template needs a field the contact lacks", () => {
    const { state, effects } = startEnrollment(threeTouches, TUE_10AM, noName);
    expect(effects).toEqual([{ kind: "hold", step: "intro", reason: "missing_field:contact.first_name" }]);
    expect(state).toMatchObject({
      phase: "held",
      holdReason: "missing_field:contact.first_name",
      nextRunAtUtcMs: null,
    });
  });

  it("holds an sms whose body needs a missing field", () => {
    const { effects } = startEnrollment(sequence([sms("text")]), TUE_10AM, noName);
    expect(effects).toEqual([{ kind: "hold", step: "text", reason: "missing_field:contact.first_name" }]);
  });

  it("does not repeat the hold on a retry while the field is still missing", () => {
    const held = startEnrollment(threeTouches, TUE_10AM, noName).state;
    const retried = decide(held, threeTouches, { kind: "tick" }, TUE_10AM + HOUR, noName);
    expect(retried.effects).toEqual([]);
    expect(retried.state.phase).toBe("held");
  });

  it("sends the held touch with the same visit once a contact update fills the field", () => {
    const held = startEnrollment(threeTouches, TUE_10AM, noName).state;
    const updated = event("contact.updated", TUE_10AM + HOUR);
    const { state, effects } = decide(
      held,
      threeTouches,
      { kind: "event", event: updated },
      TUE_10AM + HOUR,
      facts(),
    );
    expect(effects).toEqual([{ kind: "send_email", step: "intro", variant: null, thread: false, visit: 1 }]);
    expect(state.holdReason).toBeNull();
  });

  it("parks a touch the outbox could not send and retries it with the same visit on a tick", () => {
    const sending = sendingAfterStart().state;
    const held = decide(
      sending,
      threeTouches,
      { kind: "touch_held", step: "intro", reason: "invalid_address" },
      TUE_10AM,
      facts(),
    );
    expect(held.effects).toEqual([{ kind: "hold", step: "intro", reason: "invalid_address" }]);
    expect(held.state).toMatchObject({ phase: "held", holdReason: "invalid_address" });
    const retried = decide(held.state, threeTouches, { kind: "tick" }, TUE_10AM + HOUR, facts());
    expect(retried.effects).toEqual([
      { kind: "send_email", step: "intro", variant: null, thread: false, visit: 1 },
    ]);
  });

  it("keeps a held touch retried at night held until the window opens", () => {
    const held = startEnrollment(threeTouches, TUE_10AM, noName).state;
    const night = local("2026-12-01T23:00");
    const { state, effects } = decide(held, threeTouches, { kind: "tick" }, night, facts());
    expect(effects).toEqual([]);
    expect(state).toMatchObject({ phase: "held", nextRunAtUtcMs: local("2026-12-02T09:00") });
  });
});

describe("skipped touches", () => {
  it("moves on to the next step when the send is skipped (a STOP to texts), keeping the other channels", () => {
    const def = sequence([sms("text"), email("after", { wait: days(1) })]);
    const sending = startEnrollment(def, TUE_10AM, facts()).state;
    expect(sending).toMatchObject({ phase: "sending", stepId: "text" });
    const { state, effects } = decide(
      sending,
      def,
      { kind: "touch_skipped", step: "text", reason: "sms_opted_out" },
      TUE_10AM,
      facts(),
    );
    expect(effects).toEqual([]);
    expect(state).toMatchObject({ status: "active", phase: "due", stepId: "after" });
  });

  it("ignores a skip report for a step it is not sending", () => {
    const def = sequence([sms("text"), email("after", { wait: days(1) })]);
    const sending = startEnrollment(def, TUE_10AM, facts()).state;
    const { state } = decide(
      sending,
      def,
      { kind: "touch_skipped", step: "after", reason: "x" },
      TUE_10AM,
      facts(),
    );
    expect(state).toEqual(sending);
  });

  it("does not exit on a STOP to texts", () => {
    const def = sequence([email("intro"), sms("text", "Hi {{ contact.first_name }}", { wait: days(1) })]);
    const started = startEnrollment(def, TUE_10AM, facts()).state;
    const stop = event("sms.unsubscribed", TUE_10AM + HOUR);
    const { state } = decide(
      started,
      def,
      { kind: "event", event: stop },
      TUE_10AM + HOUR,
      withEvents(facts(), stop),
    );
    expect(state.status).toBe("active");
  });
});

describe("always-on exits", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["email.replied", {}, "replied"],
    ["reply.received", { class: "human_reply" }, "replied"],
    ["sms.replied", {}, "replied"],
    ["reply.received", { class: "unsubscribe_request" }, "unsubscribed"],
    ["meeting.booked", {}, "meeting_booked"],
    ["contact.unsubscribed", {}, "unsubscribed"],
    ["email.unsubscribed", {}, "unsubscribed"],
    ["email.bounced", { hard: true }, "bounced"],
    ["email.bounced", {}, "bounced"],
  ];
  for (const [type, data, reason] of cases) {
    it(`exits with ${reason} on ${type} ${JSON.stringify(data)} and emits nothing else`, () => {
      const e = event(type, TUE_10AM + HOUR, data);
      const { state, effects } = decide(
        waitingForBump(),
        threeTouches,
        { kind: "event", event: e },
        TUE_10AM + HOUR,
        withEvents(facts(), e),
      );
      expect(effects).toEqual([{ kind: "exit", reason, detail: expect.any(String) }]);
      expect(state).toMatchObject({
        status: "exited",
        exitReason: reason,
        stepId: null,
        nextRunAtUtcMs: null,
      });
    });
  }

  it("does not exit on a soft bounce", () => {
    const e = event("email.bounced", TUE_10AM + HOUR, { hard: false });
    expect(
      decide(waitingForBump(), threeTouches, { kind: "event", event: e }, TUE_10AM + HOUR, facts()).effects,
    ).toEqual([]);
  });

  it("stops a colleague's enrollment on account.replied only when the sequence asks for it", () => {
    const e = event("account.replied", TUE_10AM + HOUR, { email: "grace@example.com" });
    const input = { kind: "event", event: e } as const;
    const withAccount = { ...threeTouches, exit: { ...threeTouches.exit, account: true } };
    expect(decide(waitingForBump(), withAccount, input, TUE_10AM + HOUR, facts()).effects).toEqual([
      { kind: "exit", reason: "account_replied", detail: "grace@example.com" },
    ]);
    expect(decide(waitingForBump(), threeTouches, input, TUE_10AM + HOUR, facts()).effects).toEqual([]);
  });

  it("a reply stored while a touch is queued stops it: the exit comes instead of the next send", () => {
    const sending = sendingAfterStart().state;
    const reply = event("email.replied", TUE_10AM + 1000);
    const sent = decide(
      sending,
      threeTouches,
      { kind: "touch_sent", step: "intro", atUtcMs: TUE_10AM },
      TUE_10AM + 2000,
      withEvents(facts(), reply),
    );
    expect(sent.effects).toEqual([{ kind: "exit", reason: "replied", detail: "email.replied" }]);
  });

  it("exits on a manual exit with its reason and detail", () => {
    const { effects, state } = decide(
      waitingForBump(),
      threeTouches,
      { kind: "exit", reason: "manual", detail: "rep stopped it" },
      TUE_10AM,
      facts(),
    );
    expect(effects).toEqual([{ kind: "exit", reason: "manual", detail: "rep stopped it" }]);
    expect(state.exitDetail).toBe("rep stopped it");
  });

  it("ignores every input once exited", () => {
    const exited = decide(
      waitingForBump(),
      threeTouches,
      { kind: "exit", reason: "manual" },
      TUE_10AM,
      facts(),
    ).state;
    for (const input of [
      { kind: "tick" },
      { kind: "resume" },
      { kind: "touch_sent", step: "intro", atUtcMs: TUE_10AM },
      { kind: "event", event: event("contact.updated", TUE_10AM) },
    ] as const) {
      expect(decide(exited, threeTouches, input, local("2026-12-10T10:00"), facts())).toEqual({
        state: exited,
        effects: [],
      });
    }
  });
});

describe("sequence exits", () => {
  const def = sequence([email("intro"), email("bump-1", { wait: days(2) })], {
    exit: {
      account: false,
      events: [{ event: "webinar.registered", where: { "webinar.kind": "demo" } }],
      dealStages: ["Closed Won"],
      fields: [{ path: "fields.status", op: "equals", value: "customer" }],
    },
  });
  const waiting = () =>
    decide(
      startEnrollment(def, TUE_10AM, facts()).state,
      def,
      { kind: "touch_sent", step: "intro", atUtcMs: TUE_10AM },
      TUE_10AM,
      facts(),
    ).state;

  it("exits on a listed event whose data matches", () => {
    const e = event("webinar.registered", TUE_10AM + HOUR, { webinar: { kind: "Demo" } });
    expect(decide(waiting(), def, { kind: "event", event: e }, TUE_10AM + HOUR, facts()).effects).toEqual([
      { kind: "exit", reason: "event", detail: "webinar.registered" },
    ]);
  });

  it("ignores a listed event whose data does not match", () => {
    const e = event("webinar.registered", TUE_10AM + HOUR, { webinar: { kind: "launch" } });
    expect(decide(waiting(), def, { kind: "event", event: e }, TUE_10AM + HOUR, facts()).effects).toEqual([]);
  });

  it("exits when the deal moves to a listed stage", () => {
    const e = event("deal.stage_changed", TUE_10AM + HOUR, { from: "proposal", to: "closed won" });
    expect(decide(waiting(), def, { kind: "event", event: e }, TUE_10AM + HOUR, facts()).effects).toEqual([
      { kind: "exit", reason: "stage_changed", detail: "deal stage closed won" },
    ]);
  });

  it("exits on the next tick once a field exit holds", () => {
    const f = facts({ fields: { status: "Customer" } });
    expect(decide(waiting(), def, { kind: "tick" }, local("2026-12-03T10:00"), f).effects).toEqual([
      { kind: "exit", reason: "field", detail: "fields.status equals customer" },
    ]);
  });
});

describe("out of office", () => {
  const autoReply = (returnDate?: string) =>
    event("reply.auto_reply", TUE_10AM + HOUR, returnDate ? { return_date: returnDate } : {});

  it("pauses until the window opens on the day after the stated return date", () => {
    const e = autoReply("2026-12-07");
    const { state, effects } = decide(
      waitingForBump(),
      threeTouches,
      { kind: "event", event: e },
      TUE_10AM + HOUR,
      facts(),
    );
    expect(effects).toEqual([]);
    expect(state).toMatchObject({
      status: "paused",
      pausedUntilUtcMs: local("2026-12-08T09:00"),
      nextRunAtUtcMs: local("2026-12-08T09:00"),
      stepId: "bump-1",
    });
  });

  it("pauses five business days when no return date is given", () => {
    const e = autoReply();
    const { state } = decide(
      waitingForBump(),
      threeTouches,
      { kind: "event", event: e },
      TUE_10AM + HOUR,
      facts(),
    );
    expect(state.pausedUntilUtcMs).toBe(local("2026-12-08T11:00"));
  });

  it("treats a reply classified as auto_reply as an out-of-office, not a reply", () => {
    const e = event("reply.received", TUE_10AM + HOUR, { class: "auto_reply", return_date: "2026-12-07" });
    const { state, effects } = decide(
      waitingForBump(),
      threeTouches,
      { kind: "event", event: e },
      TUE_10AM + HOUR,
      facts(),
    );
    expect(effects).toEqual([]);
    expect(state.status).toBe("paused");
  });

  it("resumes on the tick after the pause and sends the step whose wait already elapsed", () => {
    const paused = decide(
      waitingForBump(),
      threeTouches,
      { kind: "event", event: autoReply("2026-12-07") },
      TUE_10AM + HOUR,
      facts(),
    ).state;
    const early = decide(paused, threeTouches, { kind: "tick" }, local("2026-12-07T10:00"), facts());
    expect(early.effects).toEqual([]);
    const resumeAt = local("2026-12-08T09:00");
    const { state, effects } = decide(paused, threeTouches, { kind: "tick" }, resumeAt, facts());
    expect(effects).toEqual([{ kind: "send_email", step: "bump-1", variant: null, thread: false, visit: 1 }]);
    expect(state).toMatchObject({ status: "active", pausedUntilUtcMs: null, phase: "sending" });
  });

  it("keeps a long wait that outlasts a short absence", () => {
    const def = sequence([email("intro"), email("later", { wait: days(14) })]);
    const waiting = decide(
      startEnrollment(def, TUE_10AM, facts()).state,
      def,
      { kind: "touch_sent", step: "intro", atUtcMs: TUE_10AM },
      TUE_10AM,
      facts(),
    ).state;
    const paused = decide(
      waiting,
      def,
      { kind: "event", event: autoReply("2026-12-02") },
      TUE_10AM + HOUR,
      facts(),
    ).state;
    expect(paused.pausedUntilUtcMs).toBe(local("2026-12-03T09:00"));
    expect(paused.nextRunAtUtcMs).toBe(local("2026-12-15T10:00"));
  });
});

describe("manual pause and resume", () => {
  it("pauses with no end and stops waking up until resumed", () => {
    const paused = decide(
      waitingForBump(),
      threeTouches,
      { kind: "pause", untilUtcMs: null },
      TUE_10AM,
      facts(),
    ).state;
    expect(paused).toMatchObject({ status: "paused", nextRunAtUtcMs: null, pausedUntilUtcMs: null });
    const later = local("2026-12-10T10:00");
    expect(decide(paused, threeTouches, { kind: "tick" }, later, facts()).effects).toEqual([]);
    const resumed = decide(paused, threeTouches, { kind: "resume" }, later, facts());
    expect(resumed.effects).toEqual([
      { kind: "send_email", step: "bump-1", variant: null, thread: false, visit: 1 },
    ]);
  });

  it("records a send reported while paused but runs nothing until resumed", () => {
    const sending = sendingAfterStart().state;
    const paused = decide(
      sending,
      threeTouches,
      { kind: "pause", untilUtcMs: null },
      TUE_10AM,
      facts(),
    ).state;
    const { state, effects } = decide(
      paused,
      threeTouches,
      { kind: "touch_sent", step: "intro", atUtcMs: TUE_10AM },
      TUE_10AM,
      facts(),
    );
    expect(effects).toEqual([]);
    expect(state).toMatchObject({ status: "paused", phase: "due", stepId: "bump-1", nextRunAtUtcMs: null });
    expect(state.touches).toHaveLength(1);
  });

  it("ignores resume when not paused", () => {
    const state = waitingForBump();
    expect(decide(state, threeTouches, { kind: "resume" }, TUE_10AM, facts())).toEqual({
      state,
      effects: [],
    });
  });
});

describe("tasks", () => {
  it("creates a call task inside its call window on a sending day and waits for the rep", () => {
    const def = sequence([call("call-1", {}, { start: 14 * 60, end: 16 * 60 })]);
    const { state, effects } = startEnrollment(def, TUE_10AM, facts());
    expect(effects).toEqual([
      {
        kind: "create_task",
        step: "call-1",
        visit: 1,
        type: "call",
        title: "Call Ada Lovelace",
        note: "Ask about VP Sales",
        dueAtUtcMs: local("2026-12-01T14:00"),
        windowEndUtcMs: local("2026-12-01T16:00"),
      },
    ]);
    expect(state).toMatchObject({ phase: "waiting_for_task", nextRunAtUtcMs: null });
    expect(state.touches).toEqual([{ step: "call-1", atUtcMs: TUE_10AM, channel: "call" }]);
  });

  it("creates a task without a window due now, even outside the sending window", () => {
    const def = sequence([
      step("research", { kind: "task", task: { title: "Research {{ contact.company }}" } }),
    ]);
    const night = local("2026-12-01T22:00");
    const { effects } = startEnrollment(def, night, facts());
    expect(effects).toMatchObject([
      { kind: "create_task", title: "Research Example Corp", dueAtUtcMs: night, windowEndUtcMs: null },
    ]);
  });

  for (const outcome of ["connected", "no_answer", "left_voicemail", "wrong_number", "skip"] as const) {
    it(`moves on after a task completed with ${outcome}`, () => {
      const def = sequence([call("call-1"), email("after", { wait: days(1) })]);
      const open = startEnrollment(def, TUE_10AM, facts()).state;
      const { state, effects } = decide(
        open,
        def,
        { kind: "task_completed", step: "call-1", outcome },
        TUE_10AM + HOUR,
        facts(),
      );
      expect(effects).toEqual([]);
      expect(state).toMatchObject({
        phase: "due",
        stepId: "after",
        nextRunAtUtcMs: local("2026-12-02T11:00"),
      });
    });
  }

  it("waits for the rep however long it takes when the step has no skip_after", () => {
    const def = sequence([call("call-1"), email("after")]);
    const open = startEnrollment(def, TUE_10AM, facts()).state;
    expect(open).toMatchObject({ phase: "waiting_for_task", nextRunAtUtcMs: null });
    const weekLater = decide(open, def, { kind: "tick" }, TUE_10AM + 7 * 24 * HOUR, facts());
    expect(weekLater).toEqual({ state: open, effects: [] });
  });

  it("skips a task still open skip_after its due time and moves on; a tick before that changes nothing", () => {
    const def = sequence([call("call-1", { skipAfter: hours(24) }), email("after", { wait: days(1) })]);
    const open = startEnrollment(def, TUE_10AM, facts()).state;
    expect(open).toMatchObject({ phase: "waiting_for_task", nextRunAtUtcMs: TUE_10AM + 24 * HOUR });
    expect(decide(open, def, { kind: "tick" }, TUE_10AM + 23 * HOUR, facts()).effects).toEqual([]);
    const skipped = decide(open, def, { kind: "tick" }, TUE_10AM + 24 * HOUR, facts());
    expect(skipped.effects).toEqual([{ kind: "skip_task", step: "call-1" }]);
    expect(skipped.state).toMatchObject({
      phase: "due",
      stepId: "after",
      nextRunAtUtcMs: local("2026-12-03T10:00"),
    });
  });

  it("does not skip a task the rep completed in time", () => {
    const def = sequence([call("call-1", { skipAfter: hours(24) }), email("after", { wait: days(1) })]);
    const open = startEnrollment(def, TUE_10AM, facts()).state;
    const done = decide(
      open,
      def,
      { kind: "task_completed", step: "call-1", outcome: "connected" },
      TUE_10AM + HOUR,
      facts(),
    );
    const later = decide(done.state, def, { kind: "tick" }, TUE_10AM + 24 * HOUR, facts());
    expect(later.effects).toEqual([]);
    expect(later.state.stepId).toBe("after");
  });

  it("exits with meeting_booked when the rep books a meeting on the call", () => {
    const def = sequence([call("call-1"), email("after")]);
    const open = startEnrollment(def, TUE_10AM, facts()).state;
    const { effects } = decide(
      open,
      def,
      { kind: "task_completed", step: "call-1", outcome: "meeting_booked" },
      TUE_10AM,
      facts(),
    );
    expect(effects).toEqual([{ kind: "exit", reason: "meeting_booked", detail: "task call-1" }]);
  });

  it("names linkedin and manual email tasks for the rep", () => {
    const def = sequence([
      step("li", { kind: "linkedin", linkedin: { action: "connect" } }),
      step("manual", {
        kind: "manual_email",
        manual_email: { subject: "Hi {{ contact.first_name }}", body: "Draft" },
      }),
    ]);
    const first = startEnrollment(def, TUE_10AM, facts());
    expect(first.effects).toMatchObject([{ type: "linkedin", title: "LinkedIn: Connect with Ada Lovelace" }]);
    const second = decide(
      first.state,
      def,
      { kind: "task_completed", step: "li", outcome: "connected" },
      TUE_10AM,
      facts(),
    );
    expect(second.effects).toMatchObject([
      { type: "manual_email", title: "Email Ada Lovelace: Hi Ada", note: "Draft" },
    ]);
  });
});

describe("updates, webhooks and completion", () => {
  it("runs an update and a webhook and continues to the next step in the same decision", () => {
    const def = sequence(
      [
        step("mark", {
          kind: "update",
          update: { addTags: ["hot"], set: { "fields.score": 10 }, dealStage: "qualified" },
        }),
        step("notify", { kind: "webhook", webhook: { url: "https://hooks.example/x", method: "POST" } }),
        email("intro"),
      ],
      { schedule: ALWAYS_OPEN },
    );
    const { effects } = startEnrollment(def, TUE_10AM, facts());
    expect(effects).toEqual([
      { kind: "update_contact", addTags: ["hot"], removeTags: [], set: { "fields.score": 10 } },
      { kind: "update_deal", stage: "qualified" },
      { kind: "call_webhook", step: "notify", url: "https://hooks.example/x", method: "POST", body: null },
      { kind: "send_email", step: "intro", variant: null, thread: false, visit: 1 },
    ]);
  });

  it("exits right after an update that makes a field exit true, with nothing after it", () => {
    const def = sequence(
      [step("won", { kind: "update", update: { set: { lifecycle_stage: "customer" } } }), email("intro")],
      {
        exit: {
          account: false,
          events: [],
          dealStages: [],
          fields: [{ path: "lifecycle_stage", op: "equals", value: "customer" }],
        },
      },
    );
    const { effects } = startEnrollment(def, TUE_10AM, facts());
    expect(effects.map((e) => e.kind)).toEqual(["update_contact", "exit"]);
  });

  it("completes after the last step with the on-complete actions", () => {
    const def = sequence([email("intro")], {
      onComplete: {
        addTags: ["sequence-done"],
        stage: "nurture",
        task: { type: "call", note: "Last try" },
        enroll: { sequence: "reengage-90", after: days(90) },
      },
    });
    const sending = startEnrollment(def, TUE_10AM, facts()).state;
    const { state, effects } = decide(
      sending,
      def,
      { kind: "touch_sent", step: "intro", atUtcMs: TUE_10AM },
      TUE_10AM,
      facts(),
    );
    expect(effects).toEqual([
      {
        kind: "complete",
        addTags: ["sequence-done"],
        stage: "nurture",
        task: { type: "call", title: "Follow up: Test sequence finished", note: "Last try" },
        enroll: { sequence: "reengage-90", atUtcMs: local("2027-03-01T10:00") },
      },
    ]);
    expect(state).toMatchObject({ status: "completed", stepId: null, nextRunAtUtcMs: null });
  });

  it("completes when a step says next: end", () => {
    const def = sequence([email("intro", { next: "end" }), email("never")]);
    const sending = startEnrollment(def, TUE_10AM, facts()).state;
    const { state } = decide(
      sending,
      def,
      { kind: "touch_sent", step: "intro", atUtcMs: TUE_10AM },
      TUE_10AM,
      facts(),
    );
    expect(state.status).toBe("completed");
  });
});

describe("variants", () => {
  const def = sequence([
    step("intro", {
      kind: "email",
      email: {
        subject: "Hi",
        body: "Body",
        format: "markdown",
        thread: false,
        variants: [
          { id: "a", weight: 1, subject: "Subject A" },
          { id: "b", weight: 1, subject: "Subject B {{ contact.fields.missing }}" },
        ],
      },
    }),
  ]);

  it("picks the same variant for the same enrollment every time", () => {
    const first = startEnrollment(def, TUE_10AM, facts());
    const again = startEnrollment(def, TUE_10AM, facts());
    expect(first.effects).toEqual(again.effects);
  });

  it("checks the merge fields of the variant it picked", () => {
    const picks = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const { effects } = startEnrollment(def, TUE_10AM + i * 60_000, facts());
      const e = effects[0];
      if (e?.kind === "send_email") picks.add(`send:${e.variant}`);
      if (e?.kind === "hold") picks.add(`hold:${e.reason}`);
    }
    expect(picks).toEqual(new Set(["send:a", "hold:missing_field:contact.fields.missing"]));
  });
});

describe("time zones", () => {
  it("sends in the contact's morning, not the workspace's", () => {
    const def = sequence([email("intro")]);
    const sydney = facts({ time_zone: "Australia/Sydney" }, { workspaceZone: NEW_YORK });
    const { state } = startEnrollment(def, TUE_10AM, sydney);
    expect(state.nextRunAtUtcMs).toBe(local("2026-12-02T09:00", "Australia/Sydney"));
  });
});

describe("history and queued enrollments", () => {
  it("does not exit on the event that started the enrollment", () => {
    const booked = event("meeting.booked", TUE_10AM);
    const def = sequence([email("prep", { wait: days(1) })]);
    const started = startEnrollment(def, TUE_10AM, withEvents(facts(), booked));
    const { effects } = decide(
      started.state,
      def,
      { kind: "tick" },
      local("2026-12-02T10:00"),
      withEvents(facts(), booked),
    );
    expect(effects).toMatchObject([{ kind: "send_email", step: "prep" }]);
  });

  it("starts from the first step when an enrollment queued behind another sequence is resumed", () => {
    const queued: EnrollmentState = {
      status: "paused",
      phase: "due",
      stepId: null,
      nextRunAtUtcMs: null,
      pausedUntilUtcMs: null,
      enrolledAtUtcMs: TUE_10AM,
      exitReason: null,
      exitDetail: null,
      holdReason: "queued_behind_other_sequence",
      touches: [],
      visits: {},
    };
    const { state, effects } = decide(queued, threeTouches, { kind: "resume" }, TUE_10AM + HOUR, facts());
    expect(effects).toMatchObject([{ kind: "send_email", step: "intro", visit: 1 }]);
    expect(state).toMatchObject({ status: "active", holdReason: null, phase: "sending" });
  });

  it("renders the on-complete task title with the contact's fields", () => {
    const def = sequence([step("mark", { kind: "update", update: { addTags: ["x"] } })], {
      onComplete: {
        task: { type: "task", title: "Went quiet: {{ contact.first_name }} at {{ contact.company }}" },
      },
    });
    const { effects } = startEnrollment(def, TUE_10AM, facts());
    expect(effects[1]).toMatchObject({
      kind: "complete",
      task: { title: "Went quiet: Ada at Example Corp", note: null },
    });
  });
});

describe("holds while paused", () => {
  it("still wakes at the end of an out-of-office pause to retry a touch the outbox held meanwhile", () => {
    const sending = sendingAfterStart().state;
    const ooo = event("reply.auto_reply", TUE_10AM + 1000, { return_date: "2026-12-03" });
    const paused = decide(
      sending,
      threeTouches,
      { kind: "event", event: ooo },
      TUE_10AM + 1000,
      facts(),
    ).state;
    const held = decide(
      paused,
      threeTouches,
      { kind: "touch_held", step: "intro", reason: "enrollment_paused" },
      TUE_10AM + 2000,
      facts(),
    );
    expect(held.state).toMatchObject({
      status: "paused",
      phase: "held",
      nextRunAtUtcMs: local("2026-12-04T09:00"),
    });
    const resumed = decide(held.state, threeTouches, { kind: "tick" }, local("2026-12-04T09:00"), facts());
    expect(resumed.effects).toEqual([
      { kind: "send_email", step: "intro", variant: null, thread: false, visit: 1 },
    ]);
  });
});
