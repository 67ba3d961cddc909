// The inbound pipeline: one raw message in, everything it means applied in one transaction —
// stored once (by Message-ID), matched to our touch and contact, and acted on: a human reply
// exits (and may stop colleagues) and hands off to a rep; an out-of-office pauses; a hard
// bounce exits and suppresses; an unsubscribe request suppresses everywhere.

import { stripQuotedAndSignature } from "../domain/reply/index.ts";
import type { Classification, ParsedInbound } from "../domain/reply/types.ts";
import { assigneeFor } from "../engine/assignTask.ts";
import { ingestEvent } from "../engine/ingestEvent.ts";
import { openTask } from "../engine/openTask.ts";
import type { Executor } from "../store/executor.ts";
import { type Contact, getContact, getContactByEmail } from "../store/repos/contacts.ts";
import { eventsOfContact, recordEvent } from "../store/repos/events.ts";
import {
  findInboundByMessageId,
  type InboundMessageRow,
  insertInboundMessage,
} from "../store/repos/inboundMessages.ts";
import { findMessageByHeaderId, messagesOfContact, updateMessage } from "../store/repos/messages.ts";
import { addSuppression } from "../store/repos/suppressions.ts";
import { enqueueWebhookDeliveries } from "../store/repos/webhooks.ts";
import type { MessageRow, Workspace } from "../store/schema.ts";
import { classifyRaw } from "./classifyRaw.ts";

export interface InboundOutcome {
  inbound: InboundMessageRow | null;
  duplicate: boolean;
  classification: Classification | null;
  contactId: string | null;
  matchedMessageId: string | null;
  matchedBy: "thread" | "bounce_original" | "bounce_recipient" | "sender" | null;
  actions: string[];
  error?: string;
}

/** Days after a "not now" reply when the owner is asked to re-engage. */
export const NOT_NOW_REENGAGE_DAYS = 90;
/** Soft bounces to one address within this many days before it counts as dead. */
const SOFT_BOUNCE_LIMIT = 3;
const SOFT_BOUNCE_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

export async function processInboundEmail(
  trx: Executor,
  workspace: Workspace,
  raw: Buffer | string,
  meta: { source: "imap" | "api"; mailboxId?: string | null },
  nowUtcMs: number,
): Promise<InboundOutcome> {
  const result = await classifyRaw(raw, { receivedAtUtcMs: nowUtcMs, defaultZone: workspace.time_zone });
  const outcome: InboundOutcome = {
    inbound: null,
    duplicate: false,
    classification: null,
    contactId: null,
    matchedMessageId: null,
    matchedBy: null,
    actions: [],
  };
  if (!result.ok) {
    outcome.error = result.error.message;
    return outcome;
  }
  const { classification, message } = result;
  outcome.classification = classification;
  if (message.messageId) {
    const seen = await findInboundByMessageId(trx, workspace.id, message.messageId);
    if (seen) return { ...outcome, inbound: seen, duplicate: true };
  }

  const match = await matchInbound(trx, workspace, message, classification);
  outcome.contactId = match.contact?.id ?? null;
  outcome.matchedMessageId = match.message?.id ?? null;
  outcome.matchedBy = match.by;
  const snippet =
    classification.class === "human_reply" ? stripQuotedAndSignature(message.text).slice(0, 2000) : null;
  const inbound = await insertInboundMessage(trx, {
    workspace_id: workspace.id,
    mailbox_id: meta.mailboxId ?? null,
    source: meta.source,
    message_id_header: message.messageId,
    from_address: message.from?.address ?? null,
    subject: message.subject,
    class: classification.class,
    intent: classification.intent ?? null,
    rule: classification.rule,
    return_date: classification.returnDate ?? null,
    contact_id: match.contact?.id ?? null,
    matched_message_id: match.message?.id ?? null,
    snippet,
    details: {
      bounce: classification.bounce ?? null,
      referral: classification.referral ?? null,
      confidence: classification.confidence,
    },
    raw: typeof raw === "string" ? raw : raw.toString("utf8"),
    received_at: nowUtcMs,
  });
  outcome.inbound = inbound;
  if (!match.contact) {
    outcome.actions.push("unmatched: stored and ignored");
    return outcome;
  }
  await act(
    trx,
    workspace,
    inbound,
    classification,
    match.contact,
    match.message,
    snippet,
    nowUtcMs,
    outcome,
  );
  return outcome;
}

