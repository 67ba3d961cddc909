// `nudge stats SEQUENCE`: per-step sends, opens (human only), clicks, replies, bounces,
// unsubscribes and holds, exits by reason, and enrollments by status.

import type { Command } from "commander";
import { sequenceOutcomes } from "../../api/sequenceOutcomes.ts";
import { sequenceStats } from "../../api/sequenceStats.ts";
import { loadDefinition } from "../../engine/definitionCache.ts";
import { findSequence, getSequenceVersion } from "../../store/repos/sequences.ts";
import { printJson, withCli } from "../support/context.ts";
import { UserError } from "../userError.ts";

export function registerStats(program: Command): void {
  program
    .command("stats")
    .description("per-step numbers of a sequence")
    .argument("<sequence>", "sequence id or key")
    .option("--workspace <id>", "workspace id (default: the first)")
    .option("--json", "print JSON")
    .action(async (ref: string, opts: { workspace?: string; json?: boolean }) => {
      await withCli(opts, async ({ engine, workspace }) => {
        const sequence = await findSequence(engine.db, workspace.id, ref);
        if (!sequence) throw new UserError(`no sequence ${ref}`);
        const version = await getSequenceVersion(engine.db, sequence.id, sequence.current_version);
        const definition = version ? await loadDefinition(engine.db, version.id) : null;
        const stats = await sequenceStats(engine.db, sequence.id, definition);
        const outcomes = await sequenceOutcomes(engine.db, workspace.id, sequence.id);
        if (opts.json) {
          printJson({ sequence: sequence.key, ...stats, outcomes });
          return;
        }
        const e = stats.enrollments;
        process.stdout.write(
          `${sequence.key} (v${sequence.current_version}, ${sequence.status}): active ${e.active}, paused ${e.paused}, completed ${e.completed}, exited ${e.exited}\n\n`,
        );
        const header = [
          "step",
          "sent",
          "delivered",
          "opened",
          "clicked",
          "replied",
          "bounced",
          "unsub",
          "held",
          "tasks",
        ];
        const rows = stats.steps.map((s) => [
          s.step_id,
          s.sent,
          s.delivered,
          s.opened,
          s.clicked,
          s.replied,
          s.bounced,
          s.unsubscribed,
          s.held,
          `${s.tasks_completed}/${s.tasks_created}`,
        ]);
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
        const line = (cells: Array<string | number>) =>
          cells.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join("  ");
        process.stdout.write(`${line(header)}\n${rows.map(line).join("\n")}\n`);
        const exits = Object.entries(stats.exits);
        if (exits.length > 0)
          process.stdout.write(`\nexits: ${exits.map(([k, v]) => `${k} ${v}`).join(", ")}\n`);
        const r = outcomes.replies;
        const t = outcomes.time_to_first_reply_hours;
        const d = outcomes.deal_advancement;
        const rate = (x: number | null) => (x === null ? "-" : `${Math.round(x * 100)}%`);
        process.stdout.write(
          `replies: ${r.total} (positive ${r.positive}, negative ${r.negative}, neutral ${r.neutral}); ` +
            `first reply after ${t.median ?? "-"} h (median), ${t.p90 ?? "-"} h (p90); ` +
            `completed without response: ${outcomes.completed_without_response}\n` +
            `deals moved: enrolled ${rate(d.enrolled.rate)} of ${d.enrolled.contacts_with_deals}, ` +
            `not enrolled ${rate(d.not_enrolled.rate)} of ${d.not_enrolled.contacts_with_deals}\n`,
        );
      });
    });
}
