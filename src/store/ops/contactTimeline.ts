// A contact's (or one enrollment's) whole story, newest first: events (including enrollment
// starts and exits with their reason), messages and tasks, merged into one list. Paged by
// (time, ULID) so a page boundary never skips or repeats an entry, even at the same millisecond.

import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import { readJsonObject } from "../json.ts";

export interface TimelineEntry {
  id: string;
  atUtcMs: number;
  kind: "event" | "message" | "task";
  /** Event type, message channel, or task type. */
  type: string;
  contactId: string;
  enrollmentId: string | null;
  stepId: string | null;
  /** Message or task status; null for events. */
  status: string | null;
  /** Message subject or task title. */
  summary: string | null;
  data: Record<string, unknown>;
}

/** Where a page ends: a time and the ULID part of the last entry's id. */
export interface TimelinePosition {
  atUtcMs: number;
  ulid: string;
}

/**
 * Ids are `prefix_ULID`, and ULIDs are made in creation order: within one millisecond (a
 * frozen test clock puts a whole enrollment there) the ULID says what happened first, whatever
 * the table. Each table's ids share one prefix, so `id < prefix_ULID` compares ULIDs in SQL.
 */
export function ulidOf(id: string): string {
  return id.slice(id.indexOf("_") + 1);
}

export async function readTimeline(
  db: Executor,
  workspaceId: string,
  scope: { contactId: string } | { enrollmentId: string },
  opts: { before?: TimelinePosition | null; limit: number },
): Promise<{ entries: TimelineEntry[]; more: boolean }> {
  const take = opts.limit + 1;
  const before = opts.before ?? null;

  let events = db.selectFrom("events").selectAll().where("workspace_id", "=", workspaceId);
  events =
    "contactId" in scope
      ? events.where("contact_id", "=", scope.contactId)
      : events.where("enrollment_id", "=", scope.enrollmentId);
  if (before) {
    events = events.where((eb) =>
      eb.or([
        eb("occurred_at", "<", before.atUtcMs),
        eb.and([eb("occurred_at", "=", before.atUtcMs), eb("id", "<", `evt_${before.ulid}`)]),
      ]),
    );
  }

  const messageAt = sql<number>`coalesce(sent_at, created_at)`;
  let messages = db
    .selectFrom("messages")
    .select([
      "id",
      "contact_id",
      "enrollment_id",
      "step_id",
      "channel",
      "status",
      "subject",
      "to_address",
      "variant",
      "hold_reason",
      "last_error",
      messageAt.as("at"),
    ])
    .where("workspace_id", "=", workspaceId);
  messages =
    "contactId" in scope
      ? messages.where("contact_id", "=", scope.contactId)
      : messages.where("enrollment_id", "=", scope.enrollmentId);
  if (before) {
    messages = messages.where(
      sql<boolean>`(coalesce(sent_at, created_at) < ${before.atUtcMs} or (coalesce(sent_at, created_at) = ${before.atUtcMs} and id < ${`msg_${before.ulid}`}))`,
    );
  }

  let tasks = db.selectFrom("tasks").selectAll().where("workspace_id", "=", workspaceId);
  tasks =
    "contactId" in scope
      ? tasks.where("contact_id", "=", scope.contactId)
      : tasks.where("enrollment_id", "=", scope.enrollmentId);
  if (before) {
    tasks = tasks.where((eb) =>
      eb.or([
        eb("created_at", "<", before.atUtcMs),
        eb.and([eb("created_at", "=", before.atUtcMs), eb("id", "<", `task_${before.ulid}`)]),
      ]),
    );
  }

  const [eventRows, messageRows, taskRows] = await Promise.all([
    events.orderBy("occurred_at", "desc").orderBy("id", "desc").limit(take).execute(),
    messages.orderBy(messageAt, "desc").orderBy("id", "desc").limit(take).execute(),
    tasks.orderBy("created_at", "desc").orderBy("id", "desc").limit(take).execute(),
  ]);

  const entries: TimelineEntry[] = [
    ...eventRows.map((e): TimelineEntry => {
      const data = readJsonObject(e.data_json);
      return {
        id: e.id,
        atUtcMs: Number(e.occurred_at),
        kind: "event",
        type: e.type,
        contactId: e.contact_id ?? "",
        enrollmentId: e.enrollment_id,
        stepId: typeof data.step === "string" ? data.step : null,
        status: null,
        summary: null,
        data: { ...data, source: e.source, ...(e.is_machine === 1 ? { machine: true } : {}) },
      };
    }),
    ...messageRows.map(
      (m): TimelineEntry => ({
        id: m.id,
        atUtcMs: Number(m.at),
        kind: "message",
        type: m.channel,
        contactId: m.contact_id,
        enrollmentId: m.enrollment_id,
        stepId: m.step_id,
        status: m.status,
        summary: m.subject,
        data: {
          to: m.to_address,
          ...(m.variant ? { variant: m.variant } : {}),
          ...(m.hold_reason ? { hold_reason: m.hold_reason } : {}),
          ...(m.last_error ? { last_error: m.last_error } : {}),
        },
      }),
    ),
    ...taskRows.map(
      (t): TimelineEntry => ({
        id: t.id,
        atUtcMs: Number(t.created_at),
        kind: "task",
        type: t.type,
        contactId: t.contact_id,
        enrollmentId: t.enrollment_id,
        stepId: t.step_id,
        status: t.status,
        summary: t.title,
        data: {
          due_at: Number(t.due_at),
          ...(t.outcome ? { outcome: t.outcome } : {}),
          ...(t.assignee_id ? { assignee_id: t.assignee_id } : {}),
          ...(t.completed_at !== null ? { completed_at: Number(t.completed_at) } : {}),
        },
      }),
    ),
  ];
  entries.sort((a, b) => {
    const ua = ulidOf(a.id);
    const ub = ulidOf(b.id);
    return b.atUtcMs - a.atUtcMs || (ua < ub ? 1 : ua > ub ? -1 : 0);
  });
  return { entries: entries.slice(0, opts.limit), more: entries.length > opts.limit };
}

/** Which sequence each enrollment belongs to, for labelling timeline entries. */
export async function sequenceIdsOfEnrollments(
  db: Executor,
  enrollmentIds: string[],
): Promise<Map<string, string>> {
  if (enrollmentIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("enrollments")
    .select(["id", "sequence_id"])
    .where("id", "in", [...new Set(enrollmentIds)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.sequence_id]));
}
