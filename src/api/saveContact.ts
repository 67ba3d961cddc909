// Writing a contact from outside (API, import, inline in an event or enrollment) is more than
// a row: running enrollments and triggers must hear about it, so a new contact ingests
// `contact.created` and a changed one `contact.updated` (field exits, held touches re-run).

import { ingestEvent } from "../engine/ingestEvent.ts";
import type { Executor } from "../store/executor.ts";
import {
  type Contact,
  type ContactInput,
  getContact,
  getContactByEmail,
  updateContact,
  upsertContact,
} from "../store/repos/contacts.ts";
import type { Workspace } from "../store/schema.ts";

export interface SavedContact {
  contact: Contact;
  created: boolean;
  /** Attributes whose value changed (`tags`, `fields.plan`, `owner_id`…); empty when created. */
  changed: string[];
}

export async function saveContact(
  trx: Executor,
  workspace: Workspace,
  input: ContactInput,
  nowUtcMs: number,
  opts: { source: string; emitEvents?: boolean },
): Promise<SavedContact> {
  const before = input.email ? await getContactByEmail(trx, workspace.id, input.email) : undefined;
  const { contact, created } = await upsertContact(trx, workspace.id, input, nowUtcMs);
  const changed = before ? changedAttributes(before, contact) : [];
  if (opts.emitEvents !== false)
    await announce(trx, workspace, contact, created, changed, nowUtcMs, opts.source);
  return { contact, created, changed };
}

export async function patchContact(
  trx: Executor,
  workspace: Workspace,
  id: string,
  input: ContactInput & { addTags?: string[]; removeTags?: string[] },
  nowUtcMs: number,
  opts: { source: string; announce?: boolean },
): Promise<SavedContact | undefined> {
  const before = await getContact(trx, workspace.id, id);
  if (!before) return undefined;
  const contact = await updateContact(trx, workspace.id, id, input, nowUtcMs);
  if (!contact) return undefined;
  const changed = changedAttributes(before, contact);
  if (opts.announce !== false) await announce(trx, workspace, contact, false, changed, nowUtcMs, opts.source);
  return { contact, created: false, changed };
}

async function announce(
  trx: Executor,
  workspace: Workspace,
  contact: Contact,
  created: boolean,
  changed: string[],
  nowUtcMs: number,
  source: string,
): Promise<void> {
  if (!created && changed.length === 0) return;
  await ingestEvent(
    trx,
    workspace,
    {
      type: created ? "contact.created" : "contact.updated",
      contactId: contact.id,
      data: created ? { email: contact.email } : { changed },
      occurredAtUtcMs: nowUtcMs,
      source,
    },
    nowUtcMs,
  );
}

const ATTRIBUTES: Array<[string, (c: Contact) => unknown]> = [
  ["email", (c) => c.email],
  ["first_name", (c) => c.firstName],
  ["last_name", (c) => c.lastName],
  ["title", (c) => c.title],
  ["phone", (c) => c.phone],
  ["time_zone", (c) => c.timeZone],
  ["account_id", (c) => c.accountId],
  ["owner_id", (c) => c.ownerId],
  ["lifecycle_stage", (c) => c.lifecycleStage],
  ["tags", (c) => JSON.stringify(c.tags)],
];

export function changedAttributes(before: Contact, after: Contact): string[] {
  const changed = ATTRIBUTES.filter(([, get]) => get(before) !== get(after)).map(([name]) => name);
  const keys = new Set([...Object.keys(before.fields), ...Object.keys(after.fields)]);
  for (const key of keys) {
    if (before.fields[key] !== after.fields[key]) changed.push(`fields.${key}`);
  }
  return changed;
}
