// Kysely's SQLite driver asks better-sqlite3 to compile every statement anew, and the engine
// issues the same few dozen statements for every touch: compiling was a fifth of a touch's time
// (bench/profileWorker.ts). This keeps compiled statements by their SQL text, least recently
// used out first. Safe because Kysely runs one statement at a time on its single connection,
// and SQLite re-prepares a cached statement by itself after a schema change.

import type SqliteDatabase from "better-sqlite3";
import type { SqliteDatabase as KyselySqliteDatabase } from "kysely";

export function withStatementCache(database: SqliteDatabase.Database, size = 256): KyselySqliteDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare: (sql: string) => {
      const hit = cache.get(sql);
      if (hit) {
        // Re-insert to mark it most recently used.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const statement = database.prepare(sql);
      cache.set(sql, statement);
      if (cache.size > size) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      return statement;
    },
  };
}
