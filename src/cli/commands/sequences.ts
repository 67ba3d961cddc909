// `nudge sequences push|list|activate|pause|archive`: load sequence files into the workspace
// and manage their status. Each push of a changed file is a new version.

import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { formatDefinitionError } from "../../domain/sequence/parseSequence.ts";
import { changeSequenceStatus } from "../../engine/changeSequenceStatus.ts";
import { saveSequenceFromText } from "../../engine/saveSequence.ts";
import { countEnrollmentsByStatus } from "../../store/repos/enrollments.ts";
import { findSequence, listSequences, setSequenceStatus } from "../../store/repos/sequences.ts";
import type { SequenceRow } from "../../store/schema.ts";
import { printJson, withCli } from "../support/context.ts";
import { UserError } from "../userError.ts";

export function registerSequences(program: Command): void {
  const seq = program.command("sequences").description("load and manage sequences");
  seq
    .command("push")
    .description("create or update sequences from YAML/JSON files (a changed file is a new version)")
    .argument("<files...>", "sequence files")
    .option("--activate", "activate after saving")
    .option("--workspace <id>", "workspace id (default: the first)")
    .action(async (files: string[], opts: { activate?: boolean; workspace?: string }) => {
      await withCli(opts, async ({ engine, clock, workspace }) => {
        let failed = false;
        for (const file of files) {
          let text: string;
          try {
            text = readFileSync(file, "utf8");
          } catch (error) {
            process.stderr.write(
              `${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? "error"})\n`,
            );
            failed = true;
            continue;
          }
          const now = clock.nowUtcMs();
          const result = await saveSequenceFromText(engine.db, workspace.id, text, file, now);
          if (!result.ok) {
            for (const e of result.errors) process.stderr.write(`${formatDefinitionError(e)}\n`);
            failed = true;
            continue;
          }
          if (opts.activate)
            await setSequenceStatus(engine.db, workspace.id, result.sequence.id, "active", now);
          process.stdout.write(
            `${file}: ${result.sequence.key} version ${result.version.version}${result.created ? " (new sequence)" : ""}${opts.activate ? ", active" : ""}\n`,
          );
        }
        if (failed) process.exitCode = 1;
      });
    });
  seq
    .command("list")
    .description("list sequences with their status and enrollment counts")
    .option("--workspace <id>", "workspace id (default: the first)")
    .option("--json", "print JSON")
    .action(async (opts: { workspace?: string; json?: boolean }) => {
      await withCli(opts, async ({ engine, workspace }) => {
        const rows = [];
        for (const s of await listSequences(engine.db, workspace.id, { includeArchived: true })) {
          rows.push({
            id: s.id,
            key: s.key,
            name: s.name,
            status: s.status,
            version: s.current_version,
            enrollments: await countEnrollmentsByStatus(engine.db, s.id),
          });
        }
        if (opts.json) printJson(rows);
        else
          for (const r of rows) {
            const e = r.enrollments;
            process.stdout.write(
              `${r.key}  v${r.version}  ${r.status}  active ${e.active}, paused ${e.paused}, completed ${e.completed}, exited ${e.exited}\n`,
            );
          }
      });
    });
  for (const [name, status] of [
    ["activate", "active"],
    ["pause", "paused"],
    ["archive", "archived"],
  ] as const) {
    seq
      .command(name)
      .description(`${name} a sequence`)
      .argument("<sequence>", "sequence id or key")
      .option("--workspace <id>", "workspace id (default: the first)")
      .action(async (ref: string, opts: { workspace?: string }) => {
        await withCli(opts, async ({ engine, clock, workspace }) => {
          const sequence: SequenceRow | undefined = await findSequence(engine.db, workspace.id, ref);
          if (!sequence) throw new UserError(`no sequence ${ref}`);
          await engine.db
            .transaction()
            .execute((trx) => changeSequenceStatus(trx, workspace.id, sequence.id, status, clock.nowUtcMs()));
          process.stdout.write(`${sequence.key}: ${status}\n`);
        });
      });
  }
}
