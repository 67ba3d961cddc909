// Events: everything that happened to a contact (form fills, visits, opens, clicks, replies,
// stage changes), stored before anything acts on them. A dedupe key makes redelivery a no-op.

import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import { readJsonObject, writeJson } from "../json.ts";
import type { EventRow } from "../schema.ts";

export interface EventInput {
  workspaceId: string;
  type: string;
  contactId?: string | null;
  enrollmentId?: string | null;
  messageId?: string | null;
  data?: Record<string, unknown>;
  occurredAtUtcMs: number;
  source: string;
  machine?: boolean;
  dedupeKey?: string | null;
}

export interface StoredEvent {
  id: string;
  type: string;
  contactId: string | null;
  enrollmentId: string | null;
  messageId: string | null;
  data: Record<string, unknown>;
  occurredAtUtcMs: number;
  receivedAtUtcMs: number;
  source: string;
  machine: boolean;
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    type: row.type,
    contactId: row.contact_id,
    enrollmentId: row.enrollment_id,
    messageId: row.message_id,
    data: readJsonObject(row.data_json),
    occurredAtUtcMs: row.occurred_at,
    receivedAtUtcMs: row.received_at,
    source: row.source,
    machine: row.is_machine === 1,
  };
}

/** Stores an event; with a dedupe key already seen, returns the first copy and `duplicate`. */
export async function recordEvent(
  db: Executor,
  input: EventInput,
  nowUtcMs: number,
): Promise<{ event: StoredEvent; duplicate: boolean }> {
  const row: EventRow = {
    id: newId("evt"),
    workspace_id: input.workspaceId,
    type: input.type,
    contact_id: input.contactId ?? null,
    enrollment_id: input.enrollmentId ?? null,
    message_id: input.messageId ?? null,
    data_json: writeJson(input.data ?? {}),
    occurred_at: input.occurredAtUtcMs,
    received_at: nowUtcMs,
    source: input.source,
    is_machine: input.machine ? 1 : 0,
    dedupe_key: input.dedupeKey ?? null,
  };
  if (row.dedupe_key) {
    const inserted = await db
      .insertInto("events")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["workspace_id", "dedupe_key"]).where("dedupe_key", "is not", null).doNothing(),
      )
      .returning("id")
      .executeTakeFirst();
    if (!inserted) {
      const first = await db
        .selectFrom("events")
        .selectAll()
        .where("workspace_id", "=", row.workspace_id)
        .where("dedupe_key", "=", row.dedupe_key)
        .executeTakeFirstOrThrow();
      return { event: toStoredEvent(first), duplicate: true };
    }
  } else {
    await db.insertInto("events").values(row).execute();
  }
  return { event: toStoredEvent(row), duplicate: false };
}

/** A contact's events, newest first, optionally only since a time (for branches: since enrollment). */
export async function eventsOfContact(
  db: Executor,
  contactId: string,
  opts: { sinceUtcMs?: number; beforeUtcMs?: number; limit?: number; types?: string[] } = {},
): Promise<StoredEvent[]> {
  let q = db.selectFrom("events").selectAll().where("contact_id", "=", contactId);
  if (opts.sinceUtcMs !== undefined) q = q.where("occurred_at", ">=", opts.sinceUtcMs);
  if (opts.beforeUtcMs !== undefined) q = q.where("occurred_at", "<", opts.beforeUtcMs);
  if (opts.types && opts.types.length > 0) q = q.where("type", "in", opts.types);
  const rows = await q
    .orderBy("occurred_at", "desc")
    .orderBy("id", "desc")
    .limit(opts.limit ?? 500)
    .execute();
  return rows.map(toStoredEvent);
}

export async function eventsOfMessage(db: Executor, messageId: string): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom("events")
    .selectAll()
    .where("message_id", "=", messageId)
    .orderBy("occurred_at")
    .orderBy("id")
    .execute();
  return rows.map(toStoredEvent);
}
