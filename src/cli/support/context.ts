// What most commands need: the database DATABASE_URL names (migrated), the workspace to act
// on, and the clock. Commands that change data share this so they behave alike.

import { type Clock, systemClock } from "../../engine/clock.ts";
import type { StoreEngine } from "../../store/dialect/storeEngine.ts";
import { migrateToLatest } from "../../store/migrate.ts";
import { openStore } from "../../store/openStore.ts";
import { getWorkspace, listWorkspaces } from "../../store/repos/workspaces.ts";
import type { Workspace } from "../../store/schema.ts";
import { UserError } from "../userError.ts";

export interface CliContext {
  engine: StoreEngine;
  clock: Clock;
  workspace: Workspace;
  close(): Promise<void>;
}

export async function openCli(opts: { workspace?: string } = {}): Promise<CliContext> {
  const engine = await openStore(process.env.DATABASE_URL);
  try {
    await migrateToLatest(engine.db);
    const workspace = opts.workspace
      ? await getWorkspace(engine.db, opts.workspace)
      : (await listWorkspaces(engine.db))[0];
    if (!workspace) {
      throw new UserError(
        opts.workspace
          ? `no workspace ${opts.workspace}`
          : "no workspace yet: run `nudge start` once (it creates one), or `nudge start --no-demo`",
      );
    }
    return { engine, clock: systemClock, workspace, close: () => engine.close() };
  } catch (error) {
    await engine.close();
    throw error;
  }
}

/** Runs a command body with a context and always closes the database. */
export async function withCli<T>(
  opts: { workspace?: string },
  body: (ctx: CliContext) => Promise<T>,
): Promise<T> {
  const ctx = await openCli(opts);
  try {
    return await body(ctx);
  } finally {
    await ctx.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
