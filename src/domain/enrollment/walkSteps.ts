// Walks the step graph from a step that is due now: runs steps whose wait has already passed in
// this same decision, and stops at the first one that must wait (time, a send, a rep, an event).

import type { Step } from "../sequence/definition.ts";
import { addDelay, nextSendingTime } from "../time/index.ts";
import { evaluateCondition } from "./conditions.ts";
import {
  bumpVisit,
  type DecisionContext,
  type Draft,
  END,
  isAutomaticTouch,
  nextTarget,
  type RunMode,
  type StepResult,
  setPhase,
  stepById,
  type WaitForStep,
} from "./decisionContext.ts";
import { completeEnrollment, exitEnrollment } from "./endings.ts";
import { exitForFields } from "./exits.ts";
import { humanEventsSince, matchesEventRule } from "./matchEvent.ts";
import { createTaskTouch, sendAutomaticTouch } from "./touchSteps.ts";
import type { ContactFacts, DecideFacts } from "./types.ts";

/**
 * A decision that walks more steps than this without stopping is looping; the validator rejects
 * wait-less cycles, so that is a bug, never a user error.
 */
const STEP_BUDGET = 1_000;

export interface WalkOptions {
  /** False while paused: schedule the next step but run nothing. */
  execute: boolean;
}

/** Runs `step` now, then keeps walking while the following steps are already due. */
export function runFrom(draft: Draft, ctx: DecisionContext, step: Step, mode: RunMode): void {
  const result = runStep(draft, ctx, step, mode);
  if (result.kind === "advance") advanceTo(draft, ctx, result.target, ctx.nowUtcMs, { execute: true });
}

/**
 * Moves to `target` after the previous step finished at `fromUtcMs`: applies the target's wait
 * (and the sending window for automatic touches) and runs it when that is already now.
 */
export function advanceTo(
  draft: Draft,
  ctx: DecisionContext,
  target: string,
  fromUtcMs: number,
  opts: WalkOptions,
): void {
  let pending: { target: string; fromUtcMs: number } | null = { target, fromUtcMs };
  for (let budget = STEP_BUDGET; pending !== null; budget--) {
    if (budget === 0) throw new Error(`sequence ${ctx.def.id} walked ${STEP_BUDGET} steps in one decision`);
    if (pending.target === END) {
      completeEnrollment(draft, ctx);
      return;
    }
    const step = stepById(ctx.def, pending.target);
    const dueAtUtcMs = dueTime(ctx, step, pending.fromUtcMs);
    if (!opts.execute || dueAtUtcMs > ctx.nowUtcMs) {
      setPhase(draft, "due", step.id, dueAtUtcMs);
      return;
    }
    const result = runStep(draft, ctx, step, "fresh");
    pending = result.kind === "advance" ? { target: result.target, fromUtcMs: ctx.nowUtcMs } : null;
  }
}

/** When a step whose predecessor finished at `fromUtcMs` may run; never before now. */
export function dueTime(ctx: DecisionContext, step: Step, fromUtcMs: number): number {
  const rawUtcMs = Math.max(addDelay(fromUtcMs, step.wait, ctx.schedule), ctx.nowUtcMs);
  return isAutomaticTouch(step) ? nextSendingTime(rawUtcMs, ctx.schedule) : rawUtcMs;
}

function runStep(draft: Draft, ctx: DecisionContext, step: Step, mode: RunMode): StepResult {
  switch (step.kind) {
    case "email":
    case "sms":
    case "voicemail":
      return sendAutomaticTouch(draft, ctx, step, mode);
    case "call":
    case "linkedin":
    case "manual_email":
    case "task":
      return createTaskTouch(draft, ctx, step, bumpVisit(draft, step.id));
    case "update":
      bumpVisit(draft, step.id);
      return runUpdate(draft, ctx, step);
    case "webhook":
      bumpVisit(draft, step.id);
      draft.effects.push({
        kind: "call_webhook",
        step: step.id,
        url: step.webhook.url,
        method: step.webhook.method,
        body: step.webhook.body ?? null,
      });
      return { kind: "advance", target: nextTarget(ctx.def, step) };
    case "branch": {
      bumpVisit(draft, step.id);
      const conditionCtx = { facts: ctx.facts, sinceUtcMs: draft.state.enrolledAtUtcMs };
      const rule = step.branch.rules.find((r) => evaluateCondition(r.if, conditionCtx));
      return { kind: "advance", target: rule ? rule.goto : step.branch.else };
    }
    case "wait_for":
      bumpVisit(draft, step.id);
      return enterWaitFor(draft, ctx, step);
    default: {
      const unknown: never = step;
      throw new Error(`unhandled step ${JSON.stringify(unknown)}`);
    }
  }
}

