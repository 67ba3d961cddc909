// `nudge start`: everything in one process — the HTTP API (and the web UI when it is built),
// the scheduler and the sender — on SQLite (./nudge.db) and in sandbox mode by default. The
// first run creates a workspace, an admin API key and, unless --no-demo, a demo to play with.

import type { Command } from "commander";
import { pino } from "pino";
import { Registry } from "prom-client";
import { workerMetrics } from "../../api/metrics.ts";
import { createLoginLink } from "../../api/routes/session.ts";
import { buildServer } from "../../api/server.ts";
import { webAppBuilt } from "../../api/webApp.ts";
import { systemClock } from "../../engine/clock.ts";
import { createFirstWorkspace } from "../../engine/seedDemo.ts";
import { Worker } from "../../engine/worker.ts";
import { startImapPollers } from "../../inbound/imapPollers.ts";
import { parseDatabaseUrl, redact } from "../../store/databaseUrl.ts";
import { migrateToLatest } from "../../store/migrate.ts";
import { openStore } from "../../store/openStore.ts";
import { listWorkspaces } from "../../store/repos/workspaces.ts";
import { UserError } from "../userError.ts";
import { installShutdown, mailboxSmtpTransport, maxSendAttemptsOption } from "./worker.ts";

export function registerStart(program: Command): void {
  program
    .command("start")
    .description("run the API, worker and UI in one process (SQLite and sandbox by default)")
    .option("--port <port>", "HTTP port (env PORT)", process.env.PORT ?? "3000")
    .option("--host <host>", "address to listen on (env HOST)", process.env.HOST ?? "127.0.0.1")
    .option("--no-demo", "first run: create an empty workspace instead of the demo")
    .option("--no-worker", "serve the API only (run `nudge worker` elsewhere)")
    .action(async (opts: { port: string; host: string; demo: boolean; worker: boolean }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UserError(`--port ${opts.port} is not a port number`);
      const logger = pino({ level: process.env.LOG_LEVEL ?? "info" }, pino.destination(2));
      const config = parseDatabaseUrl(process.env.DATABASE_URL);
      const sendAttempts = maxSendAttemptsOption();
      const engine = await openStore(config);
      await migrateToLatest(engine.db);
      let publicUrl = process.env.NUDGE_PUBLIC_URL ?? `http://localhost:${port}`;

      let firstRun: Awaited<ReturnType<typeof createFirstWorkspace>> | null = null;
      if ((await listWorkspaces(engine.db)).length === 0) {
        firstRun = await engine.db
          .transaction()
          .execute((trx) => createFirstWorkspace(trx, { demo: opts.demo }, systemClock.nowUtcMs()));
      }

      const metricsRegistry = new Registry();
      const trustProxy = trustProxyOption(process.env.NUDGE_TRUST_PROXY);
      const app = await buildServer({
        engine,
        clock: systemClock,
        publicUrl,
        logger,
        metricsRegistry,
        ...(trustProxy !== undefined ? { trustProxy } : {}),
      });
      try {
        await app.listen({ port, host: opts.host });
      } catch (error) {
        await engine.close();
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EADDRINUSE")
          throw new UserError(`port ${port} is in use; pick another with --port or PORT`);
        throw error;
      }
      // With --port 0 the port is known only now: links in mail must carry the real one.
      const bound = app.server.address();
      if (!process.env.NUDGE_PUBLIC_URL && port === 0 && typeof bound === "object" && bound) {
        publicUrl = `http://localhost:${bound.port}`;
        app.nudge.publicUrl = publicUrl;
      }
      const emailTransport = mailboxSmtpTransport(engine);
      const worker = opts.worker
        ? new Worker({
            engine,
            clock: systemClock,
            emailTransport,
            publicUrl,
            logger,
            metrics: workerMetrics(metricsRegistry),
            ...sendAttempts,
          })
        : null;
      await worker?.start();
      const stopImap = worker ? await startImapPollers(engine, systemClock, logger) : async () => {};

      const address = app.server.address();
      const actualPort = typeof address === "object" && address ? address.port : port;
      const url = `http://${opts.host === "0.0.0.0" ? "localhost" : opts.host}:${actualPort}`;
      const where = config.engine === "sqlite" ? `sqlite:${config.path}` : redact(config.url);
      const lines = [`Nudge is running at ${url}  (database ${where})`, `API reference: ${url}/docs`];
      // A fresh one-time sign-in link for the web app at every start (see docs/web.md).
      const [firstWorkspace] = await listWorkspaces(engine.db);
      if (!webAppBuilt())
        lines.push("Web app not built: run `npm run build:web` (or `npm start`) to serve it at /");
      else if (firstWorkspace) {
        const link = await createLoginLink(engine.db, firstWorkspace.id, systemClock.nowUtcMs());
        lines.push(`Web app: ${url}/login#token=${link.token}  (one-time sign-in as ${link.user.email})`);
      }
      if (firstRun) {
        lines.push(
          "",
          `First run: created workspace ${firstRun.workspace.id} in SANDBOX mode (messages are captured, never sent).`,
          `Admin API key (shown once): ${firstRun.adminKey}`,
        );
        if (firstRun.demo) {
          lines.push(
            `Demo: sequence "${firstRun.demo.sequenceKey}" is active; test contact ${firstRun.demo.contactEmail}.`,
            "Try the 60-second tour in README.md.",
          );
        }
      } else {
        lines.push("Need an API key? npx nudge keys create --name me");
      }
      process.stdout.write(`${lines.join("\n")}\n`);
      installShutdown(async () => {
        await stopImap();
        await worker?.stop();
        await app.close();
        await emailTransport.close();
        await engine.close();
      }, logger);
    });
}

/** NUDGE_TRUST_PROXY: `true`, or a comma-separated list of the proxies' addresses/CIDRs. */
export function trustProxyOption(value: string | undefined): boolean | string[] | undefined {
  if (value === undefined || value.trim() === "" || value === "false") return undefined;
  if (value === "true") return true;
  return value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
}
