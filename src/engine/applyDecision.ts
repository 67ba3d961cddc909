// Writes what `decide` returned: the enrollment's new state and each effect (outbox rows,
// tasks, contact and deal updates, exits, completion), all inside the caller's transaction.

import { emailDomain } from "../domain/contact/companyDomain.ts";
import type { Decision, Effect, EnrollmentState } from "../domain/enrollment/types.ts";
import type { SequenceDefinition } from "../domain/sequence/definition.ts";
import type { Executor } from "../store/executor.ts";
import type { Contact } from "../store/repos/contacts.ts";
import { updateContact } from "../store/repos/contacts.ts";
import { changeDealStage, currentDealForContact } from "../store/repos/deals.ts";
import { saveEnrollmentState } from "../store/repos/enrollments.ts";
import { recordEvent } from "../store/repos/events.ts";
import { getMailbox, mailboxForOwner } from "../store/repos/mailboxes.ts";
import { insertOutboxMessage, updateMessage } from "../store/repos/messages.ts";
import { getSequenceByKey } from "../store/repos/sequences.ts";
import { cancelOpenTasksOfEnrollment, skipOpenTasksOfStep } from "../store/repos/tasks.ts";
import { enqueueWebhookDeliveries } from "../store/repos/webhooks.ts";
import { workspaceSettings } from "../store/repos/workspaces.ts";
import type { EnrollmentRow, MailboxRow, MessageRow, Workspace } from "../store/schema.ts";
import { assigneeFor } from "./assignTask.ts";
import { enrollContact, startQueuedEnrollment } from "./enroll.ts";
import { openTask } from "./openTask.ts";
import { isDoNotCall } from "./phoneTouch.ts";

export interface DecisionContext {
  trx: Executor;
  workspace: Workspace;
  enrollment: EnrollmentRow;
  definition: SequenceDefinition;
  contact: Contact;
  /** The owner's (else the default) mailbox when already read; undefined reads it when needed. */
  ownerMailbox?: MailboxRow | null;
  nowUtcMs: number;
}

/** What the caller may want to know after commit (e.g. whether to wake the sender). */
export interface AppliedDecision {
  state: EnrollmentState;
  queuedMessages: number;
}

export async function applyDecision(ctx: DecisionContext, decision: Decision): Promise<AppliedDecision> {
  await saveEnrollmentState(
    ctx.trx,
    ctx.enrollment.id,
    decision.state,
    ctx.nowUtcMs,
    ctx.enrollment.revision,
  );
  const applied: AppliedDecision = { state: decision.state, queuedMessages: 0 };
  for (const effect of decision.effects) {
    await applyEffect(ctx, effect, applied);
  }
  const ended = decision.state.status === "completed" || decision.state.status === "exited";
  if (ended && workspaceSettings(ctx.workspace).concurrentEnrollment === "queue") {
    await startQueuedEnrollment(ctx.trx, ctx.workspace, ctx.contact.id, ctx.nowUtcMs);
  }
  return applied;
}

