// An inbound text, applied in one transaction: stored once per provider message id (a retried
// webhook changes nothing and earns no second confirmation), matched to the contact we texted,
// then read: STOP and its siblings revoke consent and end every running enrollment; START
// re-subscribes; HELP is answered; anything else is a reply that exits (`replied`) and goes to
// a rep through the same classification and handoff as an email reply.

import { readIntent } from "../domain/reply/index.ts";
import type { Classification } from "../domain/reply/types.ts";
import { readSmsKeyword, type SmsKeyword } from "../domain/sms/keywords.ts";
import { parsePhone } from "../domain/sms/phoneNumber.ts";
import { ingestEvent } from "../engine/ingestEvent.ts";
import type { Executor } from "../store/executor.ts";
import { type Contact, getContact, setSmsConsent, toContact } from "../store/repos/contacts.ts";
import { insertInboundMessage } from "../store/repos/inboundMessages.ts";
import { messagesOfContact } from "../store/repos/messages.ts";
import { addPhoneBlock, removePhoneBlock } from "../store/repos/phoneBlocks.ts";
import { insertSmsInbound, updateSmsInbound } from "../store/repos/smsInbound.ts";
import { contactsByStickyPhone } from "../store/repos/smsNumbers.ts";
import { loadSmsSettings } from "../store/repos/smsSettings.ts";
import { enqueueWebhookDeliveries } from "../store/repos/webhooks.ts";
import type { Workspace } from "../store/schema.ts";
import { handoff } from "./processInbound.ts";

export interface InboundSms {
  messageSid: string;
  from: string;
  to: string;
  body: string;
}

export interface InboundSmsOutcome {
  duplicate: boolean;
  keyword: SmsKeyword | null;
  contactIds: string[];
  /** The one text to answer with (a STOP/START confirmation, the HELP text), or null. */
  answer: string | null;
  actions: string[];
}

export async function processInboundSms(
  trx: Executor,
  workspace: Workspace,
  sms: InboundSms,
  nowUtcMs: number,
): Promise<InboundSmsOutcome> {
  const settings = await loadSmsSettings(trx, workspace);
  const parsedFrom = parsePhone(sms.from, settings.defaultRegion);
  const from = parsedFrom.ok ? parsedFrom.e164 : sms.from.trim();
  const match = readSmsKeyword(sms.body);
  const stored = await insertSmsInbound(trx, {
    workspace_id: workspace.id,
    provider_sid: sms.messageSid,
    from_number: from,
    to_number: sms.to,
    body: sms.body,
    keyword: match?.keyword ?? null,
    contact_id: null,
    inbound_message_id: null,
    received_at: nowUtcMs,
  });
  const outcome: InboundSmsOutcome = {
    duplicate: stored === null,
    keyword: match?.keyword ?? null,
    contactIds: [],
    answer: null,
    actions: [],
  };
  if (!stored) return outcome;

  const contacts = await contactsAtPhone(trx, workspace.id, from, sms.to, settings.defaultRegion);
  outcome.contactIds = contacts.map((c) => c.id);
  if (contacts[0]) await updateSmsInbound(trx, stored.id, { contact_id: contacts[0].id });
  const source = `sms:${sms.messageSid}`;

  const rule = match?.rule ?? "";
  const keyword = match?.keyword;
  switch (keyword) {
    case "stop": {
      await addPhoneBlock(
        trx,
        workspace.id,
        { phone: from, kind: "sms_opt_out", source: "sms_keyword", detail: rule },
        nowUtcMs,
      );
      outcome.actions.push(`opted out ${from} (${rule})`);
      for (const contact of contacts) {
        await setSmsConsent(trx, contact.id, "revoked", `sms reply (${rule})`, nowUtcMs);
        const ingested = await ingestEvent(
          trx,
          workspace,
          {
            type: "sms.unsubscribed",
            contactId: contact.id,
            data: { from, rule: rule, body: sms.body.slice(0, 500) },
            occurredAtUtcMs: nowUtcMs,
            source,
            dedupeKey: `${source}:${contact.id}`,
          },
          nowUtcMs,
          { enrollTriggers: false },
        );
        outcome.actions.push(
          ...ingested.affected.map(
            (a) => `enrollment ${a.enrollmentId}: ${a.status} (${a.exitReason ?? ""})`,
          ),
        );
      }
      outcome.answer = settings.stopText;
      return outcome;
    }
    case "start": {
      await removePhoneBlock(trx, workspace.id, from, "sms_opt_out");
      for (const contact of contacts) {
        await setSmsConsent(trx, contact.id, "granted", `sms reply (${rule})`, nowUtcMs);
      }
      outcome.actions.push(`re-subscribed ${from}`);
      outcome.answer = settings.startText;
      return outcome;
    }
    case "help":
      outcome.answer = settings.helpText;
      return outcome;
    case undefined:
      break;
    default: {
      const unhandled: never = keyword;
      throw new Error(`unhandled keyword ${String(unhandled)}`);
    }
  }

  const contact = contacts[0];
  if (!contact) {
    outcome.actions.push("unmatched: stored and ignored");
    return outcome;
  }
  await replied(trx, workspace, contact, sms, from, stored.id, nowUtcMs, outcome);
  return outcome;
}

