// `nudge clock show|advance`: the sandbox test clock. `advance 3d` moves the workspace's time
// forward and processes everything due on the way, in order.

import type { Command } from "commander";
import { parseDelay } from "../../domain/time/index.ts";
import { advanceClock, ClockError } from "../../engine/advanceClock.ts";
import { getWorkspace } from "../../store/repos/workspaces.ts";
import { printJson, withCli } from "../support/context.ts";
import { UserError } from "../userError.ts";

/** A test-clock step in plain minutes/hours/days/weeks: business days make no sense for a clock. */
export function parseClockStep(text: string): number {
  const parsed = parseDelay(text, { business: false });
  if (!parsed.ok) throw new UserError(`${parsed.message}${parsed.hint ? `; ${parsed.hint}` : ""}`);
  const d = parsed.delay;
  switch (d.kind) {
    case "none":
      return 0;
    case "minutes":
      return d.minutes * 60_000;
    case "hours":
      return d.hours * 3_600_000;
    case "days":
      if (d.business) throw new UserError(`"${text}": the clock moves by calendar time; use e.g. 3d`);
      return d.days * 86_400_000;
    case "next_business_morning":
      throw new UserError(`"${text}": the clock moves by a duration such as 30m, 2h or 3d`);
    default: {
      const unhandled: never = d;
      throw new Error(`unhandled delay ${JSON.stringify(unhandled)}`);
    }
  }
}

export function registerClock(program: Command): void {
  const clock = program.command("clock").description("the sandbox test clock");
  clock
    .command("show")
    .description("print the workspace's current time")
    .option("--workspace <id>", "workspace id (default: the first)")
    .option("--json", "print JSON")
    .action(async (opts: { workspace?: string; json?: boolean }) => {
      await withCli(opts, async ({ workspace, clock: systemClock }) => {
        const at = workspace.clock_at ?? systemClock.nowUtcMs();
        const info = {
          workspace: workspace.id,
          mode: workspace.mode,
          test_clock: workspace.clock_at !== null,
          now: new Date(at).toISOString(),
        };
        if (opts.json) printJson(info);
        else
          process.stdout.write(
            `${info.now} (${info.test_clock ? "test clock" : "system clock"}, ${workspace.mode})\n`,
          );
      });
    });
  clock
    .command("advance")
    .description(
      "move the sandbox test clock forward (e.g. 30m, 2h, 3d) and process everything due on the way",
    )
    .argument("<duration>", "how far: 30m, 2h, 3d, 1w")
    .option("--workspace <id>", "workspace id (default: the first)")
    .option("--json", "print JSON")
    .action(async (duration: string, opts: { workspace?: string; json?: boolean }) => {
      const deltaMs = parseClockStep(duration);
      await withCli(opts, async ({ engine, clock: systemClock, workspace }) => {
        try {
          const report = await advanceClock(
            {
              engine,
              clock: systemClock,
              publicUrl: process.env.NUDGE_PUBLIC_URL ?? "http://localhost:3000",
            },
            workspace.id,
            deltaMs,
          );
          const after = await getWorkspace(engine.db, workspace.id);
          const out = {
            from: new Date(report.fromUtcMs).toISOString(),
            to: new Date(after?.clock_at ?? report.toUtcMs).toISOString(),
            enrollments_processed: report.enrollmentsProcessed,
            messages_captured: report.messagesCaptured,
            messages_deferred: report.messagesDeferred,
            messages_held: report.messagesHeld,
          };
          if (opts.json) printJson(out);
          else
            process.stdout.write(
              `clock ${out.from} → ${out.to}: ${out.enrollments_processed} enrollment runs, ${out.messages_captured} messages captured, ${out.messages_deferred} deferred, ${out.messages_held} held\n`,
            );
        } catch (error) {
          if (error instanceof ClockError) throw new UserError(error.message);
          throw error;
        }
      });
    });
}