async function matchInbound(
  trx: Executor,
  workspace: Workspace,
  message: ParsedInbound,
  classification: Classification,
): Promise<{ contact: Contact | null; message: MessageRow | null; by: InboundOutcome["matchedBy"] }> {
  const isBounce = classification.class === "bounce_hard" || classification.class === "bounce_soft";
  if (isBounce) {
    const original =
      classification.bounce?.originalMessageId ?? message.originalHeaders?.["message-id"]?.[0] ?? null;
    if (original) {
      const ours = await findMessageByHeaderId(trx, workspace.id, original);
      if (ours)
        return {
          contact: (await getContact(trx, workspace.id, ours.contact_id)) ?? null,
          message: ours,
          by: "bounce_original",
        };
    }
    const recipient = classification.bounce?.recipient;
    if (recipient) {
      const contact = await getContactByEmail(trx, workspace.id, recipient);
      if (contact) return { contact, message: null, by: "bounce_recipient" };
    }
    return { contact: null, message: null, by: null };
  }
  // A reply in our thread names our Message-ID, even when it comes from another address or alias.
  for (const ref of [message.inReplyTo, ...[...message.references].reverse()]) {
    if (!ref) continue;
    const ours = await findMessageByHeaderId(trx, workspace.id, ref);
    if (ours)
      return {
        contact: (await getContact(trx, workspace.id, ours.contact_id)) ?? null,
        message: ours,
        by: "thread",
      };
  }
  const from = message.from?.address;
  if (from) {
    const contact = await getContactByEmail(trx, workspace.id, from);
    if (contact) return { contact, message: null, by: "sender" };
  }
  return { contact: null, message: null, by: null };
}

async function act(
  trx: Executor,
  workspace: Workspace,
  inbound: InboundMessageRow,
  c: Classification,
  contact: Contact,
  ours: MessageRow | null,
  snippet: string | null,
  nowUtcMs: number,
  outcome: InboundOutcome,
): Promise<void> {
  const base = {
    contactId: contact.id,
    enrollmentId: ours?.enrollment_id ?? null,
    messageId: ours?.id ?? null,
    occurredAtUtcMs: nowUtcMs,
    source: `inbound:${inbound.source}`,
    dedupeKey: `inbound:${inbound.id}`,
  };
  const eventData = {
    inbound_id: inbound.id,
    class: c.class,
    intent: c.intent ?? null,
    rule: c.rule,
    step: ours?.step_id ?? null,
    subject: inbound.subject,
    from: inbound.from_address,
  };
  switch (c.class) {
    case "human_reply": {
      const ingested = await ingestEvent(
        trx,
        workspace,
        { ...base, type: "email.replied", data: { ...eventData, snippet } },
        nowUtcMs,
        {
          enrollTriggers: false,
        },
      );
      outcome.actions.push(
        ...ingested.affected.map(
          (a) => `enrollment ${a.enrollmentId}: ${a.status}${a.exitReason ? ` (${a.exitReason})` : ""}`,
        ),
      );
      await handoff(trx, workspace, contact, inbound, c, snippet, nowUtcMs);
      outcome.actions.push("handoff task created");
      if (c.intent === "not_now") {
        await openTask(
          trx,
          {
            workspace_id: workspace.id,
            contact_id: contact.id,
            type: "task",
            title: `Re-engage ${displayName(contact)} (said "not now" ${NOT_NOW_REENGAGE_DAYS} days ago)`,
            note: snippet,
            assignee_id: await assigneeFor(trx, workspace.id, contact),
            due_at: nowUtcMs + NOT_NOW_REENGAGE_DAYS * DAY_MS,
            idempotency_key: `reengage:${inbound.id}`,
            data: { inbound_id: inbound.id, reason: "not_now" },
          },
          nowUtcMs,
        );
        outcome.actions.push(`re-engagement scheduled in ${NOT_NOW_REENGAGE_DAYS} days`);
      }
      await enqueueWebhookDeliveries(
        trx,
        workspace.id,
        "reply.received",
        {
          contact_id: contact.id,
          email: contact.email,
          intent: c.intent ?? null,
          subject: inbound.subject,
          snippet,
          inbound_id: inbound.id,
        },
        nowUtcMs,
      );
      return;
    }
    case "auto_reply": {
      const ingested = await ingestEvent(
        trx,
        workspace,
        { ...base, type: "reply.auto_reply", data: { ...eventData, return_date: c.returnDate ?? null } },
        nowUtcMs,
        { enrollTriggers: false },
      );
      outcome.actions.push(...ingested.affected.map((a) => `enrollment ${a.enrollmentId}: ${a.status}`));
      return;
    }
    case "bounce_hard":
    case "bounce_soft": {
      const address = c.bounce?.recipient ?? ours?.to_address ?? contact.email;
      let hard = c.class === "bounce_hard";
      if (!hard && address) {
        const recent = await eventsOfContact(trx, contact.id, {
          types: ["email.bounced"],
          sinceUtcMs: nowUtcMs - SOFT_BOUNCE_WINDOW_DAYS * DAY_MS,
        });
        // Repeated soft bounces: the mailbox is not coming back.
        if (recent.filter((e) => e.data.hard === false).length + 1 >= SOFT_BOUNCE_LIMIT) hard = true;
      }
      if (ours && hard)
        await updateMessage(
          trx,
          ours.id,
          { status: "bounced", last_error: c.bounce?.diagnostic ?? c.rule },
          nowUtcMs,
        );
      if (hard && address) {
        await addSuppression(
          trx,
          workspace.id,
          {
            kind: "email",
            value: address,
            reason: "hard_bounce",
            source: `dsn:${c.bounce?.status ?? "unknown"}`,
          },
          nowUtcMs,
        );
        outcome.actions.push(`suppressed ${address}`);
      }
      const ingested = await ingestEvent(
        trx,
        workspace,
        {
          ...base,
          type: "email.bounced",
          data: {
            ...eventData,
            hard,
            status: c.bounce?.status ?? null,
            recipient: address,
            diagnostic: c.bounce?.diagnostic ?? null,
          },
        },
        nowUtcMs,
        { enrollTriggers: false },
      );
      outcome.actions.push(
        ...ingested.affected.map(
          (a) => `enrollment ${a.enrollmentId}: ${a.status}${a.exitReason ? ` (${a.exitReason})` : ""}`,
        ),
      );
      await enqueueWebhookDeliveries(
        trx,
        workspace.id,
        "message.bounced",
        {
          contact_id: contact.id,
          email: address,
          hard,
          status: c.bounce?.status ?? null,
          message_id: ours?.id ?? null,
        },
        nowUtcMs,
      );
      return;
    }
    case "unsubscribe_request": {
      for (const address of new Set([contact.email, inbound.from_address].filter((a): a is string => !!a))) {
        await addSuppression(
          trx,
          workspace.id,
          { kind: "email", value: address, reason: "unsubscribed", source: "reply" },
          nowUtcMs,
        );
        outcome.actions.push(`suppressed ${address}`);
      }
      const ingested = await ingestEvent(
        trx,
        workspace,
        { ...base, type: "contact.unsubscribed", data: { ...eventData, via: "reply" } },
        nowUtcMs,
        { enrollTriggers: false },
      );
      outcome.actions.push(...ingested.affected.map((a) => `enrollment ${a.enrollmentId}: ${a.status}`));
      return;
    }
    default: {
      const unhandled: never = c.class;
      throw new Error(`unhandled inbound class ${String(unhandled)}`);
    }
  }
}