/** A person's answer by text: the same exit, classification and rep handoff as an email reply. */
async function replied(
  trx: Executor,
  workspace: Workspace,
  contact: Contact,
  sms: InboundSms,
  from: string,
  smsInboundId: string,
  nowUtcMs: number,
  outcome: InboundSmsOutcome,
): Promise<void> {
  const verdict = readIntent(sms.body.replace(/[’‘]/g, "'"));
  const classification: Classification = {
    class: "human_reply",
    intent: verdict.intent,
    rule: verdict.intent === "other" ? "no intent pattern matched" : `intent: "${verdict.phrase}"`,
    confidence: verdict.confidence,
  };
  const lastText = (await messagesOfContact(trx, contact.id, 50)).find(
    (m) => m.channel === "sms" && m.sent_at !== null,
  );
  const snippet = sms.body.trim().slice(0, 2000);
  const inbound = await insertInboundMessage(trx, {
    workspace_id: workspace.id,
    mailbox_id: null,
    source: "sms",
    message_id_header: null,
    from_address: from,
    subject: null,
    class: "human_reply",
    intent: classification.intent ?? null,
    rule: classification.rule,
    return_date: null,
    contact_id: contact.id,
    matched_message_id: lastText?.id ?? null,
    snippet,
    details: {
      channel: "sms",
      provider_sid: sms.messageSid,
      to: sms.to,
      confidence: classification.confidence,
    },
    raw: sms.body,
    received_at: nowUtcMs,
  });
  await updateSmsInbound(trx, smsInboundId, { inbound_message_id: inbound.id });
  const ingested = await ingestEvent(
    trx,
    workspace,
    {
      type: "sms.replied",
      contactId: contact.id,
      enrollmentId: lastText?.enrollment_id ?? null,
      messageId: lastText?.id ?? null,
      data: {
        inbound_id: inbound.id,
        class: "human_reply",
        intent: classification.intent ?? null,
        rule: classification.rule,
        step: lastText?.step_id ?? null,
        from,
        snippet,
      },
      occurredAtUtcMs: nowUtcMs,
      source: "inbound:sms",
      dedupeKey: `inbound:${inbound.id}`,
    },
    nowUtcMs,
    { enrollTriggers: false },
  );
  outcome.actions.push(
    ...ingested.affected.map(
      (a) => `enrollment ${a.enrollmentId}: ${a.status}${a.exitReason ? ` (${a.exitReason})` : ""}`,
    ),
  );
  await handoff(trx, workspace, contact, inbound, classification, snippet, nowUtcMs);
  outcome.actions.push("handoff task created");
  await enqueueWebhookDeliveries(
    trx,
    workspace.id,
    "reply.received",
    {
      contact_id: contact.id,
      email: contact.email,
      phone: from,
      channel: "sms",
      intent: classification.intent ?? null,
      subject: null,
      snippet,
      inbound_id: inbound.id,
    },
    nowUtcMs,
  );
}

/**
 * The contacts a number belongs to: those we texted from the number it wrote to first (same
 * thread), then anyone we texted at it, then contacts whose stored number normalises to it.
 */
export async function contactsAtPhone(
  trx: Executor,
  workspaceId: string,
  e164: string,
  ourNumber: string,
  region: string,
): Promise<Contact[]> {
  const ids = await contactsByStickyPhone(trx, workspaceId, e164, ourNumber);
  const contacts: Contact[] = [];
  for (const id of ids) {
    const contact = await getContact(trx, workspaceId, id);
    if (contact) contacts.push(contact);
  }
  const lastDigits = e164.replace(/\D/g, "").slice(-7);
  if (lastDigits.length < 7) return contacts;
  const rows = await trx
    .selectFrom("contacts")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("phone", "like", `%${lastDigits.slice(-4)}`)
    .orderBy("id")
    .limit(200)
    .execute();
  for (const row of rows) {
    if (contacts.some((c) => c.id === row.id)) continue;
    const parsed = parsePhone(row.phone, region);
    if (parsed.ok && parsed.e164 === e164) contacts.push(toContact(row));
  }
  return contacts;
}
