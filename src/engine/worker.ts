// The long-running worker: alternates scheduler passes and outbox passes, sleeps until the next
// due time, and wakes early when new work is signalled (NOTIFY on PostgreSQL, an in-process
// signal on SQLite), with a modest poll as the fallback. SIGTERM lets the current pass finish.

import type { Logger } from "pino";
import type { EmailTransport } from "../channels/delivery.ts";
import type { StoreEngine } from "../store/dialect/storeEngine.ts";
import { nextDueAt } from "../store/ops/claimDueEnrollments.ts";
import { markAbandonedSendsUncertain, nextOutboxAt } from "../store/ops/claimOutboxMessages.ts";
import { nextWebhookDeliveryAt } from "../store/ops/claimWebhookDeliveries.ts";
import type { Clock } from "./clock.ts";
import { type Metrics, noMetrics } from "./metrics.ts";
import { sendDueMessages } from "./outboxSender.ts";
import { runDueEnrollments } from "./runDueEnrollments.ts";
import { dispatchWebhooks } from "./webhookDispatcher.ts";

export interface WorkerOptions {
  engine: StoreEngine;
  clock: Clock;
  emailTransport: EmailTransport | null;
  publicUrl: string;
  logger?: Logger;
  metrics?: Metrics;
  batchSize?: number;
  pollMs?: number;
  /** How long a `sending` row may stay before it is declared uncertain. */
  sendLeaseMs?: number;
  /** Delivery attempts of a message before transient failures give up (default 8). */
  maxSendAttempts?: number;
}

export class Worker {
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  /** A wake-up that came while the worker was not asleep (mid-pass): the next sleep is skipped. */
  #wokenMeanwhile = false;
  #unlisten: Array<() => Promise<void>> = [];

  constructor(private readonly opts: WorkerOptions) {}

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const wake = () => {
      if (this.#wake) this.#wake();
      else this.#wokenMeanwhile = true;
    };
    this.#unlisten.push(await this.opts.engine.listen("nudge_due", wake));
    this.#unlisten.push(await this.opts.engine.listen("nudge_outbox", wake));
    await markAbandonedSendsUncertain(this.opts.engine.db, {
      nowUtcMs: this.opts.clock.nowUtcMs(),
      leaseMs: this.opts.sendLeaseMs ?? 120_000,
    });
    this.#loop = this.#run();
  }

  /** Stops after the pass in progress; claims not yet committed roll back and are retaken later. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    for (const unlisten of this.#unlisten) await unlisten();
    this.#unlisten = [];
  }

  /** One scheduler pass and one outbox pass at the current time; true when more work is waiting. */
  async runOnce(): Promise<boolean> {
    const { engine, clock } = this.opts;
    const metrics = this.opts.metrics ?? noMetrics;
    const limit = this.opts.batchSize ?? 100;
    const excludeWorkspaceIds = await testClockWorkspaces(engine);
    const nowUtcMs = clock.nowUtcMs();
    const due = await runDueEnrollments(engine, {
      nowUtcMs,
      limit,
      excludeWorkspaceIds,
      ...(this.opts.logger ? { logger: this.opts.logger } : {}),
    });
    metrics.claims(due.processed);
    const sent = await sendDueMessages(
      {
        engine,
        emailTransport: this.opts.emailTransport,
        publicUrl: this.opts.publicUrl,
        ...(this.opts.logger ? { logger: this.opts.logger } : {}),
        ...(this.opts.maxSendAttempts ? { maxAttempts: this.opts.maxSendAttempts } : {}),
      },
      { nowUtcMs: clock.nowUtcMs(), limit, excludeWorkspaceIds },
    );
    metrics.sendReport(sent);
    // Outgoing webhooks are real-time notifications: they go out on the system clock.
    const hooks = await dispatchWebhooks(engine, { nowUtcMs: clock.nowUtcMs() });
    return (
      due.processed >= limit ||
      sent.claimed >= limit ||
      due.queuedMessages > 0 ||
      hooks.delivered + hooks.retried + hooks.failed >= 50
    );
  }

  async #run(): Promise<void> {
    const pollMs = this.opts.pollMs ?? 5_000;
    while (this.#running) {
      let more = false;
      // Work signalled from here on is either seen by this pass or wakes the next one.
      this.#wokenMeanwhile = false;
      try {
        more = await this.runOnce();
      } catch (error) {
        this.opts.logger?.error({ err: error }, "worker pass failed");
      }
      if (!this.#running) break;
      if (more) continue;
      const sleepMs = await this.#sleepBudget(pollMs);
      // stop() may have run while the budget was computed, when there was no sleep to cut short.
      if (!this.#running) break;
      // New work was signalled during the pass or the budget's reads: do not sleep through it.
      if (this.#wokenMeanwhile) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sleepMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }

  async #sleepBudget(pollMs: number): Promise<number> {
    const now = this.opts.clock.nowUtcMs();
    try {
      const exclude = await testClockWorkspaces(this.opts.engine);
      const [due, outbox, hook] = await Promise.all([
        nextDueAt(this.opts.engine.db, undefined, exclude),
        nextOutboxAt(this.opts.engine.db, undefined, exclude),
        nextWebhookDeliveryAt(this.opts.engine.db),
      ]);
      const next = Math.min(
        due ?? Number.POSITIVE_INFINITY,
        outbox ?? Number.POSITIVE_INFINITY,
        hook ?? Number.POSITIVE_INFINITY,
      );
      return Math.max(0, Math.min(pollMs, next - now));
    } catch {
      return pollMs;
    }
  }
}

/** Sandbox workspaces living on a test clock are moved only by `clock advance`. */
async function testClockWorkspaces(engine: StoreEngine): Promise<string[]> {
  const rows = await engine.db
    .selectFrom("workspaces")
    .select("id")
    .where("clock_at", "is not", null)
    .execute();
  return rows.map((r) => r.id);
}
