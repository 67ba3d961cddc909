// What every transport answers: delivered (with the provider's id), or failed — permanently
// (the address or content is refused: never retry) or transiently (try again later).

import type { DkimSigningKey } from "./email/dkimKeys.ts";

export type DeliveryResult =
  | { ok: true; providerMessageId: string | null; response: string | null }
  | { ok: false; permanent: boolean; code: string | null; message: string };

export interface EmailDelivery {
  /** Our outbox row id, for logs. */
  outboxId: string;
  from: string;
  to: string;
  /** The complete RFC 5322 message. */
  raw: Buffer;
  mailboxId: string | null;
  /** Sign with this DKIM key (the mailbox's); null or absent sends unsigned. */
  dkim?: DkimSigningKey | null;
}

export interface EmailTransport {
  sendEmail(delivery: EmailDelivery): Promise<DeliveryResult>;
  close(): Promise<void>;
}
