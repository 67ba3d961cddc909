// PostgreSQL (pg): the scale-out engine. Any number of workers claim due rows with
// FOR UPDATE SKIP LOCKED; idle workers sleep on LISTEN and wake on NOTIFY.

import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { ConfigError, redact } from "../databaseUrl.ts";
import type { Database } from "../schema.ts";
import type { StoreEngine, WakeChannel } from "./storeEngine.ts";

// Our timestamps are epoch milliseconds in bigint columns; they fit a JS number exactly.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export async function openPostgresEngine(
  url: string,
  options: { poolSize?: number } = {},
): Promise<StoreEngine> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new ConfigError(`cannot reach PostgreSQL at ${redact(url)}: ${describeConnectError(error)}`);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: "postgres",
    db,
    lockForClaim: (query) => query.forUpdate().skipLocked(),
    async notify(channel: WakeChannel) {
      await pool.query("select pg_notify($1, '')", [channel]);
    },
    async listen(channel: WakeChannel, onWake: () => void) {
      // LISTEN needs a connection of its own, outside the pool, held for as long as we listen.
      const client = new pg.Client({ connectionString: url });
      client.on("error", () => {});
      await client.connect();
      client.on("notification", (message) => {
        if (message.channel === channel) onWake();
      });
      await client.query(`listen ${channel}`);
      return async () => {
        await client.end().catch(() => {});
      };
    },
    async close() {
      await db.destroy();
    },
  };
}

function describeConnectError(error: unknown): string {
  const err = error as { code?: string; message?: string };
  if (err.code === "ECONNREFUSED") return "connection refused (is the server running?)";
  if (err.code === "ENOTFOUND") return "host not found";
  if (err.code === "3D000") return `${err.message ?? "database does not exist"} (create it with createdb)`;
  if (err.code === "28P01" || err.code === "28000") return `authentication failed: ${err.message ?? ""}`;
  return err.message ?? String(error);
}
