// Runs one simulated path on a virtual clock by feeding `startEnrollment`/`decide` what the engine
// would (ticks at each due time, "sent" reports, task outcomes, events). At each point where the
// world could go several ways (a branch, a wait) it takes the choice its script names.

import { DateTime } from "luxon";
import { evaluateCondition } from "../enrollment/conditions.ts";
import { decide } from "../enrollment/decide.ts";
import { stepById } from "../enrollment/decisionContext.ts";
import { isEnded } from "../enrollment/endings.ts";
import { mergeContextOf } from "../enrollment/mergeContext.ts";
import { startEnrollment } from "../enrollment/startEnrollment.ts";
import type {
  DecideFacts,
  DecideInput,
  Decision,
  Effect,
  EnrollmentState,
  EventFact,
} from "../enrollment/types.ts";
import { withUpdate } from "../enrollment/walkSteps.ts";
import type { SequenceDefinition, Step } from "../sequence/definition.ts";
import { renderHeaderValue } from "../template/index.ts";
import { localIso } from "../time/index.ts";
import { describeCondition, describeHold, describeWaitedEvent } from "./describe.ts";
import { forceCondition, sampleData } from "./forceCondition.ts";

export interface SimulatedTouch {
  /** Local ISO time in the contact's zone. */
  at: string;
  atUtcMs: number;
  step: string;
  channel: string;
  subject?: string;
  /** Tasks: what the rep sees (title, then the step's note). */
  note?: string;
  /** Why the touch could not go out. */
  held?: string;
}

export interface SimulatedPath {
  name: string;
  /** `completed`, an exit reason (`replied`…), `held`, or `running` when the path was cut short. */
  outcome: string;
  touches: SimulatedTouch[];
}

export interface SimulationWorld {
  facts: DecideFacts;
  startUtcMs: number;
  /** Where touch times are shown: the contact's zone, else the workspace's. */
  contactZone: string;
}

export interface PathRun {
  path: SimulatedPath;
  /** How many alternatives each choice point met on this run offered, in the order met. */
  choiceCounts: number[];
  /**
   * What tells this path apart from another with the same touches: when the touches stop
   * (an exit injected during a wait), the wait it stopped in.
   */
  signature: string;
}

/** A sequence that loops with waits would run forever; a path stops being interesting long before. */
const MAX_TOUCHES = 40;
const MAX_DECISIONS = 400;
const DAY_MS = 86_400_000;
/** An out-of-office reply says the contact is back a week later. */
const OUT_OF_OFFICE_DAYS = 7;

interface Alternative {
  label: string | null;
  /** An event arriving halfway through the wait; null = nothing happens until the wait ends. */
  event: EventFact | null;
  /** The event ends the enrollment, so it names the path's ending itself. */
  ends: boolean;
  /** Nothing else unusual happens on this path afterwards. */
  settles?: boolean;
  /** The contact as changed by what happened (a CRM field edited during the wait). */
  facts?: DecideFacts;
}

