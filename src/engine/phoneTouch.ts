// The SMS and voicemail side of the outbox: the send-time checks only a phone touch has (a valid
// E.164 number, the Do-Not-Call list, opt-outs, dead numbers, consent, texting hours in the
// contact's zone), the choice of sender number, the provider call, and what its answer records.
// The outbox sender calls in here; email never does.

import type { SmsDeliveryResult } from "../channels/sms/provider.ts";
import { TWILIO_API_BASE_URL } from "../channels/sms/twilioRest.ts";
import { TwilioSmsProvider } from "../channels/sms/twilioSms.ts";
import { TwilioVoiceProvider } from "../channels/voice/twilioVoice.ts";
import type { ResolvedSchedule } from "../domain/sequence/definition.ts";
import { parsePhone } from "../domain/sms/phoneNumber.ts";
import { chooseSenderNumber } from "../domain/sms/senderNumber.ts";
import { smsSegments } from "../domain/template/index.ts";
import { isSendingTime } from "../domain/time/index.ts";
import { isInsideTextingHours, nextPhoneTouchTime } from "../domain/time/quietHours.ts";
import type { Executor } from "../store/executor.ts";
import type { Contact } from "../store/repos/contacts.ts";
import { addPhoneBlock, phoneBlocksOf } from "../store/repos/phoneBlocks.ts";
import { insertSmsDelivery } from "../store/repos/smsDeliveries.ts";
import { keepStickyNumber, listSmsNumbers, stickyNumberOf } from "../store/repos/smsNumbers.ts";
import { loadSmsSettings, type SmsSettings } from "../store/repos/smsSettings.ts";
import type { MessageRow, Workspace } from "../store/schema.ts";

export type PhoneChannel = "sms" | "voicemail";

export type PhoneCheck =
  | { kind: "hold"; reason: string }
  | { kind: "pass"; e164: string; settings: SmsSettings };

/** Provider error codes that mean the number will never take a text (Twilio's numbering). */
export const PERMANENT_SMS_ERROR_CODES: ReadonlySet<string> = new Set([
  "21211", // invalid To number
  "21214", // To number cannot be reached
  "21610", // the recipient replied STOP to this sender
  "21612", // not reachable from this sender
  "21614", // not a mobile number
  "30003", // unreachable handset
  "30005", // unknown destination handset
  "30006", // landline or unreachable carrier
]);

export function isPhoneChannel(channel: MessageRow["channel"]): channel is PhoneChannel {
  return channel === "sms" || channel === "voicemail";
}

/**
 * Refusals that will not change by waiting (an opt-out, a dead or Do-Not-Call number, no
 * consent): the touch is skipped and the sequence goes on with its other channels. Anything
 * else (an invalid number someone can correct, no provider yet) holds the touch.
 */
export const SKIPPING_PHONE_REASONS: ReadonlySet<string> = new Set([
  "do_not_call",
  "sms_opted_out",
  "sms_undeliverable",
  "sms_consent_revoked",
  "no_sms_consent",
  "voicemail_consent_revoked",
  "no_voicemail_consent",
]);

/** Everything that forbids a phone touch outright; the answer is a hold a person can read. */
export async function checkPhoneTouch(
  trx: Executor,
  workspace: Workspace,
  contact: Contact,
  channel: PhoneChannel,
): Promise<PhoneCheck> {
  const settings = await loadSmsSettings(trx, workspace);
  const parsed = parsePhone(contact.phone, settings.defaultRegion);
  if (!parsed.ok) return { kind: "hold", reason: "invalid_phone" };
  const blocks = await phoneBlocksOf(trx, workspace.id, parsed.e164);
  if (blocks.some((b) => b.kind === "do_not_call")) return { kind: "hold", reason: "do_not_call" };
  if (channel === "sms") {
    if (blocks.some((b) => b.kind === "sms_opt_out")) return { kind: "hold", reason: "sms_opted_out" };
    if (blocks.some((b) => b.kind === "sms_undeliverable"))
      return { kind: "hold", reason: "sms_undeliverable" };
    if (contact.smsConsent === "revoked") return { kind: "hold", reason: "sms_consent_revoked" };
    if (settings.requireConsent && contact.smsConsent !== "granted")
      return { kind: "hold", reason: "no_sms_consent" };
  } else {
    // A voicemail drop is a prerecorded call under the TCPA (FCC 2022 ruling on ringless
    // voicemail), so it needs the same consent as a text, and a revocation ends both.
    if (contact.smsConsent === "revoked") return { kind: "hold", reason: "voicemail_consent_revoked" };
    if (settings.requireConsent && contact.smsConsent !== "granted")
      return { kind: "hold", reason: "no_voicemail_consent" };
  }
  return { kind: "pass", e164: parsed.e164, settings };
}

/** The zone texting hours are read in: the contact's own, else the workspace's. */
export function contactZone(contact: Contact, workspace: Workspace): string {
  return contact.timeZone ?? workspace.time_zone;
}

/** Null when now is inside both the sending window and the contact's texting hours. */
export function quietHoursDeferral(
  nowUtcMs: number,
  schedule: ResolvedSchedule,
  zone: string,
  settings: SmsSettings,
): { kind: "defer"; untilUtcMs: number; reason: string } | null {
  if (isSendingTime(nowUtcMs, schedule) && isInsideTextingHours(nowUtcMs, zone, settings.textingHours))
    return null;
  return {
    kind: "defer",
    untilUtcMs: nextPhoneTouchTime(nowUtcMs, schedule, zone, settings.textingHours),
    reason: "quiet_hours",
  };
}

