// Starts one long-lived IMAP poller per mailbox that has IMAP settings, for `nudge start` and
// `nudge worker`. Mailboxes added later are picked up by the periodic rescan.

import type { Logger } from "pino";
import type { Clock } from "../engine/clock.ts";
import type { StoreEngine } from "../store/dialect/storeEngine.ts";
import { imapSettingsOf } from "../store/repos/mailboxes.ts";
import { ImapPoller } from "./imapPoller.ts";

export async function startImapPollers(
  engine: StoreEngine,
  clock: Clock,
  logger?: Logger,
  opts: { rescanMs?: number; pollMs?: number } = {},
): Promise<() => Promise<void>> {
  const running = new Map<string, { poller: ImapPoller; key: string }>();
  const scan = async () => {
    const mailboxes = await engine.db
      .selectFrom("mailboxes")
      .selectAll()
      .where("imap_json", "is not", null)
      .execute();
    for (const mailbox of mailboxes) {
      const settings = imapSettingsOf(mailbox);
      if (!settings) continue;
      const key = JSON.stringify(settings);
      const current = running.get(mailbox.id);
      if (current?.key === key) continue;
      await current?.poller.stop();
      const poller = new ImapPoller({
        engine,
        clock,
        workspaceId: mailbox.workspace_id,
        mailboxId: mailbox.id,
        settings,
        pollMs: opts.pollMs ?? 60_000,
        ...(logger ? { logger } : {}),
      });
      running.set(mailbox.id, { poller, key });
      void poller.start();
      logger?.info({ mailbox: mailbox.id, host: settings.host }, "IMAP poller started");
    }
  };
  await scan().catch((error: unknown) => logger?.error({ err: error }, "IMAP scan failed"));
  const timer = setInterval(() => void scan().catch(() => {}), opts.rescanMs ?? 60_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await Promise.all([...running.values()].map((r) => r.poller.stop()));
  };
}
