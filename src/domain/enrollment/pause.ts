// Pausing and resuming: out-of-office replies pause until the contact is back (the sending window
// on the day after their return date), reps pause by hand; resuming never re-waits an elapsed wait.

import { DateTime } from "luxon";
import { addDelay, nextSendingTime } from "../time/index.ts";
import {
  asWaitFor,
  type DecisionContext,
  type Draft,
  firstTarget,
  isAutomaticTouch,
  nextTarget,
  setPhase,
  stepById,
} from "./decisionContext.ts";
import { advanceTo, runFrom, waitForSeen } from "./walkSteps.ts";

/** Without a stated return date, assume a week of business days away (5 of them). */
const UNDATED_ABSENCE = { kind: "days", days: 5, business: true } as const;

/** When to resume after an out-of-office reply; `returnDate` is the ISO date they are back. */
export function outOfOfficeUntil(ctx: DecisionContext, returnDate: string | null): number {
  const back = returnDate === null ? null : DateTime.fromISO(returnDate, { zone: ctx.contactZone });
  if (back?.isValid) {
    // The return day itself is inbox-clearing day; the day after is when a follow-up gets read.
    return nextSendingTime(back.startOf("day").plus({ days: 1 }).toMillis(), ctx.schedule);
  }
  return nextSendingTime(addDelay(ctx.nowUtcMs, UNDATED_ABSENCE, ctx.schedule), ctx.schedule);
}

/**
 * While paused the enrollment keeps its step and phase. Its next run is the resume instant, or
 * the step's own due time when that is later, so a short absence never shortens a long wait.
 */
export function pauseEnrollment(draft: Draft, pausedUntilUtcMs: number | null): void {
  const state = draft.state;
  const pendingUtcMs =
    state.phase === "due" || state.phase === "waiting_for_event" ? state.nextRunAtUtcMs : null;
  const nextRunAtUtcMs =
    pausedUntilUtcMs === null ? null : Math.max(pausedUntilUtcMs, pendingUtcMs ?? pausedUntilUtcMs);
  draft.state = { ...state, status: "paused", pausedUntilUtcMs, nextRunAtUtcMs };
}

export function resumeEnrollment(draft: Draft, ctx: DecisionContext): void {
  const { stepId, phase, nextRunAtUtcMs } = draft.state;
  draft.state = {
    ...draft.state,
    status: "active",
    pausedUntilUtcMs: null,
    holdReason: phase === "held" ? draft.state.holdReason : null,
  };
  if (stepId === null) {
    // Queued behind another sequence and never started.
    advanceTo(draft, ctx, firstTarget(ctx.def), ctx.nowUtcMs, { execute: true });
    return;
  }
  const step = stepById(ctx.def, stepId);
  switch (phase) {
    case "due": {
      const dueAtUtcMs = isAutomaticTouch(step) ? nextSendingTime(ctx.nowUtcMs, ctx.schedule) : ctx.nowUtcMs;
      if (dueAtUtcMs <= ctx.nowUtcMs) runFrom(draft, ctx, step, "fresh");
      else setPhase(draft, "due", step.id, dueAtUtcMs);
      return;
    }
    case "waiting_for_event": {
      const waiting = asWaitFor(step);
      if (waitForSeen(draft, ctx, waiting)) {
        advanceTo(draft, ctx, waiting.wait_for.onEvent ?? nextTarget(ctx.def, step), ctx.nowUtcMs, {
          execute: true,
        });
      } else if (nextRunAtUtcMs === null) {
        // Paused by hand with no end: the remaining timeout is unknown, so it starts again.
        setPhase(
          draft,
          phase,
          waiting.id,
          addDelay(ctx.nowUtcMs, waiting.wait_for.timeoutDelay, ctx.schedule),
        );
      } else if (nextRunAtUtcMs <= ctx.nowUtcMs) {
        advanceTo(draft, ctx, waiting.wait_for.onTimeout ?? nextTarget(ctx.def, step), ctx.nowUtcMs, {
          execute: true,
        });
      }
      return;
    }
    case "held":
      runFrom(draft, ctx, step, "retry");
      return;
    case "sending":
    case "waiting_for_task":
      draft.state = { ...draft.state, nextRunAtUtcMs: null };
      return;
    default: {
      const unknown: never = phase;
      throw new Error(`unhandled phase ${String(unknown)}`);
    }
  }
}
