// The shell around `decide` for one enrollment: load its definition and facts, decide, write
// the result. Callers own the transaction, so an event and the exit it causes commit together.

import { decide } from "../domain/enrollment/decide.ts";
import type { DecideInput } from "../domain/enrollment/types.ts";
import type { Executor } from "../store/executor.ts";
import { readEnrollmentState } from "../store/repos/enrollments.ts";
import type { EnrollmentRow, Workspace } from "../store/schema.ts";
import { type AppliedDecision, applyDecision } from "./applyDecision.ts";
import { loadDefinition } from "./definitionCache.ts";
import { type LoadedFacts, loadFacts } from "./loadFacts.ts";

export async function runEnrollment(
  trx: Executor,
  workspace: Workspace,
  enrollment: EnrollmentRow,
  input: DecideInput,
  nowUtcMs: number,
  /** Facts this transaction has already read for this enrollment (and kept up to date). */
  loaded?: LoadedFacts,
): Promise<AppliedDecision> {
  const definition = await loadDefinition(trx, enrollment.sequence_version_id);
  const state = readEnrollmentState(enrollment);
  const { facts, contact, ownerMailbox } =
    loaded ??
    (await loadFacts(trx, workspace, enrollment.contact_id, {
      sinceUtcMs: state.enrolledAtUtcMs,
      enrollmentId: enrollment.id,
    }));
  const decision = decide(state, definition, input, nowUtcMs, facts);
  return applyDecision({ trx, workspace, enrollment, definition, contact, ownerMailbox, nowUtcMs }, decision);
}
