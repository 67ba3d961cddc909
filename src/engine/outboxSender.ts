// Drains the outbox. Per batch: one transaction claims due rows and runs the send-time checks;
// sandbox touches are captured and marked sent in that same transaction (exactly once); live
// touches are marked `sending` and committed before the transport is called, and their result
// is written in a second transaction. A crash between the two leaves `sending`, which becomes
// `uncertain` (never resent automatically).

import type { Logger } from "pino";
import type { DeliveryResult, EmailTransport } from "../channels/delivery.ts";
import { composeEmail, replySubject } from "../channels/email/composeEmail.ts";
import { type DkimSigningKey, dkimSigningKeyOf } from "../channels/email/dkimKeys.ts";
import { signToken } from "../channels/email/signedToken.ts";
import type { SmsDeliveryResult } from "../channels/sms/provider.ts";
import { emailDomain } from "../domain/contact/companyDomain.ts";
import { escapeHtml } from "../domain/template/mergeSlots.ts";
import type { StoreEngine } from "../store/dialect/storeEngine.ts";
import type { Executor } from "../store/executor.ts";
import { claimOutboxMessages } from "../store/ops/claimOutboxMessages.ts";
import { captureMessage } from "../store/repos/capturedMessages.ts";
import { getEnrollment } from "../store/repos/enrollments.ts";
import { recordEvent } from "../store/repos/events.ts";
import { getMessage, lastSentEmailOfEnrollment, updateMessage } from "../store/repos/messages.ts";
import { addSuppression } from "../store/repos/suppressions.ts";
import { enqueueWebhookDeliveries } from "../store/repos/webhooks.ts";
import { getWorkspace, workspaceSettings } from "../store/repos/workspaces.ts";
import type { EnrollmentRow, MessageRow, MessageUpdate, Workspace } from "../store/schema.ts";
import { transact } from "../store/transact.ts";
import { type LoadedFacts, toEventFact } from "./loadFacts.ts";
import {
  deliverPhoneTouch,
  isPhoneChannel,
  type PhoneSend,
  recordPhoneAccepted,
  recordPhoneRefused,
  SKIPPING_PHONE_REASONS,
  stagePhoneTouch,
} from "./phoneTouch.ts";
import { prepareTouch, type TouchVerdict } from "./prepareTouch.ts";
import { runEnrollment } from "./runEnrollment.ts";
import { trackMessageHtml } from "./tracking.ts";

export interface SenderDeps {
  engine: StoreEngine;
  /** Live email; null means live email cannot go out (held with `no_email_transport`). */
  emailTransport: EmailTransport | null;
  /** Base URL for unsubscribe and tracking links, e.g. https://nudge.example.com */
  publicUrl: string;
  logger?: Logger;
  maxAttempts?: number;
  fetchImpl?: typeof fetch;
  /** How long an SMS/voice provider call may take before it counts as uncertain (default 15 s). */
  phoneTimeoutMs?: number;
  /** Deliveries in flight at once (default 4): SMTP pools keep several connections open. */
  sendConcurrency?: number;
}

export interface SendReport {
  claimed: number;
  sent: number;
  captured: number;
  deferred: number;
  held: number;
  cancelled: number;
  failed: number;
  exited: number;
}

interface LiveSend {
  message: MessageRow;
  workspace: Workspace;
  raw: Buffer | null;
  /** The sending mailbox's DKIM key; absent sends unsigned. */
  dkim?: DkimSigningKey | null;
  /** A text or voicemail drop: the provider call to make. */
  phone?: PhoneSend;
}

const RETRY_BASE_MS = 60_000;

export function retryDelayMs(attempt: number, jitter: number): number {
  // 1m, 2m, 4m … capped at 6h, with ±20% jitter so retries from one outage spread out.
  const base = Math.min(RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1), 6 * 3_600_000);
  return Math.round(base * (0.8 + 0.4 * jitter));
}

