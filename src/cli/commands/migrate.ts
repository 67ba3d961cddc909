// `nudge migrate`: creates or upgrades the schema of the database DATABASE_URL names.

import type { Command } from "commander";
import { parseDatabaseUrl, redact } from "../../store/databaseUrl.ts";
import { migrateToLatest } from "../../store/migrate.ts";
import { openStore } from "../../store/openStore.ts";

export function registerMigrate(program: Command): void {
  program
    .command("migrate")
    .description(
      "create or upgrade the database schema (DATABASE_URL: sqlite:PATH, default ./nudge.db, or postgres://…)",
    )
    .option("--json", "print the result as JSON")
    .action(async (opts: { json?: boolean }) => {
      const config = parseDatabaseUrl(process.env.DATABASE_URL);
      const engine = await openStore(config);
      try {
        const report = await migrateToLatest(engine.db);
        const where = config.engine === "sqlite" ? `sqlite:${config.path}` : redact(config.url);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ database: where, ...report })}\n`);
        } else if (report.alreadyUpToDate) {
          process.stdout.write(`${where}: schema already up to date\n`);
        } else {
          process.stdout.write(`${where}: applied ${report.applied.join(", ")}\n`);
        }
      } finally {
        await engine.close();
      }
    });
}
