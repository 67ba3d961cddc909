// The two ways an enrollment ends: an exit (someone answered, opted out, or was stopped) and
// completion (the last step ran). Both clear every pending run so nothing can follow them.

import { addDelay } from "../time/index.ts";
import type { DecisionContext, Draft } from "./decisionContext.ts";
import type { ExitVerdict } from "./exits.ts";
import { renderForRep } from "./taskText.ts";
import type { Effect, EnrollmentState } from "./types.ts";

function ended(state: EnrollmentState): EnrollmentState {
  return { ...state, stepId: null, nextRunAtUtcMs: null, pausedUntilUtcMs: null, holdReason: null };
}

export function isEnded(state: EnrollmentState): boolean {
  return state.status === "completed" || state.status === "exited";
}

export function exitEnrollment(draft: Draft, verdict: ExitVerdict): void {
  draft.state = {
    ...ended(draft.state),
    status: "exited",
    exitReason: verdict.reason,
    exitDetail: verdict.detail,
  };
  draft.effects.push({ kind: "exit", reason: verdict.reason, detail: verdict.detail });
}

export function completeEnrollment(draft: Draft, ctx: DecisionContext): void {
  draft.state = { ...ended(draft.state), status: "completed", exitReason: "completed", exitDetail: null };
  draft.effects.push(completionEffect(ctx));
}

function completionEffect(ctx: DecisionContext): Effect & { kind: "complete" } {
  const onComplete = ctx.def.onComplete;
  const task = onComplete?.task;
  const enroll = onComplete?.enroll;
  return {
    kind: "complete",
    addTags: onComplete?.addTags ?? [],
    stage: onComplete?.stage ?? null,
    task: task
      ? {
          type: task.type,
          title: renderForRep(task.title, ctx) ?? `Follow up: ${ctx.def.name} finished`,
          note: renderForRep(task.note, ctx),
        }
      : null,
    enroll: enroll
      ? { sequence: enroll.sequence, atUtcMs: addDelay(ctx.nowUtcMs, enroll.after, ctx.schedule) }
      : null,
  };
}
