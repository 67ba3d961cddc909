// The enrollment state machine: given where an enrollment stands, one input (a tick, an event,
// a send report, a rep's task outcome, a pause/resume/exit), what happens now and what is next.

import type { SequenceDefinition } from "../sequence/definition.ts";
import {
  asWaitFor,
  type DecisionContext,
  type Draft,
  draftOf,
  firstTarget,
  makeContext,
  nextTarget,
  stepById,
} from "./decisionContext.ts";
import { exitEnrollment, isEnded } from "./endings.ts";
import { autoReplyOf, exitFor } from "./exits.ts";
import { matchesEventRule } from "./matchEvent.ts";
import { outOfOfficeUntil, pauseEnrollment, resumeEnrollment } from "./pause.ts";
import { holdTouch } from "./touchSteps.ts";
import type { DecideFacts, DecideInput, Decision, EnrollmentState, EventFact, TaskOutcome } from "./types.ts";
import { advanceTo, runFrom, waitForSeen, waitRule } from "./walkSteps.ts";

export function decide(
  state: EnrollmentState,
  def: SequenceDefinition,
  input: DecideInput,
  nowUtcMs: number,
  facts: DecideFacts,
): Decision {
  // An ended enrollment is history: nothing it is told can make it act again.
  if (isEnded(state)) return { state, effects: [] };
  const draft = draftOf(state);
  // Exits win over everything, so they are checked before any step can run.
  const exit =
    input.kind === "exit"
      ? { reason: input.reason, detail: input.detail ?? null }
      : exitFor(state, def, input, facts);
  if (exit) {
    exitEnrollment(draft, exit);
    return draft;
  }
  if (input.kind !== "exit") applyInput(draft, makeContext(def, facts, nowUtcMs), input);
  return draft;
}

function applyInput(draft: Draft, ctx: DecisionContext, input: Exclude<DecideInput, { kind: "exit" }>): void {
  switch (input.kind) {
    case "tick":
      onTick(draft, ctx);
      return;
    case "event":
      onEvent(draft, ctx, input.event);
      return;
    case "touch_sent":
      onTouchSent(draft, ctx, input);
      return;
    case "touch_held":
      if (draft.state.phase === "sending" && draft.state.stepId === input.step) {
        holdTouch(draft, input.step, input.reason);
        // A paused enrollment must still wake at the end of its pause, to retry the touch then.
        if (draft.state.status === "paused") pauseEnrollment(draft, draft.state.pausedUntilUtcMs);
      }
      return;
    case "touch_skipped":
      // The contact said no to this channel, not to the conversation: the cadence goes on.
      if (draft.state.phase === "sending" && draft.state.stepId === input.step) {
        moveOn(draft, ctx, nextTarget(ctx.def, stepById(ctx.def, input.step)), ctx.nowUtcMs);
      }
      return;
    case "task_completed":
      onTaskCompleted(draft, ctx, input.step, input.outcome);
      return;
    case "pause":
      pauseEnrollment(draft, input.untilUtcMs);
      return;
    case "resume":
      if (draft.state.status === "paused") resumeEnrollment(draft, ctx);
      return;
    default: {
      const unknown: never = input;
      throw new Error(`unhandled input ${JSON.stringify(unknown)}`);
    }
  }
}

