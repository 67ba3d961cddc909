// The rows behind a sequence's outcome numbers: its enrollments, the human replies of its
// contacts, and deal-stage changes of enrolled contacts and of everyone else in the workspace.

import type { Executor } from "../executor.ts";

export interface OutcomeEnrollmentRow {
  id: string;
  contactId: string;
  status: string;
  exitReason: string | null;
  enrolledAtUtcMs: number;
  endedAtUtcMs: number | null;
}

export interface ReplyRow {
  contactId: string;
  enrollmentId: string | null;
  occurredAtUtcMs: number;
  dataJson: string;
}

export async function enrollmentsForOutcomes(
  db: Executor,
  sequenceId: string,
): Promise<OutcomeEnrollmentRow[]> {
  const rows = await db
    .selectFrom("enrollments")
    .select(["id", "contact_id", "status", "exit_reason", "enrolled_at", "ended_at"])
    .where("sequence_id", "=", sequenceId)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    contactId: r.contact_id,
    status: r.status,
    exitReason: r.exit_reason,
    enrolledAtUtcMs: Number(r.enrolled_at),
    endedAtUtcMs: r.ended_at === null ? null : Number(r.ended_at),
  }));
}

/** Reply events (any class: the caller keeps human ones) of contacts enrolled in the sequence. */
export async function repliesOfSequenceContacts(
  db: Executor,
  sequenceId: string,
  types: readonly string[],
): Promise<ReplyRow[]> {
  const rows = await db
    .selectFrom("events")
    .select(["contact_id", "enrollment_id", "occurred_at", "data_json"])
    .where("type", "in", [...types])
    .where("is_machine", "=", 0)
    .where("contact_id", "in", (eb) =>
      eb.selectFrom("enrollments").select("contact_id").where("sequence_id", "=", sequenceId),
    )
    .orderBy("occurred_at")
    .execute();
  return rows.map((r) => ({
    contactId: r.contact_id ?? "",
    enrollmentId: r.enrollment_id,
    occurredAtUtcMs: Number(r.occurred_at),
    dataJson: r.data_json,
  }));
}

/** Every deal of the workspace that has a contact, with the times its stage changed. */
export async function dealStageChangesOfWorkspace(
  db: Executor,
  workspaceId: string,
): Promise<Array<{ dealId: string; contactId: string; changedAtUtcMs: number | null }>> {
  const rows = await db
    .selectFrom("deals")
    .leftJoin("deal_stage_changes", "deal_stage_changes.deal_id", "deals.id")
    .select([
      "deals.id as deal_id",
      "deals.contact_id",
      "deal_stage_changes.changed_at",
      "deal_stage_changes.from_stage",
      "deal_stage_changes.to_stage",
    ])
    .where("deals.workspace_id", "=", workspaceId)
    .where("deals.contact_id", "is not", null)
    .execute();
  return rows.map((r) => ({
    dealId: r.deal_id,
    contactId: r.contact_id ?? "",
    // The first record of a deal (no previous stage) is its creation, and a move to a lost or
    // disqualified stage is no progress: neither counts as an advance.
    changedAtUtcMs:
      r.changed_at === null || r.from_stage === null || /lost|disqualif/i.test(r.to_stage ?? "")
        ? null
        : Number(r.changed_at),
  }));
}
