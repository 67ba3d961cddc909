// Inbound mail as stored: each message once (by Message-ID), its verdict and what it matched.

import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import { readJsonObject, writeJson } from "../json.ts";
import type { Database } from "../schema.ts";

export type InboundMessageRow = Database["inbound_messages"];

export async function findInboundByMessageId(
  db: Executor,
  workspaceId: string,
  messageIdHeader: string,
): Promise<InboundMessageRow | undefined> {
  return db
    .selectFrom("inbound_messages")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("message_id_header", "=", messageIdHeader)
    .executeTakeFirst();
}

export async function insertInboundMessage(
  db: Executor,
  input: Omit<InboundMessageRow, "id" | "details_json"> & { details: Record<string, unknown> },
): Promise<InboundMessageRow> {
  const { details, ...rest } = input;
  const row: InboundMessageRow = { id: newId("inb"), ...rest, details_json: writeJson(details) };
  await db.insertInto("inbound_messages").values(row).execute();
  return row;
}

export function inboundDetails(row: InboundMessageRow): Record<string, unknown> {
  return readJsonObject(row.details_json);
}

export async function listInboundMessages(
  db: Executor,
  workspaceId: string,
  opts: {
    contactId?: string;
    classes?: InboundMessageRow["class"][];
    cursor?: string | null;
    limit?: number;
  } = {},
): Promise<InboundMessageRow[]> {
  let q = db.selectFrom("inbound_messages").selectAll().where("workspace_id", "=", workspaceId);
  if (opts.contactId) q = q.where("contact_id", "=", opts.contactId);
  if (opts.classes && opts.classes.length > 0) q = q.where("class", "in", opts.classes);
  if (opts.cursor) q = q.where("id", "<", opts.cursor);
  return q
    .orderBy("id", "desc")
    .limit(opts.limit ?? 100)
    .execute();
}

export async function getImapState(db: Executor, mailboxId: string) {
  return db.selectFrom("imap_state").selectAll().where("mailbox_id", "=", mailboxId).executeTakeFirst();
}

/** Records how far a mailbox has been read; written in the transaction that processed the message. */
export async function saveImapState(
  db: Executor,
  state: { mailboxId: string; folder: string; uidValidity: number; lastUid: number },
  nowUtcMs: number,
): Promise<void> {
  await db
    .insertInto("imap_state")
    .values({
      mailbox_id: state.mailboxId,
      folder: state.folder,
      uid_validity: state.uidValidity,
      last_uid: state.lastUid,
      updated_at: nowUtcMs,
    })
    .onConflict((oc) =>
      oc.column("mailbox_id").doUpdateSet({
        folder: state.folder,
        uid_validity: state.uidValidity,
        last_uid: state.lastUid,
        updated_at: nowUtcMs,
      }),
    )
    .execute();
}