export async function sendDueMessages(
  deps: SenderDeps,
  opts: { nowUtcMs: number; workspaceId?: string; excludeWorkspaceIds?: string[]; limit?: number },
): Promise<SendReport> {
  const report: SendReport = {
    claimed: 0,
    sent: 0,
    captured: 0,
    deferred: 0,
    held: 0,
    cancelled: 0,
    failed: 0,
    exited: 0,
  };
  const live: LiveSend[] = [];
  await transact(deps.engine, async (trx) => {
    const rows = await claimOutboxMessages(deps.engine, trx, {
      nowUtcMs: opts.nowUtcMs,
      limit: opts.limit ?? 50,
      ...(opts.workspaceId ? { workspaceId: opts.workspaceId } : {}),
      ...(opts.excludeWorkspaceIds ? { excludeWorkspaceIds: opts.excludeWorkspaceIds } : {}),
    });
    report.claimed = rows.length;
    const workspaces = new Map<string, Workspace>();
    for (const message of rows) {
      let workspace = workspaces.get(message.workspace_id);
      if (!workspace) {
        workspace = await getWorkspace(trx, message.workspace_id);
        if (!workspace) continue;
        workspaces.set(workspace.id, workspace);
      }
      const outcome = await stageMessage(deps, trx, workspace, message, opts.nowUtcMs);
      report[outcome.counter] += 1;
      if (outcome.live) live.push(outcome.live);
    }
  });
  // Claimed sends start in order, a few at a time, so a pooled SMTP transport's connections are
  // all used; each outcome is recorded in its own transaction as soon as it is known.
  let next = 0;
  const lanes = Math.max(1, Math.min(deps.sendConcurrency ?? 4, live.length));
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let send = live[next++]; send !== undefined; send = live[next++]) {
        const delivered = send;
        const result = await deliver(deps, delivered);
        await transact(deps.engine, (trx) =>
          recordDelivery(deps, trx, delivered, result, opts.nowUtcMs, report),
        );
      }
    }),
  );
  return report;
}

type Counter = keyof Omit<SendReport, "claimed">;

async function stageMessage(
  deps: SenderDeps,
  trx: Executor,
  workspace: Workspace,
  message: MessageRow,
  nowUtcMs: number,
): Promise<{ counter: Counter; live?: LiveSend }> {
  const secret = workspaceSettings(workspace).secret ?? workspace.id;
  const unsubscribeUrl = `${deps.publicUrl.replace(/\/$/, "")}/u/${signToken(secret, { purpose: "u", messageId: message.id })}`;
  const verdict = await prepareTouch(trx, workspace, message, nowUtcMs, unsubscribeUrl);
  switch (verdict.kind) {
    case "cancel":
      await updateMessage(trx, message.id, { status: "cancelled", last_error: verdict.reason }, nowUtcMs);
      return { counter: "cancelled" };
    case "defer":
      await updateMessage(
        trx,
        message.id,
        { next_attempt_at: verdict.untilUtcMs, hold_reason: `deferred:${verdict.reason}` },
        nowUtcMs,
      );
      return { counter: "deferred" };
    case "hold": {
      if (SKIPPING_PHONE_REASONS.has(verdict.reason)) {
        await skipTouch(trx, workspace, message, {}, verdict.reason, nowUtcMs);
        return { counter: "cancelled" };
      }
      await updateMessage(trx, message.id, { status: "held", hold_reason: verdict.reason }, nowUtcMs);
      await feedEnrollment(
        trx,
        workspace,
        message,
        { kind: "touch_held", step: message.step_id ?? "", reason: verdict.reason },
        nowUtcMs,
      );
      return { counter: "held" };
    }
    case "exit": {
      await updateMessage(trx, message.id, { status: "cancelled", last_error: verdict.detail }, nowUtcMs);
      await feedEnrollment(
        trx,
        workspace,
        message,
        { kind: "exit", reason: verdict.reason, detail: verdict.detail },
        nowUtcMs,
      );
      return { counter: "exited" };
    }
    case "ready":
      return stageReady(deps, trx, workspace, message, verdict, nowUtcMs, unsubscribeUrl);
    default: {
      const unhandled: never = verdict;
      throw new Error(`unhandled verdict ${JSON.stringify(unhandled)}`);
    }
  }
}