function displayName(contact: Contact): string {
  return [contact.firstName, contact.lastName].filter(Boolean).join(" ") || contact.email || contact.id;
}

/** The rep's handoff: who answered, what they meant, and everything Nudge did before it. */
export async function handoff(
  trx: Executor,
  workspace: Workspace,
  contact: Contact,
  inbound: InboundMessageRow,
  c: Classification,
  snippet: string | null,
  nowUtcMs: number,
): Promise<void> {
  const [messages, events] = await Promise.all([
    messagesOfContact(trx, contact.id, 50),
    eventsOfContact(trx, contact.id, {
      limit: 200,
      types: ["email.opened", "email.clicked", "email.replied", "enrollment.exited"],
    }),
  ]);
  const timeline = [
    ...messages
      .filter((m) => m.sent_at !== null)
      .map((m) => ({
        at: new Date(m.sent_at ?? 0).toISOString(),
        kind: `${m.channel}.sent`,
        step: m.step_id,
        subject: m.subject,
      })),
    ...events
      .filter((e) => !e.machine)
      .map((e) => ({
        at: new Date(e.occurredAtUtcMs).toISOString(),
        kind: e.type,
        step: (e.data.step as string | null) ?? null,
        subject: null,
      })),
  ].sort((a, b) => (a.at < b.at ? 1 : -1));
  const label = c.intent ? c.intent.replace("_", " ") : "reply";
  await openTask(
    trx,
    {
      workspace_id: workspace.id,
      contact_id: contact.id,
      type: "handoff",
      title: `${displayName(contact)} replied (${label})${inbound.subject ? `: ${inbound.subject}` : ""}`,
      note: snippet,
      assignee_id: await assigneeFor(trx, workspace.id, contact),
      due_at: nowUtcMs,
      idempotency_key: `handoff:${inbound.id}`,
      data: { inbound_id: inbound.id, intent: c.intent ?? null, referral: c.referral ?? null, timeline },
    },
    nowUtcMs,
  );
  await recordEvent(
    trx,
    {
      workspaceId: workspace.id,
      type: "handoff.created",
      contactId: contact.id,
      data: { inbound_id: inbound.id, intent: c.intent ?? null },
      occurredAtUtcMs: nowUtcMs,
      source: "engine",
    },
    nowUtcMs,
  );
}
