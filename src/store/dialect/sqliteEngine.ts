// SQLite (better-sqlite3): the embedded default. WAL mode so readers never block the writer;
// write transactions start with BEGIN IMMEDIATE so two writers queue on the busy timeout
// instead of deadlocking when a read lock is upgraded.

import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SqliteDatabase from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  type SqliteDatabase as KyselySqliteDatabase,
  SqliteDialect,
  SqliteDriver,
} from "kysely";
import { ConfigError } from "../databaseUrl.ts";
import type { Database } from "../schema.ts";
import { withStatementCache } from "./statementCache.ts";
import type { StoreEngine, WakeChannel } from "./storeEngine.ts";

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: KyselySqliteDatabase;
  constructor(database: SqliteDatabase.Database) {
    const cached = withStatementCache(database);
    super({ database: cached });
    this.#database = cached;
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver({ database: this.#database });
  }
}

export function openSqliteEngine(path: string): StoreEngine {
  let database: SqliteDatabase.Database;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    database = new SqliteDatabase(path);
    database.pragma("journal_mode = WAL");
    database.pragma("synchronous = NORMAL");
    database.pragma("foreign_keys = ON");
    database.pragma("busy_timeout = 10000");
  } catch (error) {
    throw new ConfigError(`cannot open SQLite database ${path}: ${(error as Error).message}`);
  }
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(database) });
  // One process owns a SQLite file's worker, so an in-process signal is enough to wake it.
  const signals = new EventEmitter();
  signals.setMaxListeners(0);
  return {
    kind: "sqlite",
    db,
    lockForClaim: (query) => query,
    async notify(channel: WakeChannel) {
      signals.emit(channel);
    },
    async listen(channel: WakeChannel, onWake: () => void) {
      signals.on(channel, onWake);
      return async () => {
        signals.off(channel, onWake);
      };
    },
    async close() {
      await db.destroy();
    },
  };
}
