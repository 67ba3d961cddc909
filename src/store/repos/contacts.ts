// Contacts: people, unique by (lower-cased) email within a workspace, with tags and custom
// fields. Upserting by email is how imports, the API and CRM webhooks all write them.

import { sql } from "kysely";
import { companyDomainOf } from "../../domain/contact/companyDomain.ts";
import type { Executor } from "../executor.ts";
import { newId } from "../ids.ts";
import { readJsonObject, readStringArray, writeJson } from "../json.ts";
import type { ContactRow } from "../schema.ts";
import { upsertAccountByDomain } from "./accounts.ts";

export type FieldValue = string | number | boolean | null;

export interface Contact {
  id: string;
  workspaceId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  title: string | null;
  phone: string | null;
  timeZone: string | null;
  accountId: string | null;
  ownerId: string | null;
  lifecycleStage: string | null;
  tags: string[];
  fields: Record<string, FieldValue>;
  smsConsent: ContactRow["sms_consent"];
  createdAtUtcMs: number;
  updatedAtUtcMs: number;
}

export interface ContactInput {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  title?: string | null;
  phone?: string | null;
  timeZone?: string | null;
  ownerId?: string | null;
  lifecycleStage?: string | null;
  /** Replaces the tag set when given. */
  tags?: string[];
  /** Merged into the existing custom fields; a null value removes the field. */
  fields?: Record<string, FieldValue>;
  /** Company name for the account found by the email's domain. */
  company?: string | null;
  accountId?: string | null;
}

export function toContact(row: ContactRow): Contact {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    title: row.title,
    phone: row.phone,
    timeZone: row.time_zone,
    accountId: row.account_id,
    ownerId: row.owner_id,
    lifecycleStage: row.lifecycle_stage,
    tags: readStringArray(row.tags_json),
    fields: readJsonObject(row.fields_json) as Record<string, FieldValue>,
    smsConsent: row.sms_consent,
    createdAtUtcMs: row.created_at,
    updatedAtUtcMs: row.updated_at,
  };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Creates the contact or updates the one with the same email; links the account by domain. */
export async function upsertContact(
  db: Executor,
  workspaceId: string,
  input: ContactInput,
  nowUtcMs: number,
): Promise<{ contact: Contact; created: boolean }> {
  const email = input.email ? normalizeEmail(input.email) : null;
  const existing = email ? await getContactRowByEmail(db, workspaceId, email) : undefined;
  let accountId = input.accountId ?? existing?.account_id ?? null;
  const companyDomain = email ? companyDomainOf(email) : null;
  if (input.accountId === undefined && companyDomain && (!existing?.account_id || input.company)) {
    accountId = (
      await upsertAccountByDomain(
        db,
        workspaceId,
        { domain: companyDomain, name: input.company ?? null },
        nowUtcMs,
      )
    ).id;
  }
  if (existing) {
    const patch = contactPatch(existing, input, nowUtcMs);
    patch.account_id = accountId;
    await db.updateTable("contacts").set(patch).where("id", "=", existing.id).execute();
    return { contact: toContact({ ...existing, ...patch }), created: false };
  }
  const row: ContactRow = {
    id: newId("ct"),
    workspace_id: workspaceId,
    email,
    first_name: input.firstName ?? null,
    last_name: input.lastName ?? null,
    title: input.title ?? null,
    phone: input.phone ?? null,
    time_zone: input.timeZone ?? null,
    account_id: accountId,
    owner_id: input.ownerId ?? null,
    lifecycle_stage: input.lifecycleStage ?? null,
    tags_json: writeJson(dedupe(input.tags ?? [])),
    fields_json: writeJson(withoutNulls(input.fields ?? {})),
    sms_consent: "unknown",
    sms_consent_source: null,
    sms_consent_at: null,
    created_at: nowUtcMs,
    updated_at: nowUtcMs,
  };
  await db.insertInto("contacts").values(row).execute();
  return { contact: toContact(row), created: true };
}

function contactPatch(existing: ContactRow, input: ContactInput, nowUtcMs: number): Partial<ContactRow> {
  const patch: Partial<ContactRow> = { updated_at: nowUtcMs };
  if (input.firstName !== undefined) patch.first_name = input.firstName;
  if (input.lastName !== undefined) patch.last_name = input.lastName;
  if (input.title !== undefined) patch.title = input.title;
  if (input.phone !== undefined) patch.phone = input.phone;
  if (input.timeZone !== undefined) patch.time_zone = input.timeZone;
  if (input.ownerId !== undefined) patch.owner_id = input.ownerId;
  if (input.lifecycleStage !== undefined) patch.lifecycle_stage = input.lifecycleStage;
  if (input.tags !== undefined) patch.tags_json = writeJson(dedupe(input.tags));
  if (input.fields !== undefined) {
    patch.fields_json = writeJson(withoutNulls({ ...readJsonObject(existing.fields_json), ...input.fields }));
  }
  return patch;
}

