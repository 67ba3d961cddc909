// Changing and removing mailboxes (mailboxes.ts creates and reads them). Settings are merged,
// so an edit that leaves out the password keeps the stored one.

import { readStoredDkimKey, type StoredDkimKey } from "../../channels/email/dkimKeys.ts";
import type { Executor } from "../executor.ts";
import { writeJson } from "../json.ts";
import type { MailboxRow } from "../schema.ts";
import {
  getMailbox,
  type ImapSettings,
  imapSettingsOf,
  type SmtpSettings,
  smtpSettingsOf,
} from "./mailboxes.ts";

export interface MailboxPatch {
  name?: string;
  fromName?: string;
  fromAddress?: string;
  replyTo?: string | null;
  signature?: string | null;
  userId?: string | null;
  /** null removes the settings; an object is merged over the stored ones. */
  smtp?: Partial<SmtpSettings> | null;
  imap?: Partial<ImapSettings> | null;
  /** null removes the key; an object is merged over the stored one (omit privateKey to keep it). */
  dkim?: Partial<StoredDkimKey> | null;
  dailyLimit?: number;
  isDefault?: boolean;
}

export async function updateMailbox(
  db: Executor,
  workspaceId: string,
  id: string,
  patch: MailboxPatch,
  nowUtcMs: number,
): Promise<MailboxRow | undefined> {
  const existing = await getMailbox(db, workspaceId, id);
  if (!existing) return undefined;
  const set: Partial<MailboxRow> = { updated_at: nowUtcMs };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.fromName !== undefined) set.from_name = patch.fromName;
  if (patch.fromAddress !== undefined) set.from_address = patch.fromAddress.trim().toLowerCase();
  if (patch.replyTo !== undefined) set.reply_to = patch.replyTo;
  if (patch.signature !== undefined) set.signature = patch.signature;
  if (patch.userId !== undefined) set.user_id = patch.userId;
  if (patch.dailyLimit !== undefined) set.daily_limit = patch.dailyLimit;
  if (patch.smtp !== undefined) {
    set.smtp_json =
      patch.smtp === null ? null : writeJson({ ...(smtpSettingsOf(existing) ?? {}), ...patch.smtp });
  }
  if (patch.imap !== undefined) {
    set.imap_json =
      patch.imap === null ? null : writeJson({ ...(imapSettingsOf(existing) ?? {}), ...patch.imap });
  }
  if (patch.dkim !== undefined) {
    set.dkim_json =
      patch.dkim === null
        ? null
        : writeJson({ ...(readStoredDkimKey(existing.dkim_json) ?? {}), ...patch.dkim });
  }
  if (patch.isDefault !== undefined) {
    if (patch.isDefault) {
      await db
        .updateTable("mailboxes")
        .set({ is_default: 0 })
        .where("workspace_id", "=", workspaceId)
        .execute();
    }
    set.is_default = patch.isDefault ? 1 : 0;
  }
  await db.updateTable("mailboxes").set(set).where("id", "=", id).execute();
  return { ...existing, ...set };
}

/**
 * Removes a mailbox unless messages are queued or being sent from it (they would lose their
 * sender): then nothing changes and the count is returned so the caller can say why.
 */
export async function deleteMailbox(
  db: Executor,
  workspaceId: string,
  id: string,
): Promise<{ deleted: boolean; found: boolean; pendingMessages: number }> {
  if (!(await getMailbox(db, workspaceId, id))) return { deleted: false, found: false, pendingMessages: 0 };
  const pending = await db
    .selectFrom("messages")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("mailbox_id", "=", id)
    .where("status", "in", ["queued", "sending"])
    .executeTakeFirstOrThrow();
  const pendingMessages = Number(pending.n);
  if (pendingMessages > 0) return { deleted: false, found: true, pendingMessages };
  await db.deleteFrom("mailboxes").where("workspace_id", "=", workspaceId).where("id", "=", id).execute();
  return { deleted: true, found: true, pendingMessages: 0 };
}

export async function hasMailboxWithSmtp(db: Executor, workspaceId: string): Promise<boolean> {
  const row = await db
    .selectFrom("mailboxes")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("smtp_json", "is not", null)
    .executeTakeFirst();
  return row !== undefined;
}
