// Starts one long-lived IMAP poller per mailbox that has IMAP settings, for `nudge start` and
// `nudge worker`. A mailbox added, changed or removed through the API is picked up at once (the
// API notifies `nudge_mailboxes`); a periodic rescan catches anything else.

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
    // A mailbox deleted, or whose IMAP settings were removed, stops being polled.
    const wanted = new Set(mailboxes.map((m) => m.id));
    for (const [id, current] of running) {
      if (wanted.has(id)) continue;
      running.delete(id);
      await current.poller.stop();
      logger?.info({ mailbox: id }, "IMAP poller stopped");
    }
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
  // Scans never overlap: a wake-up during a scan runs one more scan after it.
  let scanning: Promise<void> | null = null;
  let again = false;
  const rescan = (): void => {
    if (scanning) {
      again = true;
      return;
    }
    scanning = scan()
      .catch((error: unknown) => logger?.error({ err: error }, "IMAP scan failed"))
      .finally(() => {
        scanning = null;
        if (again) {
          again = false;
          rescan();
        }
      });
  };
  rescan();
  await scanning;
  const unlisten = await engine.listen("nudge_mailboxes", rescan);
  const timer = setInterval(rescan, opts.rescanMs ?? 60_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await unlisten();
    await scanning;
    await Promise.all([...running.values()].map((r) => r.poller.stop()));
  };
}