export async function updateContact(
  db: Executor,
  workspaceId: string,
  id: string,
  input: ContactInput & { addTags?: string[]; removeTags?: string[] },
  nowUtcMs: number,
): Promise<Contact | undefined> {
  const existing = await getContactRow(db, workspaceId, id);
  if (!existing) return undefined;
  const patch = contactPatch(existing, input, nowUtcMs);
  if (input.email !== undefined) patch.email = input.email ? normalizeEmail(input.email) : null;
  if (input.accountId !== undefined) patch.account_id = input.accountId;
  if (input.addTags || input.removeTags) {
    const current = readStringArray(patch.tags_json ?? existing.tags_json);
    const removed = new Set(input.removeTags ?? []);
    patch.tags_json = writeJson(
      dedupe([...current.filter((t) => !removed.has(t)), ...(input.addTags ?? [])]),
    );
  }
  await db.updateTable("contacts").set(patch).where("id", "=", id).execute();
  return toContact({ ...existing, ...patch });
}

export async function setSmsConsent(
  db: Executor,
  id: string,
  consent: ContactRow["sms_consent"],
  source: string,
  nowUtcMs: number,
): Promise<void> {
  await db
    .updateTable("contacts")
    .set({ sms_consent: consent, sms_consent_source: source, sms_consent_at: nowUtcMs, updated_at: nowUtcMs })
    .where("id", "=", id)
    .execute();
}

async function getContactRow(db: Executor, workspaceId: string, id: string): Promise<ContactRow | undefined> {
  return db
    .selectFrom("contacts")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
}

async function getContactRowByEmail(
  db: Executor,
  workspaceId: string,
  email: string,
): Promise<ContactRow | undefined> {
  return db
    .selectFrom("contacts")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("email", "=", normalizeEmail(email))
    .executeTakeFirst();
}

export async function getContact(
  db: Executor,
  workspaceId: string,
  id: string,
): Promise<Contact | undefined> {
  const row = await getContactRow(db, workspaceId, id);
  return row && toContact(row);
}

export async function getContactByEmail(
  db: Executor,
  workspaceId: string,
  email: string,
): Promise<Contact | undefined> {
  const row = await getContactRowByEmail(db, workspaceId, email);
  return row && toContact(row);
}

export async function getContactByPhone(
  db: Executor,
  workspaceId: string,
  phone: string,
): Promise<Contact | undefined> {
  const row = await db
    .selectFrom("contacts")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("phone", "=", phone)
    .orderBy("id")
    .executeTakeFirst();
  return row && toContact(row);
}

export async function contactsAtAccount(
  db: Executor,
  workspaceId: string,
  accountId: string,
): Promise<Contact[]> {
  const rows = await db
    .selectFrom("contacts")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("account_id", "=", accountId)
    .orderBy("id")
    .execute();
  return rows.map(toContact);
}

export interface ContactQuery {
  /** Matches email, first or last name (case-insensitive prefix/substring). */
  search?: string;
  tag?: string;
  lifecycleStage?: string;
  ownerId?: string;
  accountId?: string;
  cursor?: string | null;
  limit?: number;
}

export async function listContacts(
  db: Executor,
  workspaceId: string,
  query: ContactQuery = {},
): Promise<{ items: Contact[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
  let q = db.selectFrom("contacts").selectAll().where("workspace_id", "=", workspaceId);
  if (query.cursor) q = q.where("id", ">", query.cursor);
  if (query.lifecycleStage) q = q.where("lifecycle_stage", "=", query.lifecycleStage);
  if (query.ownerId) q = q.where("owner_id", "=", query.ownerId);
  if (query.accountId) q = q.where("account_id", "=", query.accountId);
  if (query.search) {
    const pattern = `%${query.search.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    // ESCAPE is explicit: SQLite has no default LIKE escape character, PostgreSQL uses backslash.
    q = q.where(
      sql<boolean>`(lower(email) like ${pattern} escape '\\' or lower(first_name) like ${pattern} escape '\\' or lower(last_name) like ${pattern} escape '\\')`,
    );
  }
  // Tags are a JSON array in text; a quoted-substring match is exact for tag names without quotes.
  if (query.tag) q = q.where("tags_json", "like", `%${JSON.stringify(query.tag)}%`);
  const rows = await q
    .orderBy("id")
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map(toContact);
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

export async function countContacts(db: Executor, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom("contacts")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function dedupe(values: string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter((v) => v !== ""))];
}

function withoutNulls(fields: Record<string, unknown>): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v !== null && v !== undefined) out[k] = v as FieldValue;
  }
  return out;
}
