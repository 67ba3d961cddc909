// Enrolling a contact into a sequence: the rules that decide whether they may start (one
// running enrollment per sequence, re-enrollment window, suppression, the workspace's policy
// for contacts already running elsewhere), then the first decision, all in one transaction.

import { startEnrollment } from "../domain/enrollment/startEnrollment.ts";
import type { EnrollmentState } from "../domain/enrollment/types.ts";
import type { Executor } from "../store/executor.ts";
import { getContact } from "../store/repos/contacts.ts";
import {
  insertEnrollment,
  latestEnrollmentInSequence,
  runningEnrollmentsOfContact,
} from "../store/repos/enrollments.ts";
import { recordEvent } from "../store/repos/events.ts";
import { getSequenceVersion } from "../store/repos/sequences.ts";
import { emailSuppression } from "../store/repos/suppressions.ts";
import { workspaceSettings } from "../store/repos/workspaces.ts";
import type { EnrollmentRow, SequenceRow, Workspace } from "../store/schema.ts";
import { applyDecision } from "./applyDecision.ts";
import { loadDefinition } from "./definitionCache.ts";
import { loadFacts } from "./loadFacts.ts";

export type SkipReason =
  | "already_enrolled"
  | "reenroll_not_allowed"
  | "suppressed"
  | "running_elsewhere"
  | "sequence_not_active"
  | "contact_not_found";

export type EnrollResult =
  | { status: "enrolled"; enrollment: EnrollmentRow; state: EnrollmentState; queuedMessages: number }
  | { status: "queued"; enrollment: EnrollmentRow }
  | { status: "skipped"; reason: SkipReason; detail: string; enrollmentId?: string };

/** Marks an enrollment waiting for the contact's other sequences to end (policy `queue`). */
export const QUEUED_HOLD = "queued_behind_other_sequence";

const DAY_MS = 86_400_000;

export async function enrollContact(
  trx: Executor,
  workspace: Workspace,
  sequence: SequenceRow,
  contactId: string,
  nowUtcMs: number,
  opts: { enrolledBy?: string; allowInactive?: boolean } = {},
): Promise<EnrollResult> {
  if (sequence.status !== "active" && !opts.allowInactive) {
    return {
      status: "skipped",
      reason: "sequence_not_active",
      detail: `sequence ${sequence.key} is ${sequence.status}; activate it first`,
    };
  }
  const contact = await getContact(trx, workspace.id, contactId);
  if (!contact) return { status: "skipped", reason: "contact_not_found", detail: `no contact ${contactId}` };
  if (contact.email) {
    const suppression = await emailSuppression(trx, workspace.id, contact.email);
    if (suppression) {
      return {
        status: "skipped",
        reason: "suppressed",
        detail: `${contact.email} is suppressed (${suppression.reason})`,
      };
    }
  }
  const version = await getSequenceVersion(trx, sequence.id, sequence.current_version);
  if (!version) throw new Error(`sequence ${sequence.id} has no version ${sequence.current_version}`);
  const definition = await loadDefinition(trx, version.id);

  const previous = await latestEnrollmentInSequence(trx, contact.id, sequence.id);
  if (previous && (previous.status === "active" || previous.status === "paused")) {
    return {
      status: "skipped",
      reason: "already_enrolled",
      detail: `already running in ${sequence.key}`,
      enrollmentId: previous.id,
    };
  }
  if (previous) {
    const afterDays = definition.reenroll.afterDays;
    const endedAt = previous.ended_at ?? previous.updated_at;
    if (afterDays === null || nowUtcMs < endedAt + afterDays * DAY_MS) {
      return {
        status: "skipped",
        reason: "reenroll_not_allowed",
        detail:
          afterDays === null
            ? `was enrolled in ${sequence.key} before and the sequence does not re-enroll`
            : `may re-enroll in ${sequence.key} ${afterDays} days after the last enrollment ended`,
        enrollmentId: previous.id,
      };
    }
  }

  const policy = workspaceSettings(workspace).concurrentEnrollment ?? "allow";
  const running = policy === "allow" ? [] : await runningEnrollmentsOfContact(trx, contact.id);
  if (running.length > 0 && policy === "skip") {
    return {
      status: "skipped",
      reason: "running_elsewhere",
      detail: "the contact is running in another sequence (workspace policy: skip)",
      enrollmentId: running[0]?.id,
    };
  }
  if (running.length > 0 && policy === "queue") {
    const queuedState: EnrollmentState = {
      status: "paused",
      phase: "due",
      stepId: null,
      nextRunAtUtcMs: null,
      pausedUntilUtcMs: null,
      enrolledAtUtcMs: nowUtcMs,
      exitReason: null,
      exitDetail: null,
      holdReason: QUEUED_HOLD,
      touches: [],
      visits: {},
    };
    const enrollment = await insertEnrollment(
      trx,
      {
        workspaceId: workspace.id,
        contactId: contact.id,
        sequenceId: sequence.id,
        sequenceVersionId: version.id,
        state: queuedState,
        enrolledBy: opts.enrolledBy ?? null,
      },
      nowUtcMs,
    );
    return { status: "queued", enrollment };
  }

  const { facts } = await loadFacts(trx, workspace, contact.id, { sinceUtcMs: nowUtcMs });
  const decision = startEnrollment(definition, nowUtcMs, facts);
  const enrollment = await insertEnrollment(
    trx,
    {
      workspaceId: workspace.id,
      contactId: contact.id,
      sequenceId: sequence.id,
      sequenceVersionId: version.id,
      state: decision.state,
      enrolledBy: opts.enrolledBy ?? null,
    },
    nowUtcMs,
  );
  await recordEvent(
    trx,
    {
      workspaceId: workspace.id,
      type: "enrollment.started",
      contactId: contact.id,
      enrollmentId: enrollment.id,
      data: { sequence: sequence.key, version: version.version, by: opts.enrolledBy ?? null },
      occurredAtUtcMs: nowUtcMs,
      source: "engine",
    },
    nowUtcMs,
  );
  const applied = await applyDecision(
    { trx, workspace, enrollment, definition, contact, nowUtcMs },
    decision,
  );
  return { status: "enrolled", enrollment, state: applied.state, queuedMessages: applied.queuedMessages };
}

/**
 * Policy `queue`: when a contact's last running enrollment ends, the oldest enrollment that was
 * queued behind it starts now, as if it had just been enrolled.
 */
export async function startQueuedEnrollment(
  trx: Executor,
  workspace: Workspace,
  contactId: string,
  nowUtcMs: number,
): Promise<EnrollmentRow | null> {
  const running = await runningEnrollmentsOfContact(trx, contactId);
  const queued = running.filter((e) => e.status === "paused" && e.hold_reason === QUEUED_HOLD);
  if (queued.length === 0 || running.length > queued.length) return null;
  const next = queued[0];
  if (!next) return null;
  const definition = await loadDefinition(trx, next.sequence_version_id);
  const { facts, contact } = await loadFacts(trx, workspace, contactId, {
    sinceUtcMs: nowUtcMs,
    enrollmentId: next.id,
  });
  const decision = startEnrollment(definition, nowUtcMs, facts);
  await applyDecision({ trx, workspace, enrollment: next, definition, contact, nowUtcMs }, decision);
  return next;
}
