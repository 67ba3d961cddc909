// `nudge start`: runs Nudge in one process. Until the HTTP server and worker land, it prepares
// the database and says plainly what is available today.

import type { Command } from "commander";
import { parseDatabaseUrl, redact } from "../../store/databaseUrl.ts";
import { migrateToLatest } from "../../store/migrate.ts";
import { openStore } from "../../store/openStore.ts";

export function registerStart(program: Command): void {
  program
    .command("start")
    .description("run Nudge (today: prepares the database; the API server and worker are not built yet)")
    .action(async () => {
      const config = parseDatabaseUrl(process.env.DATABASE_URL);
      const engine = await openStore(config);
      try {
        await migrateToLatest(engine.db);
      } finally {
        await engine.close();
      }
      const where = config.engine === "sqlite" ? `sqlite:${config.path}` : redact(config.url);
      process.stdout.write(
        [
          `Nudge database ready at ${where}.`,
          "The HTTP API, the worker and the web UI are not built yet, so there is nothing to serve.",
          "What works today: nudge migrate (see docs/architecture.md).",
          "",
        ].join("\n"),
      );
    });
}