function runUpdate(draft: Draft, ctx: DecisionContext, step: Step & { kind: "update" }): StepResult {
  const { addTags = [], removeTags = [], set = {}, dealStage } = step.update;
  if (addTags.length > 0 || removeTags.length > 0 || Object.keys(set).length > 0) {
    draft.effects.push({ kind: "update_contact", addTags, removeTags, set });
  }
  if (dealStage !== undefined) draft.effects.push({ kind: "update_deal", stage: dealStage });
  // Later branches in this same walk must see what this step just changed.
  ctx.facts = withUpdate(ctx.facts, step.update);
  const exit = exitForFields(ctx.def, ctx.facts);
  if (exit) {
    exitEnrollment(draft, exit);
    return { kind: "stop" };
  }
  return { kind: "advance", target: nextTarget(ctx.def, step) };
}

const SETTABLE_ATTRIBUTES = new Set([
  "first_name",
  "last_name",
  "title",
  "phone",
  "time_zone",
  "lifecycle_stage",
]);

/** The contact and deal as the engine will store them after an `update` step. */
export function withUpdate(facts: DecideFacts, update: (Step & { kind: "update" })["update"]): DecideFacts {
  const removed = new Set((update.removeTags ?? []).map((t) => t.toLowerCase()));
  const tags = facts.contact.tags.filter((t) => !removed.has(t.toLowerCase()));
  for (const tag of update.addTags ?? []) {
    if (!tags.some((t) => t.toLowerCase() === tag.toLowerCase())) tags.push(tag);
  }
  const contact: ContactFacts = { ...facts.contact, tags, fields: { ...facts.contact.fields } };
  for (const [path, value] of Object.entries(update.set ?? {})) {
    if (path.startsWith("fields.")) contact.fields[path.slice("fields.".length)] = value;
    else if (SETTABLE_ATTRIBUTES.has(path)) {
      (contact as unknown as Record<string, string | null>)[path] = value === null ? null : String(value);
    }
  }
  const deal =
    update.dealStage !== undefined && facts.deal ? { ...facts.deal, stage: update.dealStage } : facts.deal;
  return { ...facts, contact, deal };
}

/**
 * A wait_for whose event already happened goes straight on. "Already" means since the last touch
 * of this enrollment (the thing the contact would be reacting to), or since enrolling.
 */
function enterWaitFor(draft: Draft, ctx: DecisionContext, step: WaitForStep): StepResult {
  const waitFor = step.wait_for;
  const firstEntry = !ctx.waitsEntered.has(step.id);
  ctx.waitsEntered.add(step.id);
  if (firstEntry && waitForSeen(draft, ctx, step)) {
    return { kind: "advance", target: waitFor.onEvent ?? nextTarget(ctx.def, step) };
  }
  setPhase(draft, "waiting_for_event", step.id, addDelay(ctx.nowUtcMs, waitFor.timeoutDelay, ctx.schedule));
  return { kind: "stop" };
}

export function waitForSeen(draft: Draft, ctx: DecisionContext, step: WaitForStep): boolean {
  const lastTouch = draft.state.touches[draft.state.touches.length - 1];
  const sinceUtcMs = Math.max(lastTouch?.atUtcMs ?? 0, draft.state.enrolledAtUtcMs);
  return humanEventsSince(ctx.facts.events, sinceUtcMs).some((e) => matchesEventRule(waitRule(step), e));
}

export function waitRule(step: WaitForStep) {
  const { event, step: about, where } = step.wait_for;
  return { event, ...(about !== undefined ? { step: about } : {}), ...(where ? { where } : {}) };
}