export function runPath(def: SequenceDefinition, world: SimulationWorld, script: readonly number[]): PathRun {
  const choiceCounts: number[] = [];
  const segments: string[] = [];
  const touches: SimulatedTouch[] = [];
  const decidedBranches = new Set<string>();
  let offNaturalLine = false;
  // After an out-of-office the path only shows the pause and resume: it forks no further.
  let followNaturalOnly = false;
  let outOfOfficeOffered = false;
  let sequenceExitsOffered = false;
  let lastEndingSegment = false;
  let facts = world.facts;
  let nowUtcMs = world.startUtcMs;
  let taskDueUtcMs = nowUtcMs;
  // Written from the callbacks below, so kept in one object the compiler does not narrow.
  const memory: {
    lastSent: { step: string; variant: string | null } | null;
    lastEmailSubject: string | null;
    holdReason: string | null;
  } = { lastSent: null, lastEmailSubject: null, holdReason: null };

  const choose = (count: number): number => {
    if (count <= 1 || followNaturalOnly) return 0;
    const pick = script[choiceCounts.length] ?? 0;
    choiceCounts.push(count);
    if (pick !== 0) offNaturalLine = true;
    return pick;
  };

  /** Runs one decision, forking the world at each branch the decision walks through. */
  const decideForked = (before: EnrollmentState | null, run: (f: DecideFacts) => Decision): Decision => {
    for (;;) {
      const decision = run(facts);
      const branch = undecidedBranch(def, before?.visits ?? {}, decision.state.visits, decidedBranches);
      if (!branch) return decision;
      decidedBranches.add(branch.key);
      const since = before?.enrolledAtUtcMs ?? world.startUtcMs;
      const outcomes = branchOutcomes(branch.step, facts, { sinceUtcMs: since, atUtcMs: nowUtcMs });
      const chosen = outcomes[choose(outcomes.length)] ?? outcomes[0];
      if (chosen?.label) segments.push(chosen.label);
      if (chosen) facts = chosen.facts;
    }
  };

  const record = (effects: Effect[]): void => {
    for (const effect of effects) {
      const at = (atUtcMs: number) => ({ at: localIso(atUtcMs, world.contactZone), atUtcMs });
      switch (effect.kind) {
        case "send_email": {
          const subject = emailSubject(def, effect.step, effect.variant, facts, memory.lastEmailSubject);
          memory.lastEmailSubject = subject;
          memory.lastSent = { step: effect.step, variant: effect.variant };
          touches.push({ ...at(nowUtcMs), step: effect.step, channel: "email", subject });
          break;
        }
        case "send_sms":
        case "send_voicemail":
          memory.lastSent = { step: effect.step, variant: null };
          touches.push({ ...at(nowUtcMs), step: effect.step, channel: effect.kind.slice("send_".length) });
          break;
        case "create_task":
          taskDueUtcMs = effect.dueAtUtcMs;
          touches.push({
            ...at(effect.dueAtUtcMs),
            step: effect.step,
            channel: effect.type,
            note: effect.note ? `${effect.title} — ${effect.note}` : effect.title,
          });
          break;
        case "hold":
          memory.holdReason = effect.reason;
          touches.push({
            ...at(nowUtcMs),
            step: effect.step,
            channel: stepById(def, effect.step).kind,
            held: effect.reason,
          });
          break;
        case "update_contact":
          facts = withUpdate(facts, effect);
          break;
        case "update_deal":
          facts = withUpdate(facts, { dealStage: effect.stage });
          break;
        case "call_webhook":
        case "skip_task":
        case "exit":
        case "complete":
          break;
        default: {
          const unknown: never = effect;
          throw new Error(`unhandled effect ${JSON.stringify(unknown)}`);
        }
      }
    }
  };

  const waitAlternatives = (state: EnrollmentState): Alternative[] => {
    const wakeUtcMs = state.nextRunAtUtcMs ?? nowUtcMs;
    const midUtcMs = nowUtcMs + Math.floor(Math.max(0, wakeUtcMs - nowUtcMs) / 2);
    const stepId = state.stepId ?? "";
    const step = stepById(def, stepId);
    const alternatives: Alternative[] = [{ label: null, event: null, ends: false }];
    const event = (
      type: string,
      data: Record<string, unknown>,
      extra: Partial<EventFact> = {},
    ): EventFact => ({
      type,
      occurredAtUtcMs: midUtcMs,
      data,
      ...extra,
    });
    if (step.kind === "wait_for") {
      const data = sampleData(step.wait_for.where);
      if (data !== null) {
        const about = step.wait_for.step;
        alternatives.push({
          label: `${describeWaitedEvent(step)}${arrow(step.wait_for.onEvent)}`,
          event: event(
            step.wait_for.event,
            about ? { ...data, step: about } : data,
            about ? { step: about } : {},
          ),
          ends: false,
        });
      }
    }
    if (offNaturalLine) return alternatives;
    const where = state.phase === "due" ? `during wait before ${stepId}` : `while waiting at ${stepId}`;
    const about = memory.lastSent ? { step: memory.lastSent.step } : {};
    alternatives.push({
      label: `reply ${where}`,
      event: event("email.replied", { class: "human_reply", ...about }),
      ends: true,
    });
    alternatives.push({ label: `meeting booked ${where}`, event: event("meeting.booked", {}), ends: true });
    if (memory.lastSent) {
      alternatives.push({
        label: `unsubscribe ${where}`,
        event: event("contact.unsubscribed", about),
        ends: true,
      });
      alternatives.push({
        label: `hard bounce ${where}`,
        event: event("email.bounced", { hard: true, ...about }),
        ends: true,
      });
    }
    if (!sequenceExitsOffered) {
      sequenceExitsOffered = true;
      for (const rule of def.exit.events) {
        const data = sampleData(rule.where);
        if (data !== null) {
          alternatives.push({
            label: `${rule.event}${describeData(data)} ${where}`,
            event: event(rule.event, data),
            ends: true,
          });
        }
      }
      for (const stage of def.exit.dealStages) {
        alternatives.push({
          label: `deal moved to ${stage} ${where}`,
          event: event("deal.stage_changed", { to: stage }),
          ends: true,
        });
      }
      if (def.exit.account) {
        alternatives.push({
          label: `colleague replied ${where}`,
          event: event("account.replied", {}),
          ends: true,
        });
      }
      for (const rule of def.exit.fields) {
        const condition = { kind: "field", ...rule } as const;
        const changed = forceCondition(condition, true, facts, {
          sinceUtcMs: state.enrolledAtUtcMs,
          atUtcMs: midUtcMs,
        });
        if (changed) {
          alternatives.push({
            label: `${describeCondition(condition)} ${where}`,
            event: event("contact.updated", {}),
            ends: true,
            facts: changed,
          });
        }
      }
    }
    if (memory.lastSent && !outOfOfficeOffered) {
      outOfOfficeOffered = true;
      const backOn = DateTime.fromMillis(midUtcMs + OUT_OF_OFFICE_DAYS * DAY_MS, {
        zone: world.contactZone,
      }).toISODate();
      alternatives.push({
        label: `out of office ${state.phase === "due" ? "before" : "during"} ${stepId}, resumed`,
        event: event("reply.auto_reply", { return_date: backOn, ...about }),
        ends: false,
        settles: true,
      });
    }
    return alternatives;
  };

  const input = (state: EnrollmentState, next: DecideInput) =>
    decideForked(state, (f) => decide(state, def, next, nowUtcMs, f));

  let decision = decideForked(null, (f) => startEnrollment(def, nowUtcMs, f));
  let outcome = "running";
  for (let decisions = 0; ; decisions++) {
    record(decision.effects);
    const state = decision.state;
    if (isEnded(state)) {
      outcome = state.exitReason ?? "completed";
      break;
    }
    if (state.phase === "held" && state.status === "active") {
      outcome = "held";
      break;
    }
    if (decisions >= MAX_DECISIONS || touches.length >= MAX_TOUCHES) break;
    if (state.status === "paused") {
      if (state.nextRunAtUtcMs === null) break;
      nowUtcMs = Math.max(nowUtcMs, state.nextRunAtUtcMs);
      decision = input(state, { kind: "tick" });
    } else if (state.phase === "sending" && state.stepId !== null) {
      const sent = memory.lastSent;
      decision = input(state, {
        kind: "touch_sent",
        step: state.stepId,
        atUtcMs: nowUtcMs,
        ...(sent?.variant ? { variant: sent.variant } : {}),
      });
    } else if (state.phase === "waiting_for_task" && state.stepId !== null) {
      nowUtcMs = Math.max(nowUtcMs, taskDueUtcMs);
      decision = input(state, { kind: "task_completed", step: state.stepId, outcome: "no_answer" });
    } else if (state.nextRunAtUtcMs !== null) {
      const alternatives = waitAlternatives(state);
      const chosen = alternatives[choose(alternatives.length)] ?? alternatives[0];
      if (!chosen?.event) {
        nowUtcMs = Math.max(nowUtcMs, state.nextRunAtUtcMs);
        decision = input(state, { kind: "tick" });
      } else {
        const arriving = chosen.event;
        if (chosen.label) segments.push(chosen.label);
        lastEndingSegment = chosen.ends;
        followNaturalOnly = chosen.settles === true;
        nowUtcMs = arriving.occurredAtUtcMs;
        facts = { ...(chosen.facts ?? facts), events: [...facts.events, arriving] };
        decision = input(state, { kind: "event", event: arriving });
      }
    } else {
      break;
    }
  }

  const ending =
    outcome === "completed"
      ? "completed"
      : outcome === "held"
        ? `held: ${describeHold(memory.holdReason ?? "")}`
        : outcome === "running"
          ? `still running after ${touches.length} touches`
          : lastEndingSegment
            ? null
            : `exited: ${outcome}`;
  const name =
    segments.length === 0 && outcome === "completed"
      ? "no response → completed"
      : [...segments, ...(ending ? [ending] : [])].join(" → ");
  const signature = JSON.stringify([
    outcome,
    touches,
    lastEndingSegment ? segments[segments.length - 1] : null,
  ]);
  return { path: { name, outcome, touches }, choiceCounts, signature };
}

