// The first decision of a new enrollment: its initial state, and the first step run right away
// when it is due now (speed to lead: an inbound demo request gets its email in the same second).

import type { SequenceDefinition } from "../sequence/definition.ts";
import { type Draft, firstTarget, makeContext } from "./decisionContext.ts";
import { exitEnrollment } from "./endings.ts";
import { exitForFields } from "./exits.ts";
import type { DecideFacts, Decision } from "./types.ts";
import { advanceTo } from "./walkSteps.ts";

export function startEnrollment(def: SequenceDefinition, nowUtcMs: number, facts: DecideFacts): Decision {
  const draft: Draft = {
    state: {
      status: "active",
      phase: "due",
      stepId: def.steps[0]?.id ?? null,
      nextRunAtUtcMs: nowUtcMs,
      pausedUntilUtcMs: null,
      enrolledAtUtcMs: nowUtcMs,
      exitReason: null,
      exitDetail: null,
      holdReason: null,
      touches: [],
      visits: {},
    },
    effects: [],
  };
  // A contact who already meets an exit rule (a customer, say) never receives the first touch.
  const exit = exitForFields(def, facts);
  if (exit) exitEnrollment(draft, exit);
  else advanceTo(draft, makeContext(def, facts, nowUtcMs), firstTarget(def), nowUtcMs, { execute: true });
  return draft;
}