async function stageReady(
  deps: SenderDeps,
  trx: Executor,
  workspace: Workspace,
  message: MessageRow,
  verdict: TouchVerdict & { kind: "ready" },
  nowUtcMs: number,
  unsubscribeUrl: string,
): Promise<{ counter: Counter; live?: LiveSend }> {
  const rendered = verdict.rendered;
  let raw: Buffer | null = null;
  const patch: Partial<MessageRow> = { attempt_count: message.attempt_count + 1, hold_reason: null };
  if (rendered.channel === "email") {
    const domain =
      workspaceSettings(workspace).emailDomain ??
      (verdict.mailbox ? emailDomain(verdict.mailbox.from_address) : null) ??
      "nudge.invalid";
    const messageIdHeader = message.message_id_header ?? `${message.id}@${domain}`;
    let subject = rendered.subject;
    let inReplyTo: string | null = null;
    let references: string[] = [];
    if (verdict.step.kind === "email" && verdict.step.email.thread) {
      const parent = await lastSentEmailOfEnrollment(trx, verdict.enrollment.id);
      if (parent?.message_id_header) {
        subject = replySubject(parent.subject ?? subject);
        inReplyTo = parent.message_id_header;
        references = [
          ...(parent.references_header?.split(/\s+/).filter(Boolean) ?? []),
          parent.message_id_header,
        ];
      }
    }
    const withFooter = addFooter(
      rendered.text,
      rendered.html,
      unsubscribeUrl,
      workspaceSettings(workspace).postalAddress ?? null,
    );
    // Tracking changes the HTML part only; the text part keeps the real URLs (docs/tracking.md).
    const html = await trackMessageHtml(
      trx,
      {
        workspace,
        messageId: message.id,
        html: withFooter.html,
        settings: verdict.definition.tracking,
        publicUrl: deps.publicUrl,
      },
      nowUtcMs,
    );
    const fromAddress = verdict.mailbox?.from_address ?? `sandbox@${domain}`;
    raw = await composeEmail({
      from: { name: verdict.mailbox?.from_name ?? workspace.name, address: fromAddress },
      to: message.to_address ?? "",
      replyTo: verdict.mailbox?.reply_to ?? null,
      subject,
      text: withFooter.text,
      html,
      messageId: messageIdHeader,
      inReplyTo,
      references,
      unsubscribeUrl,
      unsubscribeMailto: `mailto:${fromAddress}?subject=unsubscribe`,
      dateUtcMs: nowUtcMs,
      headers: { "X-Nudge-Key": message.idempotency_key },
    });
    Object.assign(patch, {
      subject,
      body_text: withFooter.text,
      body_html: html,
      from_address: fromAddress,
      message_id_header: messageIdHeader,
      in_reply_to: inReplyTo,
      references_header: references.join(" ") || null,
    });
  } else {
    patch.body_text = rendered.text;
  }

  if (workspace.mode === "sandbox") {
    await captureMessage(
      trx,
      {
        workspace_id: workspace.id,
        message_id: message.id,
        channel: message.channel,
        to_address: (message.to_address ?? "").toLowerCase(),
        raw: raw ? raw.toString("utf8") : (patch.body_text ?? ""),
      },
      nowUtcMs,
    );
    await updateMessage(
      trx,
      message.id,
      { ...patch, status: "sent", sent_at: nowUtcMs, provider_message_id: "sandbox" },
      nowUtcMs,
    );
    // Same transaction as the checks: the enrollment and the facts they read are still current.
    await markSent(trx, workspace, { ...message, ...patch }, nowUtcMs, {
      enrollment: verdict.enrollment,
      loaded: verdict.loaded,
    });
    return { counter: "captured" };
  }
  if (isPhoneChannel(message.channel) && rendered.channel !== "email" && rendered.channel !== "webhook") {
    const staged = await stagePhoneTouch(trx, workspace, message, rendered, deps.publicUrl, nowUtcMs);
    if (staged.kind === "hold" && SKIPPING_PHONE_REASONS.has(staged.reason)) {
      await skipTouch(trx, workspace, message, patch, staged.reason, nowUtcMs);
      return { counter: "cancelled" };
    }
    if (staged.kind === "hold") {
      await updateMessage(
        trx,
        message.id,
        { ...patch, status: "held", hold_reason: staged.reason },
        nowUtcMs,
      );
      await feedEnrollment(
        trx,
        workspace,
        message,
        { kind: "touch_held", step: message.step_id ?? "", reason: staged.reason },
        nowUtcMs,
      );
      return { counter: "held" };
    }
    const phonePatch = { ...patch, from_address: staged.send.from, to_address: staged.send.to };
    await updateMessage(trx, message.id, { ...phonePatch, status: "sending" }, nowUtcMs);
    return {
      counter: "sent",
      live: {
        message: { ...message, ...phonePatch, status: "sending" },
        workspace,
        raw: null,
        phone: staged.send,
      },
    };
  }
  if (message.channel === "email" && !deps.emailTransport) {
    await updateMessage(
      trx,
      message.id,
      { ...patch, status: "held", hold_reason: "no_email_transport" },
      nowUtcMs,
    );
    await feedEnrollment(
      trx,
      workspace,
      message,
      { kind: "touch_held", step: message.step_id ?? "", reason: "no_email_transport" },
      nowUtcMs,
    );
    return { counter: "held" };
  }
  await updateMessage(trx, message.id, { ...patch, status: "sending" }, nowUtcMs);
  const dkim = verdict.mailbox ? dkimSigningKeyOf(verdict.mailbox) : null;
  return {
    counter: "sent",
    live: { message: { ...message, ...patch, status: "sending" }, workspace, raw, dkim },
  };
}

