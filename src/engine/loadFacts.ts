// Loads what `decide` may read about an enrollment's contact: the contact, their account and
// current deal, the sender, and the events since the enrollment began.

import type { ContactFacts, DecideFacts, EventFact } from "../domain/enrollment/types.ts";
import type { Executor } from "../store/executor.ts";
import { readJsonObject } from "../store/json.ts";
import { getAccount } from "../store/repos/accounts.ts";
import { type Contact, getContact } from "../store/repos/contacts.ts";
import { currentDealForContact } from "../store/repos/deals.ts";
import { eventsOfContact, type StoredEvent } from "../store/repos/events.ts";
import { mailboxForOwner } from "../store/repos/mailboxes.ts";
import type { MailboxRow, Workspace } from "../store/schema.ts";

/** Events a branch or wait_for can look at; older history is the timeline's business. */
const MAX_EVENTS = 500;

export function toContactFacts(contact: Contact): ContactFacts {
  return {
    id: contact.id,
    email: contact.email,
    first_name: contact.firstName,
    last_name: contact.lastName,
    title: contact.title,
    phone: contact.phone,
    time_zone: contact.timeZone,
    lifecycle_stage: contact.lifecycleStage,
    tags: contact.tags,
    fields: contact.fields,
  };
}

export function toEventFact(event: StoredEvent): EventFact {
  const step = typeof event.data.step === "string" ? event.data.step : undefined;
  return {
    type: event.type,
    occurredAtUtcMs: event.occurredAtUtcMs,
    data: event.data,
    ...(step ? { step } : {}),
    ...(event.machine ? { machine: true } : {}),
  };
}

/** What `loadFacts` read: the facts for `decide`, the contact row and the sender mailbox row. */
export interface LoadedFacts {
  facts: DecideFacts;
  contact: Contact;
  /** The mailbox the contact's owner sends from (else the default); null when there is none. */
  ownerMailbox: MailboxRow | null;
}

export async function loadFacts(
  db: Executor,
  workspace: Workspace,
  contactId: string,
  opts: { sinceUtcMs: number; enrollmentId?: string },
): Promise<LoadedFacts> {
  const contact = await getContact(db, workspace.id, contactId);
  if (!contact) throw new Error(`contact ${contactId} does not exist`);
  const [account, deal, mailbox, events] = await Promise.all([
    contact.accountId ? getAccount(db, workspace.id, contact.accountId) : undefined,
    currentDealForContact(db, workspace.id, contact.id, contact.accountId),
    mailboxForOwner(db, workspace.id, contact.ownerId),
    eventsOfContact(db, contact.id, { sinceUtcMs: opts.sinceUtcMs, limit: MAX_EVENTS }),
  ]);
  // Events about another enrollment's steps must not satisfy this one's "opened step X".
  const relevant = events.filter(
    (e) => !e.enrollmentId || !opts.enrollmentId || e.enrollmentId === opts.enrollmentId,
  );
  return {
    contact,
    ownerMailbox: mailbox ?? null,
    facts: {
      contact: toContactFacts(contact),
      account: account
        ? { name: account.name, domain: account.domain, fields: readJsonObject(account.fields_json) }
        : null,
      deal: deal ? { name: deal.name, stage: deal.stage, amount: deal.amount } : null,
      sender: mailbox
        ? { name: mailbox.from_name, email: mailbox.from_address, signature: mailbox.signature }
        : null,
      events: relevant.reverse().map(toEventFact),
      workspaceZone: workspace.time_zone,
    },
  };
}
