// Checks on the step graph of a read definition: every step reachable, no loop that would run
// without waiting, a way to finish, and threaded emails that have something to reply to.

import type { SequenceDefinition, Step } from "./definition.ts";
import type { PathSegment } from "./definitionError.ts";
import { END_TARGET } from "./vocabulary.ts";

export interface GraphFinding {
  severity: "error" | "warning";
  code: string;
  path: PathSegment[];
  /** Point at the key (e.g. `thread`) rather than its value. */
  at?: "key";
  message: string;
  hint?: string;
}

interface Edge {
  to: string;
  /** How the step gets there, for messages: "next", "goto", "on_timeout"… */
  via: string;
}

/** Where each step can lead: its rules, its outcomes, or its `next` / the following step. */
export function edgesOf(def: SequenceDefinition, index: number): Edge[] {
  const step = def.steps[index]!;
  const following: Edge =
    step.next !== undefined
      ? { to: step.next, via: "next" }
      : { to: def.steps[index + 1]?.id ?? END_TARGET, via: "the following step" };
  switch (step.kind) {
    case "branch":
      return [
        ...step.branch.rules.map((r) => ({ to: r.goto, via: "goto" })),
        { to: step.branch.else, via: "else" },
      ];
    case "wait_for":
      return [
        step.wait_for.onEvent !== undefined ? { to: step.wait_for.onEvent, via: "on_event" } : following,
        step.wait_for.onTimeout !== undefined
          ? { to: step.wait_for.onTimeout, via: "on_timeout" }
          : following,
      ];
    default:
      return [following];
  }
}

export function graphChecks(def: SequenceDefinition): GraphFinding[] {
  const indexById = new Map(def.steps.map((s, i) => [s.id, i]));
  const successors = def.steps.map((_, i) =>
    edgesOf(def, i)
      .map((e) => indexById.get(e.to))
      .filter((to): to is number => to !== undefined),
  );
  const findings: GraphFinding[] = [];
  const reachable = reachFrom([0], successors, () => true);

  def.steps.forEach((step, i) => {
    if (reachable.has(i)) return;
    findings.push({
      severity: "error",
      code: "unreachable_step",
      path: ["steps", i, "id"],
      message: `step "${step.id}" is unreachable: no step leads to it`,
      hint: unreachableHint(def, i),
    });
  });

  findings.push(...spinningLoops(def, successors, reachable));

  const canFinish = def.steps.some(
    (_, i) => reachable.has(i) && edgesOf(def, i).some((e) => e.to === END_TARGET),
  );
  if (!canFinish && def.steps.length > 0) {
    findings.push({
      severity: "warning",
      code: "never_completes",
      path: ["steps"],
      at: "key",
      message: "no path reaches the end, so contacts stay enrolled until something makes them exit",
      hint: "make sure some step leads to `end` (the last step does unless it has `next`)",
    });
  }

  findings.push(...threadChecks(def, successors, reachable));
  return findings;
}

function unreachableHint(def: SequenceDefinition, index: number): string {
  const previous = def.steps[index - 1];
  if (previous?.kind === "branch")
    return `add a rule with \`goto: ${def.steps[index]!.id}\` to branch "${previous.id}", or remove the step`;
  if (previous?.next !== undefined) {
    return `step "${previous.id}" jumps with \`next: ${previous.next}\`; point a \`goto\`/\`next\` here, or remove the step`;
  }
  return "point a `goto`, `next`, `on_event` or `on_timeout` at it, or remove it";
}

function reachFrom(
  starts: readonly number[],
  successors: readonly number[][],
  expand: (i: number) => boolean,
): Set<number> {
  const seen = new Set<number>();
  const queue = [...starts];
  while (queue.length > 0) {
    const i = queue.shift()!;
    if (seen.has(i)) continue;
    seen.add(i);
    if (!expand(i)) continue;
    for (const next of successors[i] ?? []) if (!seen.has(next)) queue.push(next);
  }
  return seen;
}

