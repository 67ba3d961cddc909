// Live email over SMTP with nodemailer: one pooled transport per mailbox's settings, reused
// across sends, DKIM-signing each message with its mailbox's key. SMTP replies are sorted into
// permanent (a 5xx refusing this recipient or message: a bounce) and transient (the rest).

import nodemailer, { type Transporter } from "nodemailer";
import type SMTPPool from "nodemailer/lib/smtp-pool/index.js";
import type { SmtpSettings } from "../../store/repos/mailboxes.ts";
import type { DeliveryResult, EmailDelivery, EmailTransport } from "../delivery.ts";
import type { DkimSigningKey } from "./dkimKeys.ts";
import { tlsOptionsOf } from "./tlsOptions.ts";

/** A transport-wide DKIM key, used when a delivery brings none of its own. */
export type DkimSettings = DkimSigningKey;

type Pooled = Transporter<SMTPPool.SentMessageInfo>;

export class SmtpEmailTransport implements EmailTransport {
  readonly #pools = new Map<string, Pooled>();

  constructor(
    private readonly settingsFor: (
      mailboxId: string | null,
    ) => SmtpSettings | null | Promise<SmtpSettings | null>,
    private readonly dkim: DkimSettings | null = null,
    private readonly timeoutsMs = { connection: 10_000, socket: 60_000 },
  ) {}

  async #pool(mailboxId: string | null): Promise<Pooled | null> {
    const settings = await this.settingsFor(mailboxId);
    if (!settings) return null;
    const key = JSON.stringify(settings);
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = nodemailer.createTransport({
        pool: true,
        maxConnections: 3,
        // Retries are the outbox's: durable, with backoff on the engine's clock. The pool's own
        // requeue (a quick resend after a dropped connection) would hide a 421 and retry in
        // real time behind the engine's back.
        maxRequeues: 0,
        host: settings.host,
        port: settings.port,
        secure: settings.secure ?? settings.port === 465,
        ...(settings.user ? { auth: { user: settings.user, pass: settings.pass ?? "" } } : {}),
        connectionTimeout: this.timeoutsMs.connection,
        socketTimeout: this.timeoutsMs.socket,
        greetingTimeout: this.timeoutsMs.connection,
        tls: tlsOptionsOf(settings),
        ...(this.dkim ? { dkim: this.dkim } : {}),
        logger: false,
      });
      this.#pools.set(key, pool);
    }
    return pool;
  }

  async sendEmail(delivery: EmailDelivery): Promise<DeliveryResult> {
    const pool = await this.#pool(delivery.mailboxId);
    // Not the recipient's fault: never a bounce. Retried, so settings added meanwhile are used.
    if (!pool)
      return { ok: false, permanent: false, code: "no_smtp", message: "the mailbox has no SMTP settings" };
    const dkim = delivery.dkim ?? null;
    try {
      const info = await pool.sendMail({
        envelope: { from: delivery.from, to: [delivery.to] },
        raw: delivery.raw,
        ...(dkim ? { dkim } : {}),
      });
      if (info.rejected && info.rejected.length > 0) {
        return {
          ok: false,
          permanent: true,
          code: "rejected",
          message: `recipient rejected: ${info.response ?? ""}`,
        };
      }
      return { ok: true, providerMessageId: info.messageId ?? null, response: info.response ?? null };
    } catch (error) {
      return classifySmtpError(error);
    }
  }

  async close(): Promise<void> {
    for (const pool of this.#pools.values()) pool.close();
    this.#pools.clear();
  }
}

export function classifySmtpError(error: unknown): DeliveryResult & { ok: false } {
  const err = error as {
    responseCode?: number;
    code?: string;
    response?: string;
    message?: string;
    command?: string;
  };
  const message = (err.response ?? err.message ?? String(error)).slice(0, 500);
  if (typeof err.responseCode === "number") {
    // Only a 5xx to RCPT TO or DATA refuses this recipient or this message (a hard bounce). A
    // 5xx to AUTH, MAIL FROM or the greeting is our sender's problem (wrong password, sender
    // not allowed): the address is not to blame, and retrying gives time to fix the settings.
    const refusesMessage = /^(RCPT|DATA)\b/i.test(err.command ?? "");
    const permanent = refusesMessage && err.responseCode >= 500 && err.responseCode < 600;
    return { ok: false, permanent, code: String(err.responseCode), message };
  }
  // Network trouble (ECONNECTION, ETIMEDOUT, ESOCKET, dropped connection): try again later.
  return { ok: false, permanent: false, code: err.code ?? null, message };
}
