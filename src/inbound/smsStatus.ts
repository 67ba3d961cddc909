// Delivery status callbacks for the texts and voicemail drops we placed: queued → sent →
// delivered, or undelivered / failed. Callbacks may arrive late or out of order, so a status
// never moves backwards; a permanent failure (an unreachable number, a landline) stops texts
// to that number for good and shows on the contact's timeline.

import type { SmsStatus } from "../channels/sms/provider.ts";
import { PERMANENT_SMS_ERROR_CODES } from "../engine/phoneTouch.ts";
import type { Executor } from "../store/executor.ts";
import { recordEvent } from "../store/repos/events.ts";
import { getMessage } from "../store/repos/messages.ts";
import { addPhoneBlock } from "../store/repos/phoneBlocks.ts";
import { setSmsDeliveryStatus, smsDeliveryBySid } from "../store/repos/smsDeliveries.ts";
import type { Workspace } from "../store/schema.ts";

export interface StatusCallback {
  sid: string;
  /** As the provider wrote it: a message status, or a call status for voicemail drops. */
  status: string;
  errorCode: string | null;
}

export interface StatusOutcome {
  matched: boolean;
  status: SmsStatus | null;
  changed: boolean;
  blocked: boolean;
}

const RANK: Readonly<Record<SmsStatus, number>> = {
  queued: 0,
  sent: 1,
  delivered: 2,
  undelivered: 2,
  failed: 2,
};

/** Message statuses as they are; call statuses read as whether the drop reached the phone. */
export function readProviderStatus(status: string): SmsStatus | null {
  switch (status.toLowerCase()) {
    case "accepted":
    case "scheduled":
    case "queued":
    case "sending":
    case "initiated":
    case "ringing":
      return "queued";
    case "sent":
    case "in-progress":
      return "sent";
    case "delivered":
    case "completed":
      return "delivered";
    case "undelivered":
    case "busy":
    case "no-answer":
      return "undelivered";
    case "failed":
    case "canceled":
      return "failed";
    default:
      return null;
  }
}

export async function applyStatusCallback(
  trx: Executor,
  workspace: Workspace,
  callback: StatusCallback,
  nowUtcMs: number,
): Promise<StatusOutcome> {
  const status = readProviderStatus(callback.status);
  const delivery = await smsDeliveryBySid(trx, workspace.id, callback.sid);
  if (!delivery || !status) return { matched: !!delivery, status, changed: false, blocked: false };
  const current = readProviderStatus(delivery.status) ?? "queued";
  if (RANK[status] < RANK[current] || status === current) {
    return { matched: true, status: current, changed: false, blocked: false };
  }
  await setSmsDeliveryStatus(
    trx,
    delivery.message_id,
    { status, error_code: callback.errorCode ?? delivery.error_code },
    nowUtcMs,
  );
  const message = await getMessage(trx, delivery.message_id);
  let blocked = false;
  const failed = status === "undelivered" || status === "failed";
  if (
    failed &&
    delivery.channel === "sms" &&
    callback.errorCode &&
    PERMANENT_SMS_ERROR_CODES.has(callback.errorCode)
  ) {
    await addPhoneBlock(
      trx,
      workspace.id,
      {
        phone: delivery.to_number,
        kind: "sms_undeliverable",
        source: `provider:${callback.errorCode}`,
        detail: delivery.message_id,
      },
      nowUtcMs,
    );
    blocked = true;
  }
  if (message && status !== "queued" && status !== "sent") {
    await recordEvent(
      trx,
      {
        workspaceId: workspace.id,
        type: `${delivery.channel}.${status}`,
        contactId: message.contact_id,
        enrollmentId: message.enrollment_id,
        messageId: message.id,
        data: {
          step: message.step_id,
          provider_sid: callback.sid,
          error_code: callback.errorCode,
          to: delivery.to_number,
          number_blocked: blocked,
        },
        occurredAtUtcMs: nowUtcMs,
        source: "sms_status",
        dedupeKey: `sms_status:${callback.sid}:${status}`,
      },
      nowUtcMs,
    );
  }
  return { matched: true, status, changed: true, blocked };
}