async function applyEffect(ctx: DecisionContext, effect: Effect, applied: AppliedDecision): Promise<void> {
  const { trx, workspace, enrollment, contact, nowUtcMs } = ctx;
  const key = (step: string, visit: number) => `${enrollment.id}:${step}:${visit}`;
  switch (effect.kind) {
    case "send_email": {
      const mailbox = await pickMailbox(ctx);
      const to = contact.email;
      const queued = await insertOutboxMessage(
        trx,
        {
          workspace_id: workspace.id,
          enrollment_id: enrollment.id,
          contact_id: contact.id,
          step_id: effect.step,
          channel: "email",
          idempotency_key: key(effect.step, effect.visit),
          mailbox_id: mailbox?.id ?? null,
          variant: effect.variant,
          to_address: to,
          to_domain: to ? emailDomain(to) : null,
          from_address: mailbox?.from_address ?? null,
          next_attempt_at: nowUtcMs,
        },
        nowUtcMs,
      );
      await requeueIfHeld(trx, queued, { to_address: to, to_domain: to ? emailDomain(to) : null }, nowUtcMs);
      applied.queuedMessages += 1;
      return;
    }
    case "send_sms":
    case "send_voicemail": {
      const queued = await insertOutboxMessage(
        trx,
        {
          workspace_id: workspace.id,
          enrollment_id: enrollment.id,
          contact_id: contact.id,
          step_id: effect.step,
          channel: effect.kind === "send_sms" ? "sms" : "voicemail",
          idempotency_key: key(effect.step, effect.visit),
          to_address: contact.phone,
          next_attempt_at: nowUtcMs,
        },
        nowUtcMs,
      );
      await requeueIfHeld(trx, queued, { to_address: contact.phone }, nowUtcMs);
      applied.queuedMessages += 1;
      return;
    }
    case "call_webhook": {
      const visit = decisionVisits(applied.state, effect.step);
      await insertOutboxMessage(
        trx,
        {
          workspace_id: workspace.id,
          enrollment_id: enrollment.id,
          contact_id: contact.id,
          step_id: effect.step,
          channel: "webhook",
          idempotency_key: key(effect.step, visit),
          to_address: effect.url,
          subject: effect.method,
          body_text: JSON.stringify(
            effect.body ?? { enrollment_id: enrollment.id, contact_id: contact.id, step: effect.step },
          ),
          next_attempt_at: nowUtcMs,
        },
        nowUtcMs,
      );
      applied.queuedMessages += 1;
      return;
    }
    case "create_task": {
      const assignee = await assigneeFor(trx, workspace.id, contact);
      // A call to a number on the Do-Not-Call list must not be made: the rep sees why.
      const doNotCall = effect.type === "call" && (await isDoNotCall(trx, workspace, contact.phone));
      await openTask(
        trx,
        {
          workspace_id: workspace.id,
          contact_id: contact.id,
          enrollment_id: enrollment.id,
          step_id: effect.step,
          idempotency_key: key(effect.step, effect.visit),
          type: effect.type,
          title: doNotCall ? `Do not call (number on the Do-Not-Call list): ${effect.title}` : effect.title,
          note: effect.note,
          assignee_id: assignee,
          due_at: effect.dueAtUtcMs,
          window_end_at: effect.windowEndUtcMs,
          data: {
            sequence: ctx.definition.id,
            phone: contact.phone,
            email: contact.email,
            ...(doNotCall ? { do_not_call: true } : {}),
          },
        },
        nowUtcMs,
      );
      return;
    }
    case "update_contact": {
      const fields: Record<string, string | number | boolean | null> = {};
      const attributes: Record<string, string | null> = {};
      for (const [path, value] of Object.entries(effect.set)) {
        if (path.startsWith("fields.")) fields[path.slice("fields.".length)] = value;
        else attributes[path] = value === null ? null : String(value);
      }
      await updateContact(
        trx,
        workspace.id,
        contact.id,
        {
          addTags: effect.addTags,
          removeTags: effect.removeTags,
          ...(Object.keys(fields).length > 0 ? { fields } : {}),
          ...pickContactAttributes(attributes),
        },
        nowUtcMs,
      );
      return;
    }
    case "update_deal": {
      const deal = await currentDealForContact(trx, workspace.id, contact.id, contact.accountId);
      if (deal) {
        const moved = await changeDealStage(
          trx,
          workspace.id,
          deal.id,
          effect.stage,
          `sequence:${ctx.definition.id}`,
          nowUtcMs,
        );
        if (moved?.changed) {
          await recordEvent(
            trx,
            {
              workspaceId: workspace.id,
              type: "deal.stage_changed",
              contactId: contact.id,
              enrollmentId: enrollment.id,
              data: { deal_id: deal.id, from: moved.fromStage, to: effect.stage },
              occurredAtUtcMs: nowUtcMs,
              source: "sequence",
            },
            nowUtcMs,
          );
        }
      }
      return;
    }
    case "skip_task": {
      await skipOpenTasksOfStep(trx, enrollment.id, effect.step, nowUtcMs);
      return;
    }
    case "hold": {
      await recordEvent(
        trx,
        {
          workspaceId: workspace.id,
          type: "touch.held",
          contactId: contact.id,
          enrollmentId: enrollment.id,
          data: { step: effect.step, reason: effect.reason, sequence: ctx.definition.id },
          occurredAtUtcMs: nowUtcMs,
          source: "engine",
        },
        nowUtcMs,
      );
      return;
    }
    case "exit": {
      await cancelOpenTasksOfEnrollment(trx, enrollment.id, nowUtcMs);
      await trx
        .updateTable("messages")
        .set({ status: "cancelled", last_error: `enrollment exited: ${effect.reason}`, updated_at: nowUtcMs })
        .where("enrollment_id", "=", enrollment.id)
        .where("status", "=", "queued")
        .execute();
      await recordEvent(
        trx,
        {
          workspaceId: workspace.id,
          type: "enrollment.exited",
          contactId: contact.id,
          enrollmentId: enrollment.id,
          data: { reason: effect.reason, detail: effect.detail, sequence: ctx.definition.id },
          occurredAtUtcMs: nowUtcMs,
          source: "engine",
        },
        nowUtcMs,
      );
      await enqueueWebhookDeliveries(
        trx,
        workspace.id,
        "enrollment.exited",
        {
          enrollment_id: enrollment.id,
          contact_id: contact.id,
          email: contact.email,
          sequence: ctx.definition.id,
          reason: effect.reason,
          detail: effect.detail,
        },
        nowUtcMs,
      );
      return;
    }
    case "complete": {
      if (effect.addTags.length > 0 || effect.stage) {
        await updateContact(
          trx,
          workspace.id,
          contact.id,
          { addTags: effect.addTags, ...(effect.stage ? { lifecycleStage: effect.stage } : {}) },
          nowUtcMs,
        );
      }
      if (effect.task) {
        await openTask(
          trx,
          {
            workspace_id: workspace.id,
            contact_id: contact.id,
            enrollment_id: enrollment.id,
            idempotency_key: `${enrollment.id}:on_complete`,
            type: effect.task.type,
            title: effect.task.title,
            note: effect.task.note,
            assignee_id: await assigneeFor(trx, workspace.id, contact),
            due_at: nowUtcMs,
          },
          nowUtcMs,
        );
      }
      await recordEvent(
        trx,
        {
          workspaceId: workspace.id,
          type: "sequence.completed",
          contactId: contact.id,
          enrollmentId: enrollment.id,
          data: { sequence: ctx.definition.id },
          occurredAtUtcMs: nowUtcMs,
          source: "engine",
        },
        nowUtcMs,
      );
      await enqueueWebhookDeliveries(
        trx,
        workspace.id,
        "sequence.completed",
        {
          enrollment_id: enrollment.id,
          contact_id: contact.id,
          email: contact.email,
          sequence: ctx.definition.id,
        },
        nowUtcMs,
      );
      if (effect.enroll) {
        // The follow-up sequence starts later: its enrollment is created now, first step due then.
        const next = await getSequenceByKey(trx, workspace.id, effect.enroll.sequence);
        if (next) {
          await enrollContact(trx, workspace, next, contact.id, effect.enroll.atUtcMs, {
            enrolledBy: `on_complete:${ctx.definition.id}`,
          });
        }
      }
      return;
    }
    default: {
      const unhandled: never = effect;
      throw new Error(`unhandled effect ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * A held touch re-emitted by `decide` (the contact was fixed) has the same idempotency key:
 * the held row goes back in the queue with the contact's current address.
 */
async function requeueIfHeld(
  trx: Executor,
  queued: { message: MessageRow; created: boolean },
  address: Partial<MessageRow>,
  nowUtcMs: number,
): Promise<void> {
  if (queued.created || queued.message.status !== "held") return;
  await updateMessage(
    trx,
    queued.message.id,
    { ...address, status: "queued", hold_reason: null, next_attempt_at: nowUtcMs },
    nowUtcMs,
  );
}

function decisionVisits(state: EnrollmentState, step: string): number {
  return state.visits[step] ?? 1;
}

async function pickMailbox(ctx: DecisionContext) {
  const choice = ctx.definition.mailbox;
  if (choice && choice !== "owner") {
    const named = await getMailbox(ctx.trx, ctx.workspace.id, choice);
    if (named) return named;
  }
  if (ctx.ownerMailbox !== undefined) return ctx.ownerMailbox;
  return mailboxForOwner(ctx.trx, ctx.workspace.id, ctx.contact.ownerId);
}

const SETTABLE_ATTRIBUTES = [
  "first_name",
  "last_name",
  "title",
  "phone",
  "time_zone",
  "lifecycle_stage",
] as const;

function pickContactAttributes(attributes: Record<string, string | null>) {
  const out: {
    firstName?: string | null;
    lastName?: string | null;
    title?: string | null;
    phone?: string | null;
    timeZone?: string | null;
    lifecycleStage?: string | null;
  } = {};
  for (const name of SETTABLE_ATTRIBUTES) {
    if (!(name in attributes)) continue;
    const value = attributes[name] ?? null;
    if (name === "first_name") out.firstName = value;
    else if (name === "last_name") out.lastName = value;
    else if (name === "title") out.title = value;
    else if (name === "phone") out.phone = value;
    else if (name === "time_zone") out.timeZone = value;
    else out.lifecycleStage = value;
  }
  return out;
}
