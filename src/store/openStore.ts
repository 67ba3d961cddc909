// Opens the database DATABASE_URL names and hands back its engine.

import { type DatabaseConfig, parseDatabaseUrl } from "./databaseUrl.ts";
import { openPostgresEngine } from "./dialect/postgresEngine.ts";
import { openSqliteEngine } from "./dialect/sqliteEngine.ts";
import type { StoreEngine } from "./dialect/storeEngine.ts";

export async function openStore(config: DatabaseConfig | string | undefined): Promise<StoreEngine> {
  const resolved = typeof config === "object" ? config : parseDatabaseUrl(config);
  return resolved.engine === "sqlite" ? openSqliteEngine(resolved.path) : openPostgresEngine(resolved.url);
}