export interface PhoneSend {
  channel: PhoneChannel;
  apiBaseUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
  to: string;
  body: string;
  audioUrl: string | null;
  statusCallbackUrl: string;
}

export type PhoneStage = { kind: "hold"; reason: string } | { kind: "live"; send: PhoneSend };

export function smsWebhookUrl(publicUrl: string, workspaceId: string, hook: "inbound" | "status"): string {
  return `${publicUrl.replace(/\/+$/, "")}/hooks/sms/${workspaceId}/${hook}`;
}

/** Picks the sender number (sticky, else local presence) and builds the provider call. */
export async function stagePhoneTouch(
  trx: Executor,
  workspace: Workspace,
  message: MessageRow,
  rendered: { text: string; audioUrl: string | null },
  publicUrl: string,
  nowUtcMs: number,
): Promise<PhoneStage> {
  const settings = await loadSmsSettings(trx, workspace);
  if (!settings.configured || !settings.accountSid || !settings.authToken)
    return { kind: "hold", reason: "no_sms_provider" };
  const to = parsePhone(message.to_address, settings.defaultRegion);
  if (!to.ok) return { kind: "hold", reason: "invalid_phone" };
  const channel = message.channel === "voicemail" ? "voicemail" : "sms";
  const pool = await listSmsNumbers(trx, workspace.id, {
    activeOnly: true,
    channel: channel === "sms" ? "sms" : "voice",
  });
  const sticky = await stickyNumberOf(trx, workspace.id, message.contact_id);
  const choice = chooseSenderNumber({
    pool: pool.map((n) => ({ number: n.number, country: n.country, areaCode: n.area_code })),
    sticky: sticky?.number ?? null,
    contactId: message.contact_id,
    contactCountry: to.country,
    contactAreaCode: to.areaCode,
  });
  if (choice.kind === "none") return { kind: "hold", reason: "no_sender_number" };
  await keepStickyNumber(
    trx,
    {
      workspaceId: workspace.id,
      contactId: message.contact_id,
      contactPhone: to.e164,
      number: choice.number,
    },
    nowUtcMs,
  );
  return {
    kind: "live",
    send: {
      channel,
      apiBaseUrl: settings.apiBaseUrl ?? TWILIO_API_BASE_URL,
      accountSid: settings.accountSid,
      authToken: settings.authToken,
      from: choice.number,
      to: to.e164,
      body: rendered.text,
      audioUrl: rendered.audioUrl,
      statusCallbackUrl: smsWebhookUrl(publicUrl, workspace.id, "status"),
    },
  };
}

export async function deliverPhoneTouch(
  send: PhoneSend,
  opts: { fetchImpl?: typeof fetch; timeoutMs?: number } = {},
): Promise<SmsDeliveryResult> {
  const account = { apiBaseUrl: send.apiBaseUrl, accountSid: send.accountSid, authToken: send.authToken };
  const fetchImpl = opts.fetchImpl;
  const rest = opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {};
  if (send.channel === "sms") {
    return new TwilioSmsProvider(account, fetchImpl, rest).sendSms({
      from: send.from,
      to: send.to,
      body: send.body,
      statusCallbackUrl: send.statusCallbackUrl,
    });
  }
  return new TwilioVoiceProvider(account, fetchImpl, rest).dropVoicemail({
    from: send.from,
    to: send.to,
    script: send.body || null,
    audioUrl: send.audioUrl,
    statusCallbackUrl: send.statusCallbackUrl,
  });
}

/** The provider took it: remember its id (status callbacks find the touch by it) and the segments. */
export async function recordPhoneAccepted(
  trx: Executor,
  message: MessageRow,
  send: PhoneSend,
  providerSid: string | null,
  nowUtcMs: number,
): Promise<void> {
  if (!providerSid) return;
  const segments = send.channel === "sms" ? smsSegments(send.body) : null;
  await insertSmsDelivery(trx, {
    message_id: message.id,
    workspace_id: message.workspace_id,
    channel: send.channel,
    provider_sid: providerSid,
    from_number: send.from,
    to_number: send.to,
    status: "queued",
    error_code: null,
    segments: segments?.segments ?? null,
    encoding: segments?.encoding ?? null,
    status_at: nowUtcMs,
    created_at: nowUtcMs,
  });
}

/** A refusal naming a dead number stops texts to it for good (other refusals only fail the touch). */
export async function recordPhoneRefused(
  trx: Executor,
  message: MessageRow,
  send: PhoneSend,
  code: string | null,
  nowUtcMs: number,
): Promise<void> {
  if (send.channel !== "sms" || !code || !PERMANENT_SMS_ERROR_CODES.has(code)) return;
  await addPhoneBlock(
    trx,
    message.workspace_id,
    { phone: send.to, kind: "sms_undeliverable", source: `provider:${code}`, detail: message.id },
    nowUtcMs,
  );
}

/** Whether a contact's number is on the workspace's Do-Not-Call list (false when it does not parse). */
export async function isDoNotCall(
  trx: Executor,
  workspace: Workspace,
  phone: string | null,
): Promise<boolean> {
  if (!phone) return false;
  const settings = await loadSmsSettings(trx, workspace);
  const parsed = parsePhone(phone, settings.defaultRegion);
  if (!parsed.ok) return false;
  return (await phoneBlocksOf(trx, workspace.id, parsed.e164)).some((b) => b.kind === "do_not_call");
}
