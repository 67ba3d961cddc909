// Opens a fresh, migrated store on each engine for a test file. PostgreSQL is mandatory: when
// it cannot be reached the suite fails with a message saying how to start it, never skips.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe } from "vitest";
import type { StoreEngine } from "../../src/store/dialect/storeEngine.ts";
import { migrateToLatest } from "../../src/store/migrate.ts";
import { openStore } from "../../src/store/openStore.ts";

export type EngineKind = "sqlite" | "postgres";
export const ENGINE_KINDS: EngineKind[] = ["sqlite", "postgres"];

export const PG_ADMIN_URL = process.env.NUDGE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

let counter = 0;

export interface TestStore {
  kind: EngineKind;
  engine: StoreEngine;
  /** The DATABASE_URL of this store, for child processes. */
  url: string;
  close(): Promise<void>;
}

export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is required by the store tests and cannot be reached at ${PG_ADMIN_URL} (${(error as Error).message}). ` +
        "Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set NUDGE_TEST_PG_URL.",
    );
  }
  counter += 1;
  const name = `nudge_t_${process.pid}_${Date.now().toString(36)}_${counter}`;
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function openTestStore(kind: EngineKind): Promise<TestStore> {
  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "nudge-test-"));
    const url = `sqlite:${join(dir, "nudge.db")}`;
    const engine = await openStore(url);
    await migrateToLatest(engine.db);
    return {
      kind,
      engine,
      url,
      async close() {
        await engine.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const database = await createPostgresDatabase();
  const engine = await openStore(database.url);
  await migrateToLatest(engine.db);
  return {
    kind,
    engine,
    url: database.url,
    async close() {
      await engine.close();
      await database.drop();
    },
  };
}

/**
 * Runs the same suite once per engine. `store()` gives the current engine's store inside tests.
 */
export function describeEachEngine(title: string, suite: (store: () => TestStore) => void): void {
  for (const kind of ENGINE_KINDS) {
    describe(`${title} [${kind}]`, () => {
      let current: TestStore | undefined;
      beforeAll(async () => {
        current = await openTestStore(kind);
      });
      afterAll(async () => {
        await current?.close();
      });
      suite(() => {
        if (!current) throw new Error(`the ${kind} test store did not open`);
        return current;
      });
    });
  }
}
