// The checks a queued touch passes right before the transport: is the enrollment still
// running and waiting on this touch, is the address usable and not suppressed, is it inside
// the contact's sending window, do the caps allow it, and does it render without a blank.

import { earliestAllowedSend, pacingGapMs } from "../domain/caps/rollingCap.ts";
import { emailDomain } from "../domain/contact/companyDomain.ts";
import { mergeContextOf } from "../domain/enrollment/mergeContext.ts";
import type {
  ExitReason,
  ResolvedSchedule,
  SequenceDefinition,
  Step,
} from "../domain/sequence/definition.ts";
import { isSendingTime, nextSendingTime, resolveSchedule } from "../domain/time/index.ts";
import type { Executor } from "../store/executor.ts";
import { getEnrollment, readEnrollmentState } from "../store/repos/enrollments.ts";
import { getMailbox } from "../store/repos/mailboxes.ts";
import { sentTimes } from "../store/repos/messages.ts";
import { getSequence } from "../store/repos/sequences.ts";
import { emailSuppression, phoneSuppression } from "../store/repos/suppressions.ts";
import type { EnrollmentRow, MailboxRow, MessageRow, Workspace } from "../store/schema.ts";
import { loadDefinition } from "./definitionCache.ts";
import { type LoadedFacts, loadFacts } from "./loadFacts.ts";
import {
  checkPhoneTouch,
  contactZone,
  isPhoneChannel,
  type PhoneCheck,
  quietHoursDeferral,
} from "./phoneTouch.ts";
import { PAUSED_SEQUENCE_RECHECK_MS } from "./runDueEnrollments.ts";
import { type RenderedTouch, renderTouch } from "./touchContent.ts";
import { capsOf } from "./workspaceCaps.ts";

export type TouchVerdict =
  | { kind: "cancel"; reason: string }
  | { kind: "defer"; untilUtcMs: number; reason: string }
  | { kind: "hold"; reason: string }
  | { kind: "exit"; reason: ExitReason; detail: string }
  | {
      kind: "ready";
      rendered: RenderedTouch & { ok: true };
      step: Step;
      definition: SequenceDefinition;
      enrollment: EnrollmentRow;
      mailbox: MailboxRow | null;
      /** What the checks read about the contact, for deciding the next step in this transaction. */
      loaded: LoadedFacts;
    };

const EMAIL_PATTERN = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

export async function prepareTouch(
  trx: Executor,
  workspace: Workspace,
  message: MessageRow,
  nowUtcMs: number,
  unsubscribeUrl: string,
): Promise<TouchVerdict> {
  if (!message.enrollment_id || !message.step_id)
    return { kind: "cancel", reason: "not_part_of_an_enrollment" };
  const enrollment = await getEnrollment(trx, workspace.id, message.enrollment_id);
  if (!enrollment) return { kind: "cancel", reason: "enrollment_missing" };
  if (enrollment.status === "completed" || enrollment.status === "exited") {
    return { kind: "cancel", reason: `enrollment_${enrollment.status}:${enrollment.exit_reason ?? ""}` };
  }
  const state = readEnrollmentState(enrollment);
  if (state.phase !== "sending" || state.stepId !== message.step_id) {
    return { kind: "cancel", reason: "enrollment_moved_on" };
  }
  if (enrollment.status === "paused") {
    return {
      kind: "defer",
      untilUtcMs: enrollment.paused_until ?? nowUtcMs + 86_400_000,
      reason: "enrollment_paused",
    };
  }
  const sequence = await getSequence(trx, workspace.id, enrollment.sequence_id);
  if (sequence?.status === "paused") {
    return { kind: "defer", untilUtcMs: nowUtcMs + PAUSED_SEQUENCE_RECHECK_MS, reason: "sequence_paused" };
  }
  const definition = await loadDefinition(trx, enrollment.sequence_version_id);
  const step = definition.steps.find((s) => s.id === message.step_id);
  if (!step) return { kind: "cancel", reason: "step_missing_in_version" };

  const loaded = await loadFacts(trx, workspace, enrollment.contact_id, {
    sinceUtcMs: state.enrolledAtUtcMs,
    enrollmentId: enrollment.id,
  });
  const { facts, contact } = loaded;

  // Address and suppression.
  let phone: PhoneCheck | null = null;
  if (message.channel === "email") {
    const to = contact.email;
    if (!to || !EMAIL_PATTERN.test(to)) return { kind: "hold", reason: "invalid_address" };
    const suppression = await emailSuppression(trx, workspace.id, to);
    if (suppression) return suppressionExit(suppression.reason);
  } else if (isPhoneChannel(message.channel)) {
    if (!contact.phone) return { kind: "hold", reason: "invalid_phone" };
    const suppression = await phoneSuppression(trx, workspace.id, contact.phone);
    if (suppression) return suppressionExit(suppression.reason);
    phone = await checkPhoneTouch(trx, workspace, contact, message.channel);
    if (phone.kind === "hold") return phone;
  }
  if (message.channel === "webhook") {
    return {
      kind: "ready",
      rendered: { ok: true, channel: "webhook", text: message.body_text ?? "{}" },
      step,
      definition,
      enrollment,
      mailbox: null,
      loaded,
    };
  }

  // Sending window in the contact's zone: a touch deferred by a cap into the night waits for morning.
  const schedule = resolveSchedule(definition.schedule, contact.timeZone, workspace.time_zone);
  if (!isSendingTime(nowUtcMs, schedule)) {
    return {
      kind: "defer",
      untilUtcMs: nextSendingTime(nowUtcMs, schedule),
      reason: "outside_sending_window",
    };
  }
  // Texts and voicemail drops also wait for texting hours in the contact's own zone.
  if (phone?.kind === "pass") {
    const quiet = quietHoursDeferral(nowUtcMs, schedule, contactZone(contact, workspace), phone.settings);
    if (quiet) return quiet;
  }

  const mailbox = !message.mailbox_id
    ? null
    : message.mailbox_id === loaded.ownerMailbox?.id
      ? loaded.ownerMailbox
      : ((await getMailbox(trx, workspace.id, message.mailbox_id)) ?? null);
  const capDefer = await capDeferral(trx, workspace, message, contact.email, mailbox, schedule, nowUtcMs);
  if (capDefer) return capDefer;

  const rendered = renderTouch(step, message.variant, mergeContextOf(facts, unsubscribeUrl));
  if (!rendered.ok) return { kind: "hold", reason: rendered.reason };
  return { kind: "ready", rendered, step, definition, enrollment, mailbox, loaded };
}

