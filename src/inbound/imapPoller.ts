// Reads a mailbox over IMAP (imapflow) and feeds each new message to the inbound pipeline.
// The read position (UIDVALIDITY + last UID) is saved in the same transaction that processes
// a message, so a restart neither misses nor double-counts; a UIDVALIDITY change re-reads the
// folder and Message-ID de-duplication keeps it exactly once. IDLE wakes it when the server
// supports it; a timer polls otherwise; a lost connection reconnects with backoff.

import { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import { tlsOptionsOf } from "../channels/email/tlsOptions.ts";
import { type Clock, workspaceNow } from "../engine/clock.ts";
import type { StoreEngine } from "../store/dialect/storeEngine.ts";
import { getImapState, saveImapState } from "../store/repos/inboundMessages.ts";
import type { ImapSettings } from "../store/repos/mailboxes.ts";
import { getWorkspace } from "../store/repos/workspaces.ts";
import { transact } from "../store/transact.ts";
import { type InboundOutcome, processInboundEmail } from "./processInbound.ts";

export interface ImapPollerOptions {
  engine: StoreEngine;
  clock: Clock;
  workspaceId: string;
  mailboxId: string;
  settings: ImapSettings;
  pollMs?: number;
  logger?: Logger;
  onProcessed?: (outcome: InboundOutcome) => void;
}

export interface PollReport {
  fetched: number;
  processed: number;
  duplicates: number;
  errors: number;
}

export class ImapPoller {
  #client: ImapFlow | null = null;
  #running = false;
  #busy: Promise<PollReport> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #backoffMs = 1_000;

  constructor(private readonly opts: ImapPollerOptions) {}

  get folder(): string {
    return this.opts.settings.mailbox ?? "INBOX";
  }

  #newClient(): ImapFlow {
    const s = this.opts.settings;
    return new ImapFlow({
      host: s.host,
      port: s.port,
      secure: s.secure ?? s.port === 993,
      auth: { user: s.user, pass: s.pass },
      logger: false,
      tls: tlsOptionsOf(s),
    });
  }

  /** Connects, processes everything new, disconnects: for tests, cron and `nudge inbound poll`. */
  async pollOnce(): Promise<PollReport> {
    const client = this.#newClient();
    await client.connect();
    try {
      return await this.#drain(client);
    } finally {
      await client.logout().catch(() => {});
    }
  }

  /** Stays connected: IDLE (or the poll timer) triggers a drain whenever mail arrives. */
  async start(): Promise<void> {
    this.#running = true;
    await this.#connectLoop();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#busy?.catch(() => {});
    await this.#client?.logout().catch(() => {});
    this.#client = null;
  }

  async #connectLoop(): Promise<void> {
    while (this.#running) {
      const client = this.#newClient();
      try {
        await client.connect();
        this.#client = client;
        this.#backoffMs = 1_000;
        client.on("exists", () => void this.#drainSafely());
        const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
        await this.#drainSafely();
        this.#schedulePoll();
        await closed;
      } catch (error) {
        this.opts.logger?.warn(
          { err: error, mailbox: this.opts.mailboxId },
          "IMAP connection failed; retrying",
        );
      }
      this.#client = null;
      if (!this.#running) break;
      await new Promise((r) => setTimeout(r, this.#backoffMs));
      this.#backoffMs = Math.min(this.#backoffMs * 2, 60_000);
    }
  }

  #schedulePoll(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      void this.#drainSafely().finally(() => this.#schedulePoll());
    }, this.opts.pollMs ?? 60_000);
  }

  async #drainSafely(): Promise<PollReport | null> {
    const client = this.#client;
    if (!client) return null;
    if (this.#busy) return this.#busy;
    this.#busy = this.#drain(client);
    try {
      return await this.#busy;
    } catch (error) {
      this.opts.logger?.error({ err: error, mailbox: this.opts.mailboxId }, "IMAP drain failed");
      return null;
    } finally {
      this.#busy = null;
    }
  }

  async #drain(client: ImapFlow): Promise<PollReport> {
    const report: PollReport = { fetched: 0, processed: 0, duplicates: 0, errors: 0 };
    const lock = await client.getMailboxLock(this.folder);
    try {
      const mailbox = client.mailbox;
      if (!mailbox) return report;
      const uidValidity = Number(mailbox.uidValidity);
      const state = await getImapState(this.opts.engine.db, this.opts.mailboxId);
      let lastUid = state && Number(state.uid_validity) === uidValidity ? Number(state.last_uid) : 0;
      if (state && Number(state.uid_validity) !== uidValidity) {
        this.opts.logger?.warn(
          { mailbox: this.opts.mailboxId },
          "UIDVALIDITY changed; re-reading the folder (Message-IDs prevent double counting)",
        );
      }
      // Collect first: no other IMAP command may run while a FETCH is streaming.
      const pending: Array<{ uid: number; source: Buffer }> = [];
      for await (const msg of client.fetch(`${lastUid + 1}:*`, { uid: true, source: true }, { uid: true })) {
        // `N:*` returns the last message even when N is past it: skip what was already read.
        if (msg.uid > lastUid && msg.source) pending.push({ uid: msg.uid, source: msg.source });
      }
      pending.sort((a, b) => a.uid - b.uid);
      for (const item of pending) {
        report.fetched += 1;
        const outcome = await transact(this.opts.engine, async (trx) => {
          const workspace = await getWorkspace(trx, this.opts.workspaceId);
          if (!workspace) throw new Error(`workspace ${this.opts.workspaceId} is gone`);
          const now = workspaceNow(workspace, this.opts.clock);
          const result = await processInboundEmail(
            trx,
            workspace,
            item.source,
            { source: "imap", mailboxId: this.opts.mailboxId },
            now,
          );
          await saveImapState(
            trx,
            { mailboxId: this.opts.mailboxId, folder: this.folder, uidValidity, lastUid: item.uid },
            now,
          );
          return result;
        });
        lastUid = item.uid;
        if (outcome.duplicate) report.duplicates += 1;
        else if (outcome.error) report.errors += 1;
        else report.processed += 1;
        this.opts.onProcessed?.(outcome);
      }
      return report;
    } finally {
      lock.release();
    }
  }
}
