// What every route can reach: the store, the clock and the public URL (`app.nudge`), who is
// calling (`request.auth`), and the workspace they act in, at that workspace's own time.

import type { FastifyRequest } from "fastify";
import { type Clock, workspaceNow } from "../engine/clock.ts";
import type { StoreEngine } from "../store/dialect/storeEngine.ts";
import type { Executor } from "../store/executor.ts";
import type { ApiScope } from "../store/repos/apiKeys.ts";
import { getWorkspace } from "../store/repos/workspaces.ts";
import type { Workspace } from "../store/schema.ts";
import { ApiProblem } from "./problem.ts";

export interface NudgeServices {
  engine: StoreEngine;
  clock: Clock;
  /** Base URL people's mail clients reach (unsubscribe and tracking links). */
  publicUrl: string;
  /** The time a workspace lives at: its sandbox test clock when set, else the system clock. */
  now(workspace: Workspace): number;
}

export interface ApiAuth {
  workspaceId: string;
  scopes: ApiScope[];
  keyId: string;
}

/** Set by the idempotency hook when a POST carries an Idempotency-Key that is not yet known. */
export interface IdempotencyState {
  key: string;
  requestHash: string;
  /** True once the answer was stored (inside the write's transaction). */
  stored: boolean;
}

declare module "fastify" {
  interface FastifyInstance {
    nudge: NudgeServices;
  }
  interface FastifyRequest {
    /** The caller; null only on public routes. */
    auth: ApiAuth | null;
    idempotency: IdempotencyState | null;
  }
  interface FastifyContextConfig {
    /** No API key needed (health, docs, tracking, unsubscribe, signed incoming webhooks). */
    public?: boolean;
    /** Scopes besides `admin` that may call the route; see src/api/auth.ts for the default. */
    allow?: ApiScope[];
  }
}

export function makeServices(deps: { engine: StoreEngine; clock: Clock; publicUrl: string }): NudgeServices {
  return {
    engine: deps.engine,
    clock: deps.clock,
    publicUrl: deps.publicUrl,
    now: (workspace) => workspaceNow(workspace, deps.clock),
  };
}

export function authOf(request: FastifyRequest): ApiAuth {
  if (!request.auth) throw new ApiProblem(401, "unauthorized", "this route needs an API key");
  return request.auth;
}

/** The caller's workspace, read fresh (mode, test clock and settings change under us). */
export async function workspaceOf(request: FastifyRequest, db?: Executor): Promise<Workspace> {
  const auth = authOf(request);
  const workspace = await getWorkspace(db ?? request.server.nudge.engine.db, auth.workspaceId);
  if (!workspace) throw new ApiProblem(401, "unauthorized", "the API key's workspace no longer exists");
  return workspace;
}

/** After a commit that may have queued work: wake the worker now instead of at its next poll. */
export async function wakeWorker(engine: StoreEngine): Promise<void> {
  await engine.notify("nudge_due");
  await engine.notify("nudge_outbox");
}