function suppressionExit(reason: string): TouchVerdict {
  const r = reason.toLowerCase();
  const exit: ExitReason = r.includes("bounce")
    ? "bounced"
    : r.includes("unsub") || r.includes("stop")
      ? "unsubscribed"
      : "manual";
  return { kind: "exit", reason: exit, detail: `suppressed: ${reason}` };
}

async function capDeferral(
  trx: Executor,
  workspace: Workspace,
  message: MessageRow,
  email: string | null,
  mailbox: MailboxRow | null,
  schedule: ResolvedSchedule,
  nowUtcMs: number,
): Promise<TouchVerdict | null> {
  const caps = capsOf(workspace);
  const limits: Array<{ at: number; reason: string }> = [];
  if (message.channel === "email" || message.channel === "sms") {
    const cap = message.channel === "email" ? caps.emailsPerContact : caps.smsPerContact;
    const times = await sentTimes(
      trx,
      { contactId: message.contact_id, channel: message.channel },
      nowUtcMs - cap.windowMs,
    );
    limits.push({
      at: earliestAllowedSend(times, cap, nowUtcMs),
      reason: `cap:contact_${message.channel}_${cap.limit}_per_7_days`,
    });
  }
  if (message.channel === "email" && email) {
    const domain = emailDomain(email);
    if (domain) {
      const cap = caps.perRecipientDomain;
      const times = await sentTimes(
        trx,
        { toDomain: domain, workspaceId: workspace.id },
        nowUtcMs - cap.windowMs,
      );
      limits.push({
        at: earliestAllowedSend(times, cap, nowUtcMs),
        reason: `cap:domain_${cap.limit}_per_hour`,
      });
    }
  }
  if (message.channel === "email" && mailbox) {
    const times = await sentTimes(trx, { mailboxId: mailbox.id }, nowUtcMs - caps.mailboxWindowMs);
    limits.push({
      at: earliestAllowedSend(
        times,
        { limit: mailbox.daily_limit, windowMs: caps.mailboxWindowMs },
        nowUtcMs,
      ),
      reason: `cap:mailbox_${mailbox.daily_limit}_per_day`,
    });
    const last = times.length > 0 ? Math.max(...times) : null;
    if (last !== null) {
      const minutes = schedule.hours.reduce((sum, w) => sum + (w.endMinute - w.startMinute), 0);
      limits.push({ at: last + pacingGapMs(mailbox.daily_limit, minutes), reason: "pacing:mailbox" });
    }
  }
  const blocking = limits.filter((l) => l.at > nowUtcMs).sort((a, b) => b.at - a.at)[0];
  if (!blocking) return null;
  const until = Number.isFinite(blocking.at) ? nextSendingTime(blocking.at, schedule) : nowUtcMs + 86_400_000;
  return { kind: "defer", untilUtcMs: until, reason: blocking.reason };
}