/** ` to=trial` for the data an exit event was given to match its rule; empty when none. */
function describeData(data: Record<string, unknown>): string {
  const pairs = Object.entries(data).map(([key, value]) =>
    typeof value === "object" && value !== null
      ? `${key}=${JSON.stringify(value)}`
      : `${key}=${String(value)}`,
  );
  return pairs.length === 0 ? "" : ` ${pairs.join(" ")}`;
}

function arrow(target: string | undefined): string {
  return target === undefined || target === "end" ? "" : ` → ${target}`;
}

/** The first branch step (in definition order) this decision visited that no choice covers yet. */
function undecidedBranch(
  def: SequenceDefinition,
  before: Record<string, number>,
  after: Record<string, number>,
  decided: ReadonlySet<string>,
): { step: Step & { kind: "branch" }; key: string } | null {
  for (const step of def.steps) {
    if (step.kind !== "branch") continue;
    for (let visit = (before[step.id] ?? 0) + 1; visit <= (after[step.id] ?? 0); visit++) {
      const key = `${step.id}#${visit}`;
      if (!decided.has(key)) return { step, key };
    }
  }
  return null;
}

interface BranchOutcome {
  facts: DecideFacts;
  /** Null for the outcome the contact takes as they are: that one needs no words. */
  label: string | null;
}

