// Runs the schema migrations with Kysely's migrator. The migrations are imported statically
// (not read from a folder) so they run the same from sources, a bundle or a test.

import { type Kysely, type Migration, type MigrationResultSet, Migrator } from "kysely";
import * as initial from "./migrations/0001_initial.ts";
import * as api from "./migrations/0002_api.ts";
import * as inbound from "./migrations/0003_inbound.ts";
import * as tracking from "./migrations/0004_tracking.ts";
import * as dkim from "./migrations/0005_dkim.ts";
import * as sms from "./migrations/0006_sms.ts";
import * as web from "./migrations/0007_web.ts";
import * as userPhone from "./migrations/0008_user_phone.ts";
import type { Database } from "./schema.ts";

const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_api": api,
  "0003_inbound": inbound,
  "0004_tracking": tracking,
  "0005_dkim": dkim,
  "0006_sms": sms,
  "0007_web": web,
  "0008_user_phone": userPhone,
};

export interface MigrateReport {
  applied: string[];
  alreadyUpToDate: boolean;
}

export async function migrateToLatest(db: Kysely<Database>): Promise<MigrateReport> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`migration ${failed} failed: ${(result.error as Error).message ?? String(result.error)}`);
  }
  const applied = (result.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
  return { applied, alreadyUpToDate: applied.length === 0 };
}

/** Migrations this code knows that the database has not run yet (`nudge doctor`); reads only. */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  return (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
}
