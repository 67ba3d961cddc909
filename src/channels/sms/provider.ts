// What the SMS and voice channels ask of a provider: send a text, place a voicemail drop. Each
// answer is a DeliveryResult (accepted with the provider's id, or refused permanently or
// transiently). Inbound texts and status callbacks come the other way, as signed webhooks.

import type { DeliveryResult } from "../delivery.ts";

export interface ProviderAccount {
  /** The provider's REST base, e.g. https://api.twilio.com; a local provider in tests and demos. */
  apiBaseUrl: string;
  accountSid: string;
  authToken: string;
}

export interface SmsSend {
  from: string;
  to: string;
  body: string;
  /** Where the provider reports queued → sent → delivered / undelivered / failed. */
  statusCallbackUrl: string | null;
}

export interface SmsProvider {
  sendSms(send: SmsSend): Promise<SmsDeliveryResult>;
}

/** Accepted with the provider's id and, for texts, the segments it will bill. */
export type SmsDeliveryResult = DeliveryResult & {
  /** Set when the call may have reached the provider but no answer came back (a timeout). */
  uncertain?: boolean;
};

/** A delivery status as the provider reports it, reduced to what Nudge acts on. */
export type SmsStatus = "queued" | "sent" | "delivered" | "undelivered" | "failed";
