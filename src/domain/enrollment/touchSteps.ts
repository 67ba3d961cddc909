// The steps that touch the contact: automatic messages (sent by the engine, inside the sending
// window, only when every merge field is there) and rep tasks (calls, LinkedIn, manual emails).

import { DateTime } from "luxon";
import type { DayWindow, Step } from "../sequence/definition.ts";
import { missingFields, pickVariant } from "../template/index.ts";
import { addDelay, isSendingTime, nextSendingTime, nextTimeInDailyWindow } from "../time/index.ts";
import {
  type AutomaticTouchStep,
  bumpVisit,
  type DecisionContext,
  type Draft,
  type RunMode,
  type StepResult,
  setPhase,
} from "./decisionContext.ts";
import { mergeContextOf } from "./mergeContext.ts";
import { type TaskStep, taskText } from "./taskText.ts";
import type { DecideFacts, EnrollmentState } from "./types.ts";

const STOP: StepResult = { kind: "stop" };

export function sendAutomaticTouch(
  draft: Draft,
  ctx: DecisionContext,
  step: AutomaticTouchStep,
  mode: RunMode,
): StepResult {
  if (!isSendingTime(ctx.nowUtcMs, ctx.schedule)) {
    const atUtcMs = nextSendingTime(ctx.nowUtcMs, ctx.schedule);
    // A held touch retried at night stays held (same visit, so the same outbox row) until morning.
    if (mode === "retry")
      draft.state = { ...draft.state, phase: "held", stepId: step.id, nextRunAtUtcMs: atUtcMs };
    else setPhase(draft, "due", step.id, atUtcMs);
    return STOP;
  }
  const visit =
    mode === "fresh" ? bumpVisit(draft, step.id) : (draft.state.visits[step.id] ?? bumpVisit(draft, step.id));
  const variant = step.kind === "email" ? chosenVariant(step, draft.state, ctx.facts) : null;
  const missing = missingMergeFields(step, variant, ctx.facts);
  if (missing.length > 0) {
    holdTouch(draft, step.id, `missing_field:${missing.join(",")}`);
    return STOP;
  }
  switch (step.kind) {
    case "email":
      draft.effects.push({ kind: "send_email", step: step.id, variant, thread: step.email.thread, visit });
      break;
    case "sms":
      draft.effects.push({ kind: "send_sms", step: step.id, visit });
      break;
    case "voicemail":
      draft.effects.push({ kind: "send_voicemail", step: step.id, visit });
      break;
  }
  setPhase(draft, "sending", step.id, null);
  return STOP;
}

/** Parks a touch that cannot go out; a repeated hold for the same reason is not news to anyone. */
export function holdTouch(draft: Draft, stepId: string, reason: string): void {
  const alreadyHeld =
    draft.state.phase === "held" && draft.state.stepId === stepId && draft.state.holdReason === reason;
  draft.state = { ...draft.state, phase: "held", stepId, nextRunAtUtcMs: null, holdReason: reason };
  if (!alreadyHeld) draft.effects.push({ kind: "hold", step: stepId, reason });
}

/**
 * The seed is stable for one enrollment and step (the enrollment has no id in its state, so the
 * contact id and enrollment instant stand for it): retries and re-renders pick the same variant.
 */
export function chosenVariant(
  step: Step & { kind: "email" },
  state: Pick<EnrollmentState, "enrolledAtUtcMs">,
  facts: Pick<DecideFacts, "contact">,
): string | null {
  const variants = step.email.variants;
  if (!variants || variants.length === 0) return null;
  return pickVariant(variants, `${facts.contact.id}:${state.enrolledAtUtcMs}:${step.id}`);
}

/** The template sources a touch renders: the variant's subject and body override the step's. */
export function touchSources(step: AutomaticTouchStep, variantId: string | null): string[] {
  switch (step.kind) {
    case "email": {
      const variant = variantId ? step.email.variants?.find((v) => v.id === variantId) : undefined;
      const subject = variant?.subject ?? step.email.subject;
      return [...(subject !== undefined ? [subject] : []), variant?.body ?? step.email.body];
    }
    case "sms":
      return [step.sms.body];
    case "voicemail":
      return step.voicemail.script !== undefined ? [step.voicemail.script] : [];
  }
}

export function missingMergeFields(
  step: AutomaticTouchStep,
  variantId: string | null,
  facts: DecideFacts,
): string[] {
  const ctx = mergeContextOf(facts);
  const missing = touchSources(step, variantId).flatMap((source) => missingFields(source, ctx));
  return [...new Set(missing)];
}

export function createTaskTouch(
  draft: Draft,
  ctx: DecisionContext,
  step: TaskStep,
  visit: number,
): StepResult {
  const window = step.kind === "call" ? step.call.window : undefined;
  const dueAtUtcMs = window
    ? nextTimeInDailyWindow(ctx.nowUtcMs, ctx.schedule.zone, window, ctx.schedule.days)
    : ctx.nowUtcMs;
  const { title, note } = taskText(step, ctx.facts);
  draft.effects.push({
    kind: "create_task",
    step: step.id,
    visit,
    type: step.kind,
    title,
    note,
    dueAtUtcMs,
    windowEndUtcMs: window ? windowEndOn(dueAtUtcMs, ctx.schedule.zone, window) : null,
  });
  draft.state.touches.push({ step: step.id, atUtcMs: ctx.nowUtcMs, channel: step.kind });
  // Without `skip_after` the sequence waits for the rep however long it takes.
  const skipAtUtcMs = step.skipAfter ? addDelay(dueAtUtcMs, step.skipAfter, ctx.schedule) : null;
  setPhase(draft, "waiting_for_task", step.id, skipAtUtcMs);
  return STOP;
}

function windowEndOn(dueAtUtcMs: number, zone: string, window: DayWindow): number {
  const day = DateTime.fromMillis(dueAtUtcMs, { zone }).startOf("day");
  const end = day.set({ hour: Math.floor(window.endMinute / 60) % 24, minute: window.endMinute % 60 });
  return (window.endMinute >= 24 * 60 ? day.plus({ days: 1 }) : end).toMillis();
}
