// An incoming event, end to end in one transaction: store it, feed it to the contact's
// running enrollments (exits, pauses, wait_for), stop colleagues at the same account when a
// sequence asks for it, and enroll the contact into sequences whose trigger it matches.

import { isHumanReply } from "../domain/enrollment/matchEvent.ts";
import type { EventFact } from "../domain/enrollment/types.ts";
import { triggerMatches } from "../domain/trigger/matchEvent.ts";
import type { Executor } from "../store/executor.ts";
import { contactsAtAccount, getContact } from "../store/repos/contacts.ts";
import { runningEnrollmentsOfContact } from "../store/repos/enrollments.ts";
import { type EventInput, recordEvent, type StoredEvent } from "../store/repos/events.ts";
import { getSequenceVersion, listSequences } from "../store/repos/sequences.ts";
import type { Workspace } from "../store/schema.ts";
import { loadDefinition } from "./definitionCache.ts";
import { type EnrollResult, enrollContact } from "./enroll.ts";
import { toEventFact } from "./loadFacts.ts";
import { runEnrollment } from "./runEnrollment.ts";

export interface IngestResult {
  event: StoredEvent;
  duplicate: boolean;
  /** Enrollments this event moved, with their status afterwards. */
  affected: Array<{ enrollmentId: string; status: string; exitReason: string | null }>;
  enrolled: Array<{ sequence: string; result: EnrollResult }>;
  queuedMessages: number;
}

export async function ingestEvent(
  trx: Executor,
  workspace: Workspace,
  input: Omit<EventInput, "workspaceId">,
  nowUtcMs: number,
  opts: { enrollTriggers?: boolean } = {},
): Promise<IngestResult> {
  const { event, duplicate } = await recordEvent(trx, { ...input, workspaceId: workspace.id }, nowUtcMs);
  const result: IngestResult = { event, duplicate, affected: [], enrolled: [], queuedMessages: 0 };
  if (duplicate || !event.contactId) return result;

  const fact: EventFact = toEventFact(event);
  for (const enrollment of await runningEnrollmentsOfContact(trx, event.contactId)) {
    const applied = await runEnrollment(trx, workspace, enrollment, { kind: "event", event: fact }, nowUtcMs);
    result.queuedMessages += applied.queuedMessages;
    result.affected.push({
      enrollmentId: enrollment.id,
      status: applied.state.status,
      exitReason: applied.state.exitReason,
    });
  }

  if (isHumanReply(fact)) await stopColleagues(trx, workspace, event, nowUtcMs, result);
  if (opts.enrollTriggers !== false) await enrollByTrigger(trx, workspace, event, nowUtcMs, result);
  return result;
}

async function stopColleagues(
  trx: Executor,
  workspace: Workspace,
  event: StoredEvent,
  nowUtcMs: number,
  result: IngestResult,
): Promise<void> {
  const contact = event.contactId ? await getContact(trx, workspace.id, event.contactId) : undefined;
  if (!contact?.accountId) return;
  for (const colleague of await contactsAtAccount(trx, workspace.id, contact.accountId)) {
    if (colleague.id === contact.id) continue;
    for (const enrollment of await runningEnrollmentsOfContact(trx, colleague.id)) {
      const definition = await loadDefinition(trx, enrollment.sequence_version_id);
      if (!definition.exit.account) continue;
      const fact: EventFact = {
        type: "account.replied",
        occurredAtUtcMs: event.occurredAtUtcMs,
        data: { contact_id: contact.id, email: contact.email, event_id: event.id },
      };
      const applied = await runEnrollment(
        trx,
        workspace,
        enrollment,
        { kind: "event", event: fact },
        nowUtcMs,
      );
      result.affected.push({
        enrollmentId: enrollment.id,
        status: applied.state.status,
        exitReason: applied.state.exitReason,
      });
    }
  }
}

async function enrollByTrigger(
  trx: Executor,
  workspace: Workspace,
  event: StoredEvent,
  nowUtcMs: number,
  result: IngestResult,
): Promise<void> {
  if (!event.contactId) return;
  for (const sequence of await listSequences(trx, workspace.id, { status: "active" })) {
    const version = await getSequenceVersion(trx, sequence.id, sequence.current_version);
    if (!version) continue;
    const definition = await loadDefinition(trx, version.id);
    if (!definition.trigger || !triggerMatches(definition.trigger, event)) continue;
    const enrolled = await enrollContact(trx, workspace, sequence, event.contactId, nowUtcMs, {
      enrolledBy: `trigger:${event.type}`,
    });
    if (enrolled.status === "enrolled") result.queuedMessages += enrolled.queuedMessages;
    result.enrolled.push({ sequence: sequence.key, result: enrolled });
  }
}
