// Mailboxes: sender identities with their SMTP/IMAP settings and daily limits. Credentials
// stay in this module's rows; `toPublicMailbox` is the only shape that leaves the store.

import { readStoredDkimKey, type StoredDkimKey } from "../../channels/email/dkimKeys.ts";
import type { TlsChoice } from "../../channels/email/tlsOptions.ts";
import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import { readJsonObject, writeJson } from "../json.ts";
import type { MailboxRow } from "../schema.ts";

export interface SmtpSettings extends TlsChoice {
  host: string;
  port: number;
  secure?: boolean;
  user?: string;
  pass?: string;
}

export interface ImapSettings extends TlsChoice {
  host: string;
  port: number;
  secure?: boolean;
  user: string;
  pass: string;
  mailbox?: string;
}

export interface MailboxInput {
  name: string;
  fromName: string;
  fromAddress: string;
  replyTo?: string | null;
  signature?: string | null;
  userId?: string | null;
  smtp?: SmtpSettings | null;
  imap?: ImapSettings | null;
  /** DKIM signing key; the private key is stored like a password and never returned. */
  dkim?: StoredDkimKey | null;
  dailyLimit?: number;
  isDefault?: boolean;
}

export interface PublicMailbox {
  id: string;
  name: string;
  fromName: string;
  fromAddress: string;
  replyTo: string | null;
  signature: string | null;
  userId: string | null;
  dailyLimit: number;
  isDefault: boolean;
  smtp: { host: string; port: number; secure: boolean; user: string | null } | null;
  imap: { host: string; port: number; secure: boolean; user: string; mailbox: string } | null;
  dkim: { domain: string; selector: string } | null;
}

export async function createMailbox(
  db: Executor,
  workspaceId: string,
  input: MailboxInput,
  nowUtcMs: number,
): Promise<MailboxRow> {
  if (input.isDefault) {
    await db
      .updateTable("mailboxes")
      .set({ is_default: 0 })
      .where("workspace_id", "=", workspaceId)
      .execute();
  }
  const row: MailboxRow = {
    id: newId("mbx"),
    workspace_id: workspaceId,
    name: input.name,
    from_name: input.fromName,
    from_address: input.fromAddress.trim().toLowerCase(),
    reply_to: input.replyTo ?? null,
    signature: input.signature ?? null,
    user_id: input.userId ?? null,
    smtp_json: input.smtp ? writeJson(input.smtp) : null,
    imap_json: input.imap ? writeJson(input.imap) : null,
    dkim_json: input.dkim ? writeJson(input.dkim) : null,
    daily_limit: input.dailyLimit ?? 200,
    is_default: input.isDefault ? 1 : 0,
    created_at: nowUtcMs,
    updated_at: nowUtcMs,
  };
  await db.insertInto("mailboxes").values(row).execute();
  return row;
}

export async function getMailbox(
  db: Executor,
  workspaceId: string,
  id: string,
): Promise<MailboxRow | undefined> {
  return db
    .selectFrom("mailboxes")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export async function listMailboxes(db: Executor, workspaceId: string): Promise<MailboxRow[]> {
  return db
    .selectFrom("mailboxes")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .orderBy("id")
    .execute();
}

/** The mailbox a touch goes out from: the contact owner's, else the workspace default, else the first. */
export async function mailboxForOwner(
  db: Executor,
  workspaceId: string,
  ownerId: string | null,
): Promise<MailboxRow | undefined> {
  const all = await listMailboxes(db, workspaceId);
  return (
    (ownerId ? all.find((m) => m.user_id === ownerId) : undefined) ??
    all.find((m) => m.is_default === 1) ??
    all[0]
  );
}

export function smtpSettingsOf(row: MailboxRow): SmtpSettings | null {
  return row.smtp_json ? (readJsonObject(row.smtp_json) as unknown as SmtpSettings) : null;
}

export function imapSettingsOf(row: MailboxRow): ImapSettings | null {
  return row.imap_json ? (readJsonObject(row.imap_json) as unknown as ImapSettings) : null;
}

export function toPublicMailbox(row: MailboxRow): PublicMailbox {
  const smtp = smtpSettingsOf(row);
  const imap = imapSettingsOf(row);
  const dkim = readStoredDkimKey(row.dkim_json);
  return {
    id: row.id,
    name: row.name,
    fromName: row.from_name,
    fromAddress: row.from_address,
    replyTo: row.reply_to,
    signature: row.signature,
    userId: row.user_id,
    dailyLimit: row.daily_limit,
    isDefault: row.is_default === 1,
    smtp: smtp
      ? { host: smtp.host, port: smtp.port, secure: smtp.secure ?? false, user: smtp.user ?? null }
      : null,
    imap: imap
      ? {
          host: imap.host,
          port: imap.port,
          secure: imap.secure ?? false,
          user: imap.user,
          mailbox: imap.mailbox ?? "INBOX",
        }
      : null,
    dkim: dkim
      ? { domain: dkim.domain ?? row.from_address.split("@").pop() ?? "", selector: dkim.selector }
      : null,
  };
}
