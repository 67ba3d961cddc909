// The raw counts behind a sequence's stats: messages by step, variant and status; the opens,
// clicks, replies, bounces and unsubscribes tied to its messages or enrollments; tasks by step;
// exits by reason. Grouped in SQL so the cost follows the sequence's activity, read once.

import { sql } from "kysely";
import type { Executor } from "../executor.ts";

export interface MessageCountRow {
  stepId: string | null;
  variant: string | null;
  status: string;
  count: number;
}

export interface TouchEventRow {
  type: string;
  machine: boolean;
  messageId: string | null;
  enrollmentId: string | null;
  /** The message's step and variant; null for events tied only to an enrollment. */
  stepId: string | null;
  variant: string | null;
  occurredAtUtcMs: number;
  dataJson: string;
}

export interface SentTouchRow {
  id: string;
  enrollmentId: string;
  stepId: string | null;
  variant: string | null;
  sentAtUtcMs: number;
}

export async function messageCountsOfSequence(db: Executor, sequenceId: string): Promise<MessageCountRow[]> {
  const rows = await db
    .selectFrom("messages as m")
    .innerJoin("enrollments as e", "e.id", "m.enrollment_id")
    .select(["m.step_id", "m.variant", "m.status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("e.sequence_id", "=", sequenceId)
    .groupBy(["m.step_id", "m.variant", "m.status"])
    .execute();
  return rows.map((r) => ({ stepId: r.step_id, variant: r.variant, status: r.status, count: Number(r.n) }));
}

/** Events of the given types about the sequence's messages (with the message's step) or enrollments. */
export async function touchEventsOfSequence(
  db: Executor,
  sequenceId: string,
  types: string[],
): Promise<TouchEventRow[]> {
  if (types.length === 0) return [];
  const [viaMessage, viaEnrollment, viaContact] = await Promise.all([
    db
      .selectFrom("events as ev")
      .innerJoin("messages as m", "m.id", "ev.message_id")
      .innerJoin("enrollments as e", "e.id", "m.enrollment_id")
      .select([
        "ev.type",
        "ev.is_machine",
        "ev.message_id",
        "m.enrollment_id",
        "m.step_id",
        "m.variant",
        "ev.occurred_at",
        "ev.data_json",
      ])
      .where("e.sequence_id", "=", sequenceId)
      .where("ev.type", "in", types)
      .execute(),
    db
      .selectFrom("events as ev")
      .innerJoin("enrollments as e", "e.id", "ev.enrollment_id")
      .select(["ev.type", "ev.is_machine", "ev.enrollment_id", "ev.occurred_at", "ev.data_json"])
      .where("e.sequence_id", "=", sequenceId)
      .where("ev.message_id", "is", null)
      .where("ev.type", "in", types)
      .execute(),
    // A reply matched by its sender only (no Message-ID of ours quoted) is the contact's event:
    // it belongs to the enrollment in this sequence that was running when it came in.
    db
      .selectFrom("events as ev")
      .innerJoin("enrollments as e", (join) =>
        join
          .onRef("e.contact_id", "=", "ev.contact_id")
          .onRef("e.workspace_id", "=", "ev.workspace_id")
          .onRef("e.enrolled_at", "<=", "ev.occurred_at"),
      )
      .select(["ev.type", "ev.is_machine", "e.id as enrollment_id", "ev.occurred_at", "ev.data_json"])
      .where("e.sequence_id", "=", sequenceId)
      .where("ev.message_id", "is", null)
      .where("ev.enrollment_id", "is", null)
      .where("ev.type", "in", types)
      .where((eb) => eb.or([eb("e.ended_at", "is", null), eb("e.ended_at", ">=", eb.ref("ev.occurred_at"))]))
      .execute(),
  ]);
  return [
    ...viaMessage.map((r) => ({
      type: r.type,
      machine: Number(r.is_machine) === 1,
      messageId: r.message_id,
      enrollmentId: r.enrollment_id,
      stepId: r.step_id,
      variant: r.variant,
      occurredAtUtcMs: Number(r.occurred_at),
      dataJson: r.data_json,
    })),
    ...[...viaEnrollment, ...viaContact].map((r) => ({
      type: r.type,
      machine: Number(r.is_machine) === 1,
      messageId: null,
      enrollmentId: r.enrollment_id,
      stepId: null,
      variant: null,
      occurredAtUtcMs: Number(r.occurred_at),
      dataJson: r.data_json,
    })),
  ];
}

/** Sent touches of some enrollments: what a reply without a message reference answered. */
export async function sentTouchesOfEnrollments(
  db: Executor,
  enrollmentIds: string[],
): Promise<SentTouchRow[]> {
  if (enrollmentIds.length === 0) return [];
  const rows = await db
    .selectFrom("messages")
    .select(["id", "enrollment_id", "step_id", "variant", "sent_at"])
    .where("enrollment_id", "in", [...new Set(enrollmentIds)])
    .where("sent_at", "is not", null)
    .orderBy("sent_at")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    enrollmentId: r.enrollment_id ?? "",
    stepId: r.step_id,
    variant: r.variant,
    sentAtUtcMs: Number(r.sent_at),
  }));
}

export async function taskCountsOfSequence(
  db: Executor,
  sequenceId: string,
): Promise<Array<{ stepId: string | null; status: string; count: number }>> {
  const rows = await db
    .selectFrom("tasks as t")
    .innerJoin("enrollments as e", "e.id", "t.enrollment_id")
    .select(["t.step_id", "t.status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("e.sequence_id", "=", sequenceId)
    .groupBy(["t.step_id", "t.status"])
    .execute();
  return rows.map((r) => ({ stepId: r.step_id, status: r.status, count: Number(r.n) }));
}

export async function exitsOfSequence(
  db: Executor,
  sequenceId: string,
): Promise<Array<{ reason: string; count: number }>> {
  const rows = await db
    .selectFrom("enrollments")
    .select(["exit_reason", (eb) => eb.fn.countAll<number>().as("n")])
    .where("sequence_id", "=", sequenceId)
    .where("status", "=", sql.lit<"exited">("exited"))
    .groupBy("exit_reason")
    .execute();
  return rows.map((r) => ({ reason: r.exit_reason ?? "unknown", count: Number(r.n) }));
}
