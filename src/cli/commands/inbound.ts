// `nudge inbound classify FILE…` explains how Nudge reads a message (one code path with the
// pipeline: classifyRaw); `nudge inbound poll` reads every IMAP mailbox once.

import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { Classification } from "../../domain/reply/types.ts";
import { systemClock } from "../../engine/clock.ts";
import { classifyRaw } from "../../inbound/classifyRaw.ts";
import { ImapPoller } from "../../inbound/imapPoller.ts";
import { imapSettingsOf, listMailboxes } from "../../store/repos/mailboxes.ts";
import { withCli } from "../support/context.ts";

export interface ClassifyOutput {
  file: string;
  class: Classification["class"];
  intent: Classification["intent"] | null;
  bounce: { recipient: string | null; status: string | null; mta: string | null } | null;
  return_date: string | null;
  rule: string;
}

export function toClassifyOutput(file: string, c: Classification): ClassifyOutput {
  return {
    file,
    class: c.class,
    intent: c.class === "human_reply" ? (c.intent ?? "other") : null,
    bounce:
      c.class === "bounce_hard" || c.class === "bounce_soft"
        ? {
            recipient: c.bounce?.recipient ?? null,
            status: c.bounce?.status ?? null,
            mta: c.bounce?.mta ?? null,
          }
        : null,
    return_date: c.class === "auto_reply" ? (c.returnDate ?? null) : null,
    rule: c.rule,
  };
}

function formatHuman(o: ClassifyOutput): string {
  const parts = [`${o.file}: ${o.class}`];
  if (o.intent) parts.push(`intent ${o.intent}`);
  if (o.bounce) {
    parts.push(`recipient ${o.bounce.recipient ?? "?"}`, `status ${o.bounce.status ?? "?"}`);
    if (o.bounce.mta) parts.push(`mta ${o.bounce.mta}`);
  }
  if (o.class === "auto_reply") parts.push(`returns ${o.return_date ?? "(no date written)"}`);
  return `${parts.join("  ")}\n  rule: ${o.rule}`;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function registerInbound(program: Command): void {
  const inbound = program
    .command("inbound")
    .description("inbound mail: classify messages, poll IMAP mailboxes");
  inbound
    .command("classify")
    .description("classify .eml files (or standard input) exactly as the inbound pipeline would, and say why")
    .argument("[files...]", "RFC 5322 message files; none or - reads standard input")
    .option("--json", "one JSON object per message")
    .option("--received <iso>", "receive time for resolving year-less return dates (default: now)")
    .action(async (files: string[], opts: { json?: boolean; received?: string }) => {
      const receivedAtUtcMs = opts.received ? Date.parse(opts.received) : systemClock.nowUtcMs();
      if (Number.isNaN(receivedAtUtcMs)) {
        process.stderr.write(`nudge: --received ${opts.received} is not an ISO date-time\n`);
        process.exitCode = 1;
        return;
      }
      const inputs = files.length === 0 ? ["-"] : files;
      let failed = false;
      for (const file of inputs) {
        let raw: Buffer;
        try {
          raw = file === "-" ? await readStdin() : readFileSync(file);
        } catch (error) {
          failed = true;
          const reason =
            (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
          if (opts.json)
            process.stdout.write(`${JSON.stringify({ file, error: `cannot read: ${reason}` })}\n`);
          else process.stderr.write(`${file}: cannot read: ${reason}\n`);
          continue;
        }
        const result = await classifyRaw(raw, { receivedAtUtcMs });
        if (!result.ok) {
          failed = true;
          if (opts.json) process.stdout.write(`${JSON.stringify({ file, error: result.error.message })}\n`);
          else process.stderr.write(`${file}: not a readable message: ${result.error.message}\n`);
          continue;
        }
        const out = toClassifyOutput(file === "-" ? "<stdin>" : file, result.classification);
        process.stdout.write(opts.json ? `${JSON.stringify(out)}\n` : `${formatHuman(out)}\n`);
      }
      if (failed) process.exitCode = 1;
    });
  inbound
    .command("poll")
    .description("read every mailbox that has IMAP settings once and process new mail")
    .option("--workspace <id>", "workspace id (default: the first)")
    .action(async (opts: { workspace?: string }) => {
      await withCli(opts, async ({ engine, clock, workspace }) => {
        for (const mailbox of await listMailboxes(engine.db, workspace.id)) {
          const settings = imapSettingsOf(mailbox);
          if (!settings) continue;
          const poller = new ImapPoller({
            engine,
            clock,
            workspaceId: workspace.id,
            mailboxId: mailbox.id,
            settings,
          });
          try {
            const report = await poller.pollOnce();
            process.stdout.write(
              `${mailbox.from_address}: ${report.fetched} new, ${report.processed} processed, ${report.duplicates} already seen, ${report.errors} unreadable\n`,
            );
          } catch (error) {
            process.stderr.write(`${mailbox.from_address}: IMAP failed: ${(error as Error).message}\n`);
            process.exitCode = 1;
          }
        }
      });
    });
}
