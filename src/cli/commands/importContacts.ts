// `nudge import contacts FILE.csv`: the same import as POST /v1/contacts/import — every bad row
// reported with its row number and field, every good row kept — with a progress bar.

import { readFileSync } from "node:fs";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { ContactImportError, importContacts, parseContactCsv } from "../../api/contactImport.ts";
import { workspaceNow } from "../../engine/clock.ts";
import { transact } from "../../store/transact.ts";
import { printJson, withCli } from "../support/context.ts";
import { UserError } from "../userError.ts";

export function registerImport(program: Command): void {
  const imp = program.command("import").description("bulk imports");
  imp
    .command("contacts")
    .description(
      "import contacts from CSV (email, first_name, last_name, title, phone, time_zone, company, owner_email, tags, lifecycle_stage; other columns become custom fields)",
    )
    .argument("<file>", "CSV file with a header row")
    .option("--workspace <id>", "workspace id (default: the first)")
    .option("--json", "print the report as JSON")
    .action(async (file: string, opts: { workspace?: string; json?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (error) {
        throw new UserError(
          `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
      let parsed: ReturnType<typeof parseContactCsv>;
      try {
        parsed = parseContactCsv(text);
      } catch (error) {
        if (error instanceof ContactImportError) throw new UserError(`${file}: ${error.message}`);
        throw error;
      }
      await withCli(opts, async ({ engine, clock, workspace }) => {
        const bar =
          opts.json || !process.stderr.isTTY
            ? null
            : new SingleBar({ format: "importing [{bar}] {value}/{total}" });
        bar?.start(parsed.rows.length, 0);
        const report = await transact(engine, (trx) =>
          importContacts(trx, workspace, parsed.rows, workspaceNow(workspace, clock), {
            source: "cli",
            onProgress: (done) => bar?.update(done),
          }),
        );
        bar?.stop();
        const rejected = [...parsed.rejected, ...report.rejected].sort((a, b) => a.row - b.row);
        if (opts.json) {
          printJson({ created: report.created, updated: report.updated, rejected });
        } else {
          process.stdout.write(
            `${report.created} created, ${report.updated} updated, ${rejected.length} rejected\n`,
          );
          for (const r of rejected) process.stdout.write(`  row ${r.row}: ${r.field}: ${r.message}\n`);
        }
        if (rejected.length > 0) process.exitCode = 1;
      });
    });
}