/**
 * The footer every email carries: the unsubscribe link (unless the body already has it) and the
 * sender's postal address when the workspace has one (CAN-SPAM asks for both).
 */
function addFooter(
  text: string,
  html: string,
  url: string,
  postalAddress: string | null,
): { text: string; html: string } {
  const lines = (postalAddress ?? "")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const hasLink = text.includes(url);
  if (hasLink && lines.length === 0) return { text, html };
  const textFooter = [
    ...(hasLink ? [] : [`If you'd rather not hear from me again, unsubscribe here: ${url}`]),
    ...lines,
  ].join("\n");
  const htmlFooter = [
    ...(hasLink ? [] : [`If you'd rather not hear from me again, <a href="${url}">unsubscribe here</a>.`]),
    ...(lines.length > 0 ? [lines.map(escapeHtml).join("<br>")] : []),
  ].join("<br>");
  return {
    text: `${text.trimEnd()}\n\n--\n${textFooter}\n`,
    html: `${html}\n<p style="color:#666;font-size:12px">${htmlFooter}</p>`,
  };
}

async function deliver(deps: SenderDeps, send: LiveSend): Promise<SmsDeliveryResult> {
  const { message } = send;
  if (send.phone) {
    return deliverPhoneTouch(send.phone, {
      ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
      ...(deps.phoneTimeoutMs ? { timeoutMs: deps.phoneTimeoutMs } : {}),
    });
  }
  if (message.channel === "webhook") return callWebhook(deps, message);
  if (!deps.emailTransport || !send.raw)
    return { ok: false, permanent: false, code: null, message: "no transport" };
  return deps.emailTransport.sendEmail({
    outboxId: message.id,
    from: message.from_address ?? "",
    to: message.to_address ?? "",
    raw: send.raw,
    mailboxId: message.mailbox_id,
    dkim: send.dkim ?? null,
  });
}

async function callWebhook(deps: SenderDeps, message: MessageRow): Promise<DeliveryResult> {
  const doFetch = deps.fetchImpl ?? fetch;
  try {
    const response = await doFetch(message.to_address ?? "", {
      method: message.subject === "PUT" ? "PUT" : "POST",
      headers: { "content-type": "application/json", "idempotency-key": message.idempotency_key },
      body: message.body_text ?? "{}",
      signal: AbortSignal.timeout(10_000),
    });
    if (response.ok) return { ok: true, providerMessageId: null, response: String(response.status) };
    const permanent =
      response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 408;
    return {
      ok: false,
      permanent,
      code: String(response.status),
      message: `webhook answered ${response.status}`,
    };
  } catch (error) {
    return { ok: false, permanent: false, code: null, message: (error as Error).message };
  }
}