/** A step that holds the walk: it has a wait, or it waits for an event (with a timeout). */
function holds(step: Step): boolean {
  return step.wait.kind !== "none" || step.kind === "wait_for";
}

/**
 * Loops made only of steps that never wait would run around in one instant: the engine would
 * either spin or fire the same touches again and again. Found as strongly connected components
 * (Tarjan) of the graph restricted to steps that do not hold.
 */
function spinningLoops(
  def: SequenceDefinition,
  successors: readonly number[][],
  reachable: Set<number>,
): GraphFinding[] {
  const instant = (i: number) => reachable.has(i) && !holds(def.steps[i]!);
  const indexOf = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;

  const visit = (v: number) => {
    indexOf.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of successors[v] ?? []) {
      if (!instant(w)) continue;
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: number[] = [];
      for (;;) {
        const w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
        if (w === v) break;
      }
      components.push(component);
    }
  };
  def.steps.forEach((_, i) => {
    if (instant(i) && !indexOf.has(i)) visit(i);
  });

  return components
    .filter((c) => c.length > 1 || (successors[c[0]!] ?? []).includes(c[0]!))
    .map((component) => {
      const ordered = [...component].sort((a, b) => a - b);
      const ids = ordered.map((i) => def.steps[i]!.id);
      const first = ordered[0]!;
      return {
        severity: "error" as const,
        code: "loop_without_wait",
        path: ["steps", first, "id"],
        message:
          ids.length === 1
            ? `step "${ids[0]}" forms a cycle without a wait: it leads back to itself and would repeat forever in an instant`
            : `steps ${ids.map((id) => `"${id}"`).join(", ")} form a cycle without a wait: they would repeat forever in an instant`,
        hint: `give one of them a wait, e.g. "wait: 3d" on step "${ids[0]}", or add a wait_for`,
      };
    });
}

/**
 * `thread: true` replies in the thread of the enrollment's previous email. With no email before
 * it on any path there is nothing to reply to; with none on some paths it starts a new thread
 * there, and then it needs its own subject.
 */
function threadChecks(
  def: SequenceDefinition,
  successors: readonly number[][],
  reachable: Set<number>,
): GraphFinding[] {
  const isEmail = (i: number) => def.steps[i]!.kind === "email";
  // Steps reachable on a path that has not sent an email yet (an email is reached, not passed).
  const beforeAnyEmail = reachFrom([0], successors, (i) => !isEmail(i));
  const emails = def.steps.map((_, i) => i).filter((i) => isEmail(i) && reachable.has(i));
  const afterSomeEmail = reachFrom(
    emails.flatMap((i) => successors[i] ?? []),
    successors,
    () => true,
  );
  const findings: GraphFinding[] = [];
  def.steps.forEach((step, i) => {
    if (step.kind !== "email" || !step.email.thread || !reachable.has(i)) return;
    if (!afterSomeEmail.has(i)) {
      findings.push({
        severity: "error",
        code: "thread_without_email",
        path: ["steps", i, "email", "thread"],
        at: "key",
        message: `step "${step.id}" replies in the thread of the previous email, but no email is sent before it`,
        hint: def.steps.some((s) => s.kind === "manual_email")
          ? "remove `thread: true` (and give it a subject); a manual_email does not count, since the rep sends it from their own mailbox"
          : "remove `thread: true` (and give it a subject): it starts the conversation",
      });
    } else if (beforeAnyEmail.has(i) && step.email.subject === undefined) {
      findings.push({
        severity: "error",
        code: "thread_without_subject",
        path: ["steps", i, "email"],
        at: "key",
        message: `on some paths no email is sent before step "${step.id}", and then it starts a new thread with no subject`,
        hint: "add a subject: it is used only when there is no earlier email to reply to",
      });
    }
  });
  return findings;
}