function onTick(draft: Draft, ctx: DecisionContext): void {
  const { status, stepId, phase, nextRunAtUtcMs, pausedUntilUtcMs } = draft.state;
  if (status === "paused") {
    if (pausedUntilUtcMs !== null && ctx.nowUtcMs >= pausedUntilUtcMs) resumeEnrollment(draft, ctx);
    // Paused until someone resumes it: there is nothing to wake up for.
    else if (pausedUntilUtcMs === null) draft.state = { ...draft.state, nextRunAtUtcMs: null };
    return;
  }
  if (stepId === null) {
    advanceTo(draft, ctx, firstTarget(ctx.def), ctx.nowUtcMs, { execute: true });
    return;
  }
  const step = stepById(ctx.def, stepId);
  // A held touch is retried whenever asked; everything else waits for its time.
  const early = nextRunAtUtcMs !== null && ctx.nowUtcMs < nextRunAtUtcMs;
  switch (phase) {
    case "due":
      if (!early) runFrom(draft, ctx, step, "fresh");
      return;
    case "held":
      runFrom(draft, ctx, step, "retry");
      return;
    case "waiting_for_event": {
      const waiting = asWaitFor(step);
      if (waitForSeen(draft, ctx, waiting)) {
        advanceTo(draft, ctx, waiting.wait_for.onEvent ?? nextTarget(ctx.def, step), ctx.nowUtcMs, {
          execute: true,
        });
      } else if (!early && nextRunAtUtcMs !== null) {
        advanceTo(draft, ctx, waiting.wait_for.onTimeout ?? nextTarget(ctx.def, step), ctx.nowUtcMs, {
          execute: true,
        });
      }
      return;
    }
    case "waiting_for_task":
      // Only a step with `skip_after` has a wake-up time here: the rep did not get to it.
      if (!early && nextRunAtUtcMs !== null) {
        draft.effects.push({ kind: "skip_task", step: stepId });
        onTaskCompleted(draft, ctx, stepId, "skip");
      }
      return;
    case "sending":
      return;
    default: {
      const unknown: never = phase;
      throw new Error(`unhandled phase ${String(unknown)}`);
    }
  }
}

function onEvent(draft: Draft, ctx: DecisionContext, event: EventFact): void {
  const outOfOffice = autoReplyOf(event);
  if (outOfOffice) {
    pauseEnrollment(draft, outOfOfficeUntil(ctx, outOfOffice.returnDate));
    return;
  }
  const { status, phase, stepId } = draft.state;
  if (status !== "active" || stepId === null) return;
  const step = stepById(ctx.def, stepId);
  if (phase === "held" && event.type === "contact.updated") {
    runFrom(draft, ctx, step, "retry");
  } else if (phase === "waiting_for_event") {
    const waiting = asWaitFor(step);
    if (matchesEventRule(waitRule(waiting), event)) {
      advanceTo(draft, ctx, waiting.wait_for.onEvent ?? nextTarget(ctx.def, step), ctx.nowUtcMs, {
        execute: true,
      });
    }
  }
}

/** Waits count from the real send, so a touch delayed by caps keeps the cadence behind it. */
function onTouchSent(
  draft: Draft,
  ctx: DecisionContext,
  input: { step: string; atUtcMs: number; variant?: string },
): void {
  const { phase, stepId } = draft.state;
  if (phase !== "sending" || stepId !== input.step) return;
  const step = stepById(ctx.def, stepId);
  draft.state.touches.push({
    step: step.id,
    atUtcMs: input.atUtcMs,
    channel: step.kind,
    ...(input.variant !== undefined ? { variant: input.variant } : {}),
  });
  moveOn(draft, ctx, nextTarget(ctx.def, step), input.atUtcMs);
}

function onTaskCompleted(draft: Draft, ctx: DecisionContext, stepId: string, outcome: TaskOutcome): void {
  if (draft.state.phase !== "waiting_for_task" || draft.state.stepId !== stepId) return;
  if (outcome === "meeting_booked") {
    exitEnrollment(draft, { reason: "meeting_booked", detail: `task ${stepId}` });
    return;
  }
  // Every other outcome (a wrong number included: the task's own record keeps it) moves on.
  moveOn(draft, ctx, nextTarget(ctx.def, stepById(ctx.def, stepId)), ctx.nowUtcMs);
}

/** Goes to the next step; while paused it is only scheduled, and runs once the pause ends. */
function moveOn(draft: Draft, ctx: DecisionContext, target: string, fromUtcMs: number): void {
  const paused = draft.state.status === "paused";
  advanceTo(draft, ctx, target, fromUtcMs, { execute: !paused });
  if (paused && !isEnded(draft.state)) pauseEnrollment(draft, draft.state.pausedUntilUtcMs);
}