/** Every reachable outcome of a branch: the natural one first, then each rule, then `else`. */
function branchOutcomes(
  step: Step & { kind: "branch" },
  facts: DecideFacts,
  ctx: { sinceUtcMs: number; atUtcMs: number },
): BranchOutcome[] {
  const rules = step.branch.rules;
  const taken = (f: DecideFacts) => {
    const index = rules.findIndex((r) => evaluateCondition(r.if, { facts: f, sinceUtcMs: ctx.sinceUtcMs }));
    return index === -1 ? rules.length : index;
  };
  const natural = taken(facts);
  const outcomes: BranchOutcome[] = [{ facts, label: null }];
  for (let k = 0; k <= rules.length; k++) {
    if (k === natural) continue;
    let forced: DecideFacts | null = facts;
    for (const earlier of rules.slice(0, k)) {
      forced = forced && forceCondition(earlier.if, false, forced, ctx);
    }
    const rule = rules[k];
    if (rule) forced = forced && forceCondition(rule.if, true, forced, ctx);
    if (forced === null || taken(forced) !== k) continue;
    const label = rule
      ? `${describeCondition(rule.if)}${arrow(rule.goto)}`
      : `${rules.map((r) => describeCondition(r.if, false)).join(", ")}${arrow(step.branch.else)}`;
    outcomes.push({ facts: forced, label });
  }
  return outcomes;
}

/** What the contact sees: a threaded follow-up carries its parent's subject with one "Re: ". */
function emailSubject(
  def: SequenceDefinition,
  stepId: string,
  variantId: string | null,
  facts: DecideFacts,
  previousSubject: string | null,
): string {
  const step = stepById(def, stepId);
  if (step.kind !== "email") return "";
  if (step.email.thread && previousSubject !== null) {
    return `Re: ${previousSubject.replace(/^(\s*(re|aw|sv|antw|réf|rif)\s*:\s*)+/i, "")}`;
  }
  const variant = variantId ? step.email.variants?.find((v) => v.id === variantId) : undefined;
  const source = variant?.subject ?? step.email.subject;
  if (source === undefined) return "(no subject)";
  const rendered = renderHeaderValue(source, mergeContextOf(facts));
  return rendered.ok ? rendered.text : source;
}
