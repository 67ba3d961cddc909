// Throwaway databases for one benchmark: a SQLite file in a temp folder, or a PostgreSQL database
// named nudge_bench_* created on the server and dropped afterwards. Migrated with the real
// migrations, so every scenario runs on the real schema.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { StoreEngine } from "../../src/store/dialect/storeEngine.ts";
import { migrateToLatest } from "../../src/store/migrate.ts";
import { openStore } from "../../src/store/openStore.ts";

export type EngineKind = "sqlite" | "postgres";

export const PG_SERVER_URL = process.env.NUDGE_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface BenchStore {
  kind: EngineKind;
  /** What DATABASE_URL must say for a worker or server process to open this store. */
  url: string;
  engine: StoreEngine;
  /** Closes the connection and deletes the database. */
  drop(): Promise<void>;
}

/** A PostgreSQL URL for database `name` on the bench server. */
export function pgUrlFor(name: string): string {
  const url = new URL(PG_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_SERVER_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export async function createPgDatabase(label: string): Promise<{ name: string; url: string }> {
  const name = `nudge_bench_${label}_${process.pid}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  await adminQuery(`drop database if exists ${name} with (force)`);
  await adminQuery(`create database ${name}`);
  return { name, url: pgUrlFor(name) };
}

export async function dropPgDatabase(name: string): Promise<void> {
  await adminQuery(`drop database if exists ${name} with (force)`);
}

export async function openBenchStore(kind: EngineKind, label: string): Promise<BenchStore> {
  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), `nudge-bench-${label}-`));
    const path = join(dir, "nudge.db");
    const engine = await openStore(`sqlite:${path}`);
    await migrateToLatest(engine.db);
    return {
      kind,
      url: `sqlite:${path}`,
      engine,
      async drop() {
        await engine.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const { name, url } = await createPgDatabase(label);
  const engine = await openStore(url);
  await migrateToLatest(engine.db);
  return {
    kind,
    url,
    engine,
    async drop() {
      await engine.close();
      await dropPgDatabase(name);
    },
  };
}
