// What every transport answers: delivered (with the provider's id), or failed — permanently
// (the address or content is refused: never retry) or transiently (try again later).

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
}

export interface EmailTransport {
  sendEmail(delivery: EmailDelivery): Promise<DeliveryResult>;
  close(): Promise<void>;
}
