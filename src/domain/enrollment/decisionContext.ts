// What one decision works with: the definition's step graph, the contact's resolved sending
// schedule, the facts (updated as `update` steps run), and the draft state and effects it builds.

import type { ResolvedSchedule, SequenceDefinition, Step } from "../sequence/definition.ts";
import { resolveSchedule } from "../time/index.ts";
import type { DecideFacts, Effect, EnrollmentState } from "./types.ts";

/** The step target that completes a sequence. */
export const END = "end";

export interface DecisionContext {
  readonly def: SequenceDefinition;
  readonly nowUtcMs: number;
  readonly schedule: ResolvedSchedule;
  /** The contact's own zone (for dates they write, like an out-of-office return date). */
  readonly contactZone: string;
  /** Replaced, never mutated, when an `update` step changes the contact or deal. */
  facts: DecideFacts;
  /** wait_for steps already entered in this decision: a second entry must not reuse old events. */
  readonly waitsEntered: Set<string>;
}

/** What a step asks for once it has run: stop here, or go on to a target whose wait counts from now. */
export type StepResult = { kind: "stop" } | { kind: "advance"; target: string };

/** `fresh` = entering the step (a new visit); `retry` = running a held step again (same visit). */
export type RunMode = "fresh" | "retry";

/** The decision under construction; only ever mutated inside one `decide` call. */
export interface Draft {
  state: EnrollmentState;
  effects: Effect[];
}

export function makeContext(def: SequenceDefinition, facts: DecideFacts, nowUtcMs: number): DecisionContext {
  return {
    def,
    nowUtcMs,
    schedule: resolveSchedule(def.schedule, facts.contact.time_zone, facts.workspaceZone),
    contactZone: facts.contact.time_zone ?? facts.workspaceZone,
    facts,
    waitsEntered: new Set(),
  };
}

export function draftOf(state: EnrollmentState): Draft {
  return { state: { ...state, touches: [...state.touches], visits: { ...state.visits } }, effects: [] };
}

const stepIndexes = new WeakMap<SequenceDefinition, Map<string, number>>();

function indexOf(def: SequenceDefinition, stepId: string): number {
  let index = stepIndexes.get(def);
  if (!index) {
    index = new Map(def.steps.map((s, i) => [s.id, i]));
    stepIndexes.set(def, index);
  }
  const at = index.get(stepId);
  // parseSequence rejects dangling targets, so a miss here is a bug, not a user error.
  if (at === undefined) throw new Error(`sequence ${def.id} has no step ${stepId}`);
  return at;
}

export function stepById(def: SequenceDefinition, stepId: string): Step {
  return def.steps[indexOf(def, stepId)] as Step;
}

/** Where a step leads when it finishes: its `next`, else the following step, else the end. */
export function nextTarget(def: SequenceDefinition, step: Step): string {
  if (step.next !== undefined) return step.next;
  return def.steps[indexOf(def, step.id) + 1]?.id ?? END;
}

export function firstTarget(def: SequenceDefinition): string {
  return def.steps[0]?.id ?? END;
}

export type WaitForStep = Step & { kind: "wait_for" };

/** The step a `waiting_for_event` phase points at; anything else means the state was corrupted. */
export function asWaitFor(step: Step): WaitForStep {
  if (step.kind !== "wait_for")
    throw new Error(`step ${step.id} is waiting for an event but is a ${step.kind}`);
  return step;
}

export type AutomaticTouchStep = Step & { kind: "email" | "sms" | "voicemail" };

/** Messages the engine sends by itself: these must go out inside the sending window. */
export function isAutomaticTouch(step: Step): step is AutomaticTouchStep {
  return step.kind === "email" || step.kind === "sms" || step.kind === "voicemail";
}

export function setPhase(
  draft: Draft,
  phase: Draft["state"]["phase"],
  stepId: string,
  nextRunAtUtcMs: number | null,
): void {
  draft.state = { ...draft.state, phase, stepId, nextRunAtUtcMs, holdReason: null };
}

export function bumpVisit(draft: Draft, stepId: string): number {
  const visit = (draft.state.visits[stepId] ?? 0) + 1;
  draft.state.visits[stepId] = visit;
  return visit;
}