async function recordDelivery(
  deps: SenderDeps,
  trx: Executor,
  send: LiveSend,
  result: SmsDeliveryResult,
  nowUtcMs: number,
  report: SendReport,
): Promise<void> {
  const current = await getMessage(trx, send.message.id);
  if (current?.status !== "sending") return;
  if (result.ok) {
    await updateMessage(
      trx,
      current.id,
      { status: "sent", sent_at: nowUtcMs, provider_message_id: result.providerMessageId },
      nowUtcMs,
    );
    if (send.phone) await recordPhoneAccepted(trx, current, send.phone, result.providerMessageId, nowUtcMs);
    await markSent(trx, send.workspace, current, nowUtcMs);
    return;
  }
  if (result.uncertain) {
    // The provider may have taken it (a timeout after the request left): never resent automatically.
    report.sent -= 1;
    report.failed += 1;
    await updateMessage(
      trx,
      current.id,
      { status: "uncertain", last_error: `${result.code ?? "error"}: ${result.message}` },
      nowUtcMs,
    );
    return;
  }
  if (send.phone && result.permanent)
    await recordPhoneRefused(trx, current, send.phone, result.code, nowUtcMs);
  const maxAttempts = deps.maxAttempts ?? 8;
  if (!result.permanent && current.attempt_count < maxAttempts) {
    report.sent -= 1;
    report.deferred += 1;
    await updateMessage(
      trx,
      current.id,
      {
        status: "queued",
        next_attempt_at: nowUtcMs + retryDelayMs(current.attempt_count, Math.random()),
        last_error: `${result.code ?? "error"}: ${result.message}`,
      },
      nowUtcMs,
    );
    return;
  }
  report.sent -= 1;
  report.failed += 1;
  const error = `${result.code ?? "error"}: ${result.message}`;
  if (result.permanent && current.channel === "email" && current.to_address) {
    // A permanent SMTP refusal is a hard bounce: suppress the address and stop the enrollment.
    await updateMessage(trx, current.id, { status: "bounced", last_error: error }, nowUtcMs);
    await addSuppression(
      trx,
      current.workspace_id,
      {
        kind: "email",
        value: current.to_address,
        reason: "hard_bounce",
        source: `smtp:${result.code ?? ""}`,
      },
      nowUtcMs,
    );
    const { event } = await recordEvent(
      trx,
      {
        workspaceId: current.workspace_id,
        type: "email.bounced",
        contactId: current.contact_id,
        enrollmentId: current.enrollment_id,
        messageId: current.id,
        data: {
          hard: true,
          step: current.step_id,
          status: result.code,
          diagnostic: result.message,
          source: "smtp",
        },
        occurredAtUtcMs: nowUtcMs,
        source: "smtp",
      },
      nowUtcMs,
    );
    await feedEnrollment(
      trx,
      send.workspace,
      current,
      { kind: "event", event: { type: event.type, occurredAtUtcMs: nowUtcMs, data: event.data } },
      nowUtcMs,
    );
    // The same payload as a bounce found in the inbox (processInbound.ts).
    await enqueueWebhookDeliveries(
      trx,
      current.workspace_id,
      "message.bounced",
      {
        contact_id: current.contact_id,
        email: current.to_address,
        hard: true,
        status: result.code,
        message_id: current.id,
      },
      nowUtcMs,
    );
    return;
  }
  await updateMessage(trx, current.id, { status: "failed", last_error: error }, nowUtcMs);
  await feedEnrollment(
    trx,
    send.workspace,
    current,
    { kind: "touch_held", step: current.step_id ?? "", reason: "delivery_failed" },
    nowUtcMs,
  );
}

async function markSent(
  trx: Executor,
  workspace: Workspace,
  message: MessageRow,
  nowUtcMs: number,
  current?: { enrollment: EnrollmentRow; loaded: LoadedFacts },
): Promise<void> {
  const recorded = await recordEvent(
    trx,
    {
      workspaceId: workspace.id,
      type: `${message.channel}.sent`,
      contactId: message.contact_id,
      enrollmentId: message.enrollment_id,
      messageId: message.id,
      data: { step: message.step_id, subject: message.subject, variant: message.variant },
      occurredAtUtcMs: nowUtcMs,
      source: "engine",
    },
    nowUtcMs,
  );
  const input = {
    kind: "touch_sent",
    step: message.step_id ?? "",
    atUtcMs: nowUtcMs,
    ...(message.variant ? { variant: message.variant } : {}),
  } as const;
  if (current && current.enrollment.id === message.enrollment_id) {
    // The facts read before the send, plus the event just stored: no need to read them again.
    const { loaded } = current;
    const facts = { ...loaded.facts, events: [...loaded.facts.events, toEventFact(recorded.event)] };
    await runEnrollment(trx, workspace, current.enrollment, input, nowUtcMs, { ...loaded, facts });
    return;
  }
  await feedEnrollment(trx, workspace, message, input, nowUtcMs);
}

async function feedEnrollment(
  trx: Executor,
  workspace: Workspace,
  message: MessageRow,
  input: Parameters<typeof runEnrollment>[3],
  nowUtcMs: number,
): Promise<void> {
  if (!message.enrollment_id) return;
  const enrollment = await getEnrollment(trx, workspace.id, message.enrollment_id);
  if (!enrollment || enrollment.status === "completed" || enrollment.status === "exited") return;
  await runEnrollment(trx, workspace, enrollment, input, nowUtcMs);
}

/** A phone touch this contact refused for good: never sent, and the enrollment moves on. */
async function skipTouch(
  trx: Executor,
  workspace: Workspace,
  message: MessageRow,
  patch: MessageUpdate,
  reason: string,
  nowUtcMs: number,
): Promise<void> {
  await updateMessage(
    trx,
    message.id,
    { ...patch, status: "cancelled", hold_reason: reason, last_error: `skipped: ${reason}` },
    nowUtcMs,
  );
  await feedEnrollment(
    trx,
    workspace,
    message,
    { kind: "touch_skipped", step: message.step_id ?? "", reason },
    nowUtcMs,
  );
}
