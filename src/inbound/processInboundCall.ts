// A prospect calls one of our numbers (often after a voicemail drop): that is a human answer.
// The call is recorded as `call.received`, which ends their running enrollments as `replied`,
// and the contact's owner gets a task to call back, with the number. When that rep has a phone
// on file the call is put through to it; a call they answer closes the call-back task as
// `connected`. The same call delivered twice (the provider retries) is processed once.

import { assigneeFor } from "../engine/assignTask.ts";
import { completeTaskWithOutcome } from "../engine/enrollmentCommands.ts";
import { ingestEvent } from "../engine/ingestEvent.ts";
import { openTask } from "../engine/openTask.ts";
import type { Executor } from "../store/executor.ts";
import { loadSmsSettings } from "../store/repos/smsSettings.ts";
import { openTasksWithKeyPrefix } from "../store/repos/tasks.ts";
import { getUser } from "../store/repos/users.ts";
import type { Workspace } from "../store/schema.ts";
import { contactsAtPhone } from "./processInboundSms.ts";

export interface InboundCall {
  callSid: string;
  /** The caller, E.164. */
  from: string;
  /** Our number they called. */
  to: string;
}

export interface InboundCallOutcome {
  contactIds: string[];
  duplicate: boolean;
  actions: string[];
  /** The phone (E.164) of the caller's rep, when they have one: the call is put through to it. */
  forwardTo: string | null;
}

export async function processInboundCall(
  trx: Executor,
  workspace: Workspace,
  call: InboundCall,
  nowUtcMs: number,
): Promise<InboundCallOutcome> {
  const settings = await loadSmsSettings(trx, workspace);
  const contacts = await contactsAtPhone(trx, workspace.id, call.from, call.to, settings.defaultRegion);
  const outcome: InboundCallOutcome = {
    contactIds: contacts.map((c) => c.id),
    duplicate: false,
    actions: [],
    forwardTo: null,
  };
  const source = `voice:${call.callSid}`;
  for (const contact of contacts) {
    const assignee = await assigneeFor(trx, workspace.id, contact);
    if (outcome.forwardTo === null && assignee) {
      const rep = await getUser(trx, workspace.id, assignee);
      if (rep?.active === 1 && rep.phone && rep.phone !== call.from) outcome.forwardTo = rep.phone;
    }
    const ingested = await ingestEvent(
      trx,
      workspace,
      {
        type: "call.received",
        contactId: contact.id,
        data: { from: call.from, to: call.to, call_sid: call.callSid },
        occurredAtUtcMs: nowUtcMs,
        source,
        dedupeKey: `${source}:${contact.id}`,
      },
      nowUtcMs,
      { enrollTriggers: false },
    );
    if (ingested.duplicate) {
      outcome.duplicate = true;
      continue;
    }
    outcome.actions.push(
      ...ingested.affected.map((a) => `enrollment ${a.enrollmentId}: ${a.status} (${a.exitReason ?? ""})`),
    );
    const name =
      [contact.firstName, contact.lastName].filter(Boolean).join(" ") || contact.email || call.from;
    await openTask(
      trx,
      {
        workspace_id: workspace.id,
        contact_id: contact.id,
        type: "call",
        title: `Call back ${name}: they called ${call.to}`,
        note: `Inbound call from ${call.from}`,
        assignee_id: assignee,
        due_at: nowUtcMs,
        idempotency_key: `callback:${call.callSid}:${contact.id}`,
        data: { phone: call.from, call_sid: call.callSid },
      },
      nowUtcMs,
    );
    outcome.actions.push(`call-back task for ${contact.id}`);
  }
  return outcome;
}

/** How a forwarded call ended, from the provider's `<Dial action>` request. */
export interface DialResult {
  callSid: string;
  /** Twilio's DialCallStatus: completed, answered, busy, no-answer, failed, canceled. */
  status: string;
}

/**
 * A forwarded call the rep answered closes the call's call-back tasks as `connected`; any other
 * ending leaves them open for the rep. Returns whether the rep spoke with the caller.
 */
export async function processDialResult(
  trx: Executor,
  workspace: Workspace,
  result: DialResult,
  nowUtcMs: number,
): Promise<{ connected: boolean; closedTaskIds: string[] }> {
  const connected = result.status === "completed" || result.status === "answered";
  if (!connected) return { connected, closedTaskIds: [] };
  const tasks = await openTasksWithKeyPrefix(trx, workspace.id, `callback:${result.callSid}:`);
  for (const task of tasks) {
    await completeTaskWithOutcome(trx, workspace, task.id, "connected", nowUtcMs, {
      note: "the call was put through and answered",
      by: "call forwarding",
    });
  }
  return { connected, closedTaskIds: tasks.map((t) => t.id) };
}
