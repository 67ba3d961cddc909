// Messages: the outbox. A touch becomes a row keyed by its idempotency key
// (enrollment:step:visit); the sender moves it queued → sending → sent (or uncertain, failed,
// bounced, held, cancelled). The key makes a re-run of the same decision insert nothing.

import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import type { MessageRow, MessageUpdate } from "../schema.ts";

export type OutboxInput = Pick<MessageRow, "workspace_id" | "contact_id" | "channel" | "idempotency_key"> &
  Partial<Omit<MessageRow, "id" | "created_at" | "updated_at">>;

/** Queues a touch; returns the existing row when the idempotency key was already used. */
export async function insertOutboxMessage(
  db: Executor,
  input: OutboxInput,
  nowUtcMs: number,
): Promise<{ message: MessageRow; created: boolean }> {
  const row: MessageRow = {
    id: newId("msg"),
    enrollment_id: null,
    step_id: null,
    status: "queued",
    mailbox_id: null,
    variant: null,
    to_address: null,
    to_domain: null,
    from_address: null,
    subject: null,
    body_text: null,
    body_html: null,
    message_id_header: null,
    in_reply_to: null,
    references_header: null,
    provider_message_id: null,
    attempt_count: 0,
    next_attempt_at: nowUtcMs,
    last_error: null,
    hold_reason: null,
    sent_at: null,
    ...input,
    created_at: nowUtcMs,
    updated_at: nowUtcMs,
  };
  const inserted = await db
    .insertInto("messages")
    .values(row)
    .onConflict((oc) => oc.column("idempotency_key").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (inserted) return { message: row, created: true };
  const existing = await db
    .selectFrom("messages")
    .selectAll()
    .where("idempotency_key", "=", row.idempotency_key)
    .executeTakeFirstOrThrow();
  return { message: existing, created: false };
}

export async function updateMessage(
  db: Executor,
  id: string,
  patch: MessageUpdate,
  nowUtcMs: number,
): Promise<void> {
  await db
    .updateTable("messages")
    .set({ ...patch, updated_at: nowUtcMs })
    .where("id", "=", id)
    .execute();
}

export async function getMessage(db: Executor, id: string): Promise<MessageRow | undefined> {
  return db.selectFrom("messages").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function getMessageByIdempotencyKey(db: Executor, key: string): Promise<MessageRow | undefined> {
  return db.selectFrom("messages").selectAll().where("idempotency_key", "=", key).executeTakeFirst();
}

/** Finds our touch by the Message-ID a reply or bounce refers to (with or without <>). */
export async function findMessageByHeaderId(
  db: Executor,
  workspaceId: string,
  messageIdHeader: string,
): Promise<MessageRow | undefined> {
  const bare = messageIdHeader.trim().replace(/^<|>$/g, "");
  return db
    .selectFrom("messages")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("message_id_header", "=", bare)
    .executeTakeFirst();
}

export async function messagesOfEnrollment(db: Executor, enrollmentId: string): Promise<MessageRow[]> {
  return db
    .selectFrom("messages")
    .selectAll()
    .where("enrollment_id", "=", enrollmentId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

export async function messagesOfContact(db: Executor, contactId: string, limit = 200): Promise<MessageRow[]> {
  return db
    .selectFrom("messages")
    .selectAll()
    .where("contact_id", "=", contactId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

/** How many messages of a channel a contact was sent since a time (frequency caps). */
export async function countSentToContact(
  db: Executor,
  contactId: string,
  channel: MessageRow["channel"],
  sinceUtcMs: number,
): Promise<number> {
  const row = await db
    .selectFrom("messages")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("contact_id", "=", contactId)
    .where("channel", "=", channel)
    .where("status", "in", ["sent", "uncertain"])
    .where("sent_at", ">=", sinceUtcMs)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many messages a mailbox sent since a time (daily limits over a rolling 24 hours). */
export async function countSentFromMailbox(
  db: Executor,
  mailboxId: string,
  sinceUtcMs: number,
): Promise<number> {
  const row = await db
    .selectFrom("messages")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("mailbox_id", "=", mailboxId)
    .where("status", "in", ["sent", "uncertain"])
    .where("sent_at", ">=", sinceUtcMs)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many messages went to a recipient domain since a time (per-domain hourly cap). */
export async function countSentToDomain(
  db: Executor,
  workspaceId: string,
  domain: string,
  sinceUtcMs: number,
): Promise<number> {
  const row = await db
    .selectFrom("messages")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("to_domain", "=", domain)
    .where("workspace_id", "=", workspaceId)
    .where("status", "in", ["sent", "uncertain"])
    .where("sent_at", ">=", sinceUtcMs)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Messages an operator must look at: sends whose outcome is unknown after a crash. */
export async function uncertainMessages(db: Executor, workspaceId: string): Promise<MessageRow[]> {
  return db
    .selectFrom("messages")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("status", "=", "uncertain")
    .orderBy("updated_at")
    .execute();
}

/** Send times of messages matching a filter since a time: the input of rolling caps. */
export async function sentTimes(
  db: Executor,
  filter: {
    contactId?: string;
    channel?: MessageRow["channel"];
    mailboxId?: string;
    toDomain?: string;
    workspaceId?: string;
  },
  sinceUtcMs: number,
): Promise<number[]> {
  let q = db
    .selectFrom("messages")
    .select("sent_at")
    .where("status", "in", ["sent", "uncertain"])
    .where("sent_at", ">", sinceUtcMs);
  if (filter.contactId) q = q.where("contact_id", "=", filter.contactId);
  if (filter.channel) q = q.where("channel", "=", filter.channel);
  if (filter.mailboxId) q = q.where("mailbox_id", "=", filter.mailboxId);
  if (filter.toDomain) q = q.where("to_domain", "=", filter.toDomain);
  if (filter.workspaceId) q = q.where("workspace_id", "=", filter.workspaceId);
  const rows = await q.execute();
  return rows.map((r) => Number(r.sent_at));
}

/** The latest sent email of an enrollment: what a `thread: true` step replies to. */
export async function lastSentEmailOfEnrollment(
  db: Executor,
  enrollmentId: string,
): Promise<MessageRow | undefined> {
  return db
    .selectFrom("messages")
    .selectAll()
    .where("enrollment_id", "=", enrollmentId)
    .where("channel", "=", "email")
    .where("status", "in", ["sent", "uncertain"])
    .orderBy("sent_at", "desc")
    .orderBy("id", "desc")
    .executeTakeFirst();
}
