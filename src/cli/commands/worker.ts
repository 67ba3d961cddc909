// `nudge worker`: the scheduler and sender only, no HTTP. On PostgreSQL run as many as you
// like, on as many machines as you like; they never take the same work.

import type { Command } from "commander";
import { pino } from "pino";
import { SmtpEmailTransport } from "../../channels/email/smtpTransport.ts";
import { systemClock } from "../../engine/clock.ts";
import { Worker } from "../../engine/worker.ts";
import { startImapPollers } from "../../inbound/imapPollers.ts";
import type { StoreEngine } from "../../store/dialect/storeEngine.ts";
import { migrateToLatest } from "../../store/migrate.ts";
import { openStore } from "../../store/openStore.ts";
import { smtpSettingsOf } from "../../store/repos/mailboxes.ts";
import type { MailboxRow } from "../../store/schema.ts";
import { UserError } from "../userError.ts";

/**
 * Live SMTP with each mailbox's settings, from a cache that is refreshed when the API changes a
 * mailbox (`nudge_mailboxes`) and every minute; a mailbox not in the cache yet is read at once,
 * so the first email from a mailbox added a second ago goes out instead of waiting for a retry.
 */
export function mailboxSmtpTransport(engine: StoreEngine): SmtpEmailTransport {
  let mailboxes = new Map<string, MailboxRow>();
  const refresh = async () => {
    const rows = await engine.db.selectFrom("mailboxes").selectAll().execute();
    mailboxes = new Map(rows.map((m) => [m.id, m]));
  };
  void refresh().catch(() => {});
  setInterval(() => void refresh().catch(() => {}), 60_000).unref();
  void engine.listen("nudge_mailboxes", () => void refresh().catch(() => {})).catch(() => {});
  return new SmtpEmailTransport(async (mailboxId) => {
    if (!mailboxId) return null;
    let row = mailboxes.get(mailboxId);
    if (!row) {
      row = await engine.db
        .selectFrom("mailboxes")
        .selectAll()
        .where("id", "=", mailboxId)
        .executeTakeFirst();
      if (row) mailboxes.set(row.id, row);
    }
    return row ? smtpSettingsOf(row) : null;
  });
}

/** `NUDGE_MAX_SEND_ATTEMPTS`: delivery attempts before transient failures give up (default 8). */
export function maxSendAttemptsOption(): { maxSendAttempts?: number } {
  const raw = process.env.NUDGE_MAX_SEND_ATTEMPTS;
  if (raw === undefined || raw === "") return {};
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new UserError(`NUDGE_MAX_SEND_ATTEMPTS must be a whole number from 1 to 100, not ${raw}`);
  }
  return { maxSendAttempts: n };
}

export function installShutdown(stop: () => Promise<void>, logger: pino.Logger): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: finishing the work in hand");
    stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
}

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("run the scheduler and sender only (scale out on PostgreSQL: run several)")
    .option("--batch <n>", "enrollments claimed per pass", "100")
    .option("--poll <ms>", "fallback poll interval in ms", "5000")
    .action(async (opts: { batch: string; poll: string }) => {
      const logger = pino({ level: process.env.LOG_LEVEL ?? "info" }, pino.destination(2));
      const engine = await openStore(process.env.DATABASE_URL);
      await migrateToLatest(engine.db);
      const emailTransport = mailboxSmtpTransport(engine);
      const worker = new Worker({
        engine,
        clock: systemClock,
        emailTransport,
        publicUrl: process.env.NUDGE_PUBLIC_URL ?? "http://localhost:3000",
        logger,
        batchSize: Number(opts.batch),
        pollMs: Number(opts.poll),
        ...maxSendAttemptsOption(),
      });
      await worker.start();
      const stopImap = await startImapPollers(engine, systemClock, logger);
      logger.info({ engine: engine.kind, pid: process.pid }, "worker started");
      installShutdown(async () => {
        await stopImap();
        await worker.stop();
        await emailTransport.close();
        await engine.close();
      }, logger);
    });
}
