// `Idempotency-Key` on POST: the first successful answer to a key is stored per workspace and
// replayed (with `Idempotent-Replayed: true`) to any retry with the same request; the same key
// with a different request is refused with 422. Writes store the answer in their own
// transaction (`commitWrite`), so a crash can never leave a write without its stored answer.
// Failed requests are not stored: they wrote nothing, and a retry may succeed.

import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Transaction } from "kysely";
import { z } from "zod";
import {
  findIdempotencyRecord,
  type IdempotencyRecord,
  storeIdempotencyRecord,
} from "../store/repos/idempotencyKeys.ts";
import type { Database } from "../store/schema.ts";
import { transact } from "../store/transact.ts";
import { isUniqueViolation } from "./dbErrors.ts";
import { ApiProblem } from "./problem.ts";

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const REPLAYED_HEADER = "Idempotent-Replayed";

/** Thrown to answer with a stored response instead of running the request again. */
export class IdempotentReplay extends Error {
  override readonly name = "IdempotentReplay";
  constructor(readonly record: IdempotencyRecord) {
    super("idempotent replay");
  }
}

/** Key order must not make two equal JSON bodies look different. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function requestHash(request: FastifyRequest): string {
  return createHash("sha256")
    .update(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`)
    .digest("hex");
}

function keyOf(request: FastifyRequest): string | null {
  const header = request.headers[IDEMPOTENCY_HEADER];
  if (header === undefined) return null;
  if (typeof header !== "string" || !/^[\x21-\x7e]{1,255}$/.test(header)) {
    throw new ApiProblem(
      400,
      "bad-request",
      "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is a good choice)",
      [{ field: "Idempotency-Key", message: "1 to 255 visible ASCII characters" }],
    );
  }
  return header;
}

function checkReplay(record: IdempotencyRecord, hash: string): never {
  if (record.request_hash !== hash) {
    throw new ApiProblem(
      422,
      "idempotency-key-reused",
      "this Idempotency-Key was already used with a different request (method, path or body); use a new key",
      [{ field: "Idempotency-Key", message: "already used with a different request" }],
    );
  }
  throw new IdempotentReplay(record);
}

export function sendReplay(reply: FastifyReply, record: IdempotencyRecord): FastifyReply {
  return reply
    .code(record.status_code)
    .header(REPLAYED_HEADER, "true")
    .type("application/json; charset=utf-8")
    .send(record.response_json);
}

export function installIdempotency(app: FastifyInstance): void {
  app.decorateRequest("idempotency", null);
  app.addHook("preHandler", async (request) => {
    if (request.method !== "POST" || !request.auth) return;
    const key = keyOf(request);
    if (!key) return;
    const hash = requestHash(request);
    const { engine, clock } = request.server.nudge;
    const found = await findIdempotencyRecord(engine.db, request.auth.workspaceId, key, clock.nowUtcMs());
    if (found) checkReplay(found, hash);
    request.idempotency = { key, requestHash: hash, stored: false };
  });
  // Routes that do not write through commitWrite (reads over POST, the clock advance, which
  // commits many transactions) get their answer stored here, after the fact.
  app.addHook("onSend", async (request, reply, payload) => {
    const state = request.idempotency;
    if (!state || state.stored || !request.auth || reply.hasHeader(REPLAYED_HEADER)) return payload;
    if (reply.statusCode < 200 || reply.statusCode >= 300 || typeof payload !== "string") return payload;
    state.stored = true;
    try {
      await storeIdempotencyRecord(request.server.nudge.engine.db, {
        workspace_id: request.auth.workspaceId,
        key: state.key,
        request_hash: state.requestHash,
        status_code: reply.statusCode,
        response_json: payload,
        created_at: request.server.nudge.clock.nowUtcMs(),
      });
    } catch (error) {
      // A concurrent retry stored its answer first; both answers describe the same request.
      if (!isUniqueViolation(error)) request.log.error({ err: error }, "could not store idempotent response");
    }
    return payload;
  });
}

export interface WriteResult<B> {
  statusCode: number;
  body: B;
}

/**
 * Runs a write in one transaction (retried when it lost a race, see store/transact.ts). With an Idempotency-Key, the key is checked again inside
 * the transaction (SQLite serialises writers, so a concurrent retry sees the first answer)
 * and the answer is stored before commit; on PostgreSQL a concurrent duplicate fails on the
 * key's unique index, rolls back, and replays the answer that won. `forReplay` blanks what
 * must never be stored (a new API key is shown once).
 */
export async function commitWrite<B>(
  request: FastifyRequest,
  work: (trx: Transaction<Database>) => Promise<WriteResult<B>>,
  opts: { forReplay?: (body: B) => B } = {},
): Promise<WriteResult<B>> {
  const { engine, clock } = request.server.nudge;
  const state = request.idempotency;
  const auth = request.auth;
  try {
    return await transact(engine, async (trx) => {
      if (state && auth) {
        const found = await findIdempotencyRecord(trx, auth.workspaceId, state.key, clock.nowUtcMs());
        if (found) checkReplay(found, state.requestHash);
      }
      const result = await work(trx);
      if (state && auth && result.statusCode >= 200 && result.statusCode < 300) {
        await storeIdempotencyRecord(trx, {
          workspace_id: auth.workspaceId,
          key: state.key,
          request_hash: state.requestHash,
          status_code: result.statusCode,
          response_json: serializeLikeTheRoute(request, {
            statusCode: result.statusCode,
            body: opts.forReplay ? opts.forReplay(result.body) : result.body,
          }),
          created_at: clock.nowUtcMs(),
        });
        state.stored = true;
      }
      return result;
    });
  } catch (error) {
    if (state && auth && isUniqueViolation(error)) {
      const found = await findIdempotencyRecord(engine.db, auth.workspaceId, state.key, clock.nowUtcMs());
      if (found) checkReplay(found, state.requestHash);
    }
    throw error;
  }
}

/** The stored answer must be byte-for-byte what the route's response schema would send. */
function serializeLikeTheRoute<B>(request: FastifyRequest, result: WriteResult<B>): string {
  const responses = request.routeOptions.schema?.response as Record<string, unknown> | undefined;
  const schema = responses?.[String(result.statusCode)] ?? responses?.[`${String(result.statusCode)[0]}xx`];
  if (schema instanceof z.ZodType) return JSON.stringify(z.encode(schema, result.body as never));
  return JSON.stringify(result.body);
}
