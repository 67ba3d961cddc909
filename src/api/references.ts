// Ids and emails in a request body must point at real rows of the caller's workspace; these
// look them up and answer 422 naming the field when they do not (never a foreign-key 500).

import type { Executor } from "../store/executor.ts";
import { getAccount } from "../store/repos/accounts.ts";
import { type Contact, getContact, getContactByEmail } from "../store/repos/contacts.ts";
import { findSequence } from "../store/repos/sequences.ts";
import { getUser, getUserByEmail } from "../store/repos/users.ts";
import type { SequenceRow, Workspace } from "../store/schema.ts";
import { fieldPath, invalidField } from "./problem.ts";
import { saveContact } from "./saveContact.ts";
import { type ContactUpsertInput, toContactInput } from "./schemas/contacts.ts";

type Path = ReadonlyArray<string | number>;

function at(prefix: Path, name: string): string {
  return fieldPath([...prefix, name]);
}

export async function requireUserId(
  db: Executor,
  workspaceId: string,
  id: string,
  field: string,
): Promise<string> {
  if (!(await getUser(db, workspaceId, id))) throw invalidField(field, `no user ${id} in this workspace`);
  return id;
}

export async function requireAccountId(
  db: Executor,
  workspaceId: string,
  id: string,
  field: string,
): Promise<string> {
  if (!(await getAccount(db, workspaceId, id)))
    throw invalidField(field, `no account ${id} in this workspace`);
  return id;
}

export async function requireContact(
  db: Executor,
  workspaceId: string,
  id: string,
  field: string,
): Promise<Contact> {
  const contact = await getContact(db, workspaceId, id);
  if (!contact) throw invalidField(field, `no contact ${id} in this workspace`);
  return contact;
}

export async function requireSequence(
  db: Executor,
  workspaceId: string,
  idOrKey: string,
  field: string,
): Promise<SequenceRow> {
  const sequence = await findSequence(db, workspaceId, idOrKey);
  if (!sequence) throw invalidField(field, `no sequence with the id or key ${idOrKey}`);
  return sequence;
}

/** owner_id or owner_email → a user id (undefined: not given, null: cleared). */
export async function ownerIdOf(
  db: Executor,
  workspaceId: string,
  body: { owner_id?: string | null; owner_email?: string | undefined },
  prefix: Path = [],
): Promise<string | null | undefined> {
  if (body.owner_email !== undefined) {
    const user = await getUserByEmail(db, workspaceId, body.owner_email);
    if (!user) throw invalidField(at(prefix, "owner_email"), `no user with the email ${body.owner_email}`);
    return user.id;
  }
  if (body.owner_id === undefined || body.owner_id === null) return body.owner_id;
  return requireUserId(db, workspaceId, body.owner_id, at(prefix, "owner_id"));
}

/** A contact written inline (`contact: {...}`): upserted by email, owner checked. */
export async function upsertInlineContact(
  trx: Executor,
  workspace: Workspace,
  body: ContactUpsertInput,
  nowUtcMs: number,
  prefix: Path,
  source: string,
): Promise<Contact> {
  const ownerId = await ownerIdOf(trx, workspace.id, body, prefix);
  const input = toContactInput(body);
  if (ownerId !== undefined) input.ownerId = ownerId;
  return (await saveContact(trx, workspace, input, nowUtcMs, { source })).contact;
}

/** The ways a request names a contact: `contact_id`, `email` (created when new), or `contact`. */
export interface ContactRef {
  contact_id?: string | undefined;
  email?: string | undefined;
  contact?: ContactUpsertInput | undefined;
}

export async function resolveContactRef(
  trx: Executor,
  workspace: Workspace,
  ref: ContactRef,
  nowUtcMs: number,
  prefix: Path,
  source: string,
): Promise<Contact> {
  if (ref.contact_id !== undefined)
    return requireContact(trx, workspace.id, ref.contact_id, at(prefix, "contact_id"));
  if (ref.contact !== undefined)
    return upsertInlineContact(trx, workspace, ref.contact, nowUtcMs, [...prefix, "contact"], source);
  if (ref.email !== undefined) {
    const existing = await getContactByEmail(trx, workspace.id, ref.email);
    if (existing) return existing;
    return (await saveContact(trx, workspace, { email: ref.email }, nowUtcMs, { source })).contact;
  }
  throw invalidField(fieldPath(prefix) || "contact_id", "name the contact with contact_id, email or contact");
}
