// Who is calling, and may they. Every route needs `Authorization: Bearer <api key>` unless its
// route config marks it public; the key's scopes must include one the route allows.
//
// How a route says who may call it (route `config`, typed in src/api/context.ts):
//   config: { public: true }             no key: health, docs, tracking, unsubscribe, and
//                                        incoming webhooks (they verify their own signature)
//   config: { allow: ["rep", "ingest"] } these scopes may call besides `admin`
//   nothing                              GET/HEAD: `admin` and `rep`; any other method: `admin`
// A browser signed in to the web app sends a session cookie instead of a key (routes/session.ts).
// `admin` may call everything. Unknown routes are answered 404 before any key is asked for.
// The caller lands in `request.auth = { workspaceId, scopes, keyId }`.

import type { FastifyInstance, FastifyRequest } from "fastify";
import { type ApiScope, findApiKey, scopesOf, touchApiKey } from "../store/repos/apiKeys.ts";
import { ApiProblem } from "./problem.ts";
import { authBySession } from "./routes/session.ts";

/** last_used_at is a hint for people, not an audit trail: write it at most once a minute per key. */
const TOUCH_EVERY_MS = 60_000;

export const SCOPES: ApiScope[] = ["admin", "rep", "ingest"];

export function allowedScopes(method: string, allow: ApiScope[] | undefined): ApiScope[] {
  const base: ApiScope[] = allow ?? (method === "GET" || method === "HEAD" ? ["rep"] : []);
  return ["admin", ...base.filter((s) => s !== "admin")];
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

function unauthorized(detail: string): ApiProblem {
  return new ApiProblem(401, "unauthorized", detail, undefined, {
    "www-authenticate": 'Bearer realm="nudge"',
  });
}

export function installAuth(app: FastifyInstance): void {
  app.decorateRequest("auth", null);
  app.addHook("onRequest", async (request: FastifyRequest) => {
    if (request.is404) return;
    const config = request.routeOptions.config;
    if (config.public) return;
    const key = bearerToken(request.headers.authorization);
    if (!key) {
      // The web app signs people in with a session cookie (src/api/routes/session.ts).
      const session = await authBySession(request);
      if (!session) throw unauthorized("send your API key as `Authorization: Bearer <key>`");
      request.auth = session;
      const allowed = allowedScopes(request.method, config.allow);
      if (!session.scopes.some((s) => allowed.includes(s)))
        throw new ApiProblem(403, "forbidden", `this needs one of the scopes ${allowed.join(", ")}`);
      return;
    }
    const { engine, clock } = request.server.nudge;
    const row = await findApiKey(engine.db, key);
    if (!row) throw unauthorized("the API key is unknown or has been revoked");
    const scopes = scopesOf(row);
    request.auth = { workspaceId: row.workspace_id, scopes, keyId: row.id };
    const allowed = allowedScopes(request.method, config.allow);
    if (!scopes.some((s) => allowed.includes(s))) {
      throw new ApiProblem(
        403,
        "forbidden",
        `this needs one of the scopes ${allowed.join(", ")}; the key has ${scopes.join(", ") || "none"}`,
      );
    }
    const now = clock.nowUtcMs();
    if (row.last_used_at === null || Number(row.last_used_at) < now - TOUCH_EVERY_MS) {
      await touchApiKey(engine.db, row.id, now);
    }
  });
}
