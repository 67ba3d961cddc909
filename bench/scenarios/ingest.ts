// Scenario 5: ingest under load. autocannon drives `POST /v1/events` on a real `nudge start`
// (API and worker in one process, as installed; the server scenario 3 used), each request
// reporting an event for one of 1,000 stored contacts, then the open pixel and click redirect
// with genuine signed tokens of 1,000 sent messages. Endpoints that do not answer a genuine
// token are reported as not available.

import autocannon from "autocannon";
import { signToken } from "../../src/channels/email/signedToken.ts";
import type { StoreEngine } from "../../src/store/dialect/storeEngine.ts";
import { newId } from "../../src/store/ids.ts";
import { replaceTrackedLinks } from "../../src/store/repos/trackedLinks.ts";
import { getWorkspace, workspaceSettings } from "../../src/store/repos/workspaces.ts";
import { type BenchWorld, seedEnrollments } from "../lib/seed.ts";
import { round } from "../lib/stats.ts";
import type { EngineKind } from "../lib/stores.ts";

export interface LoadResult {
  endpoint: string;
  available: boolean;
  note?: string;
  requestsPerSecond?: number;
  p50Ms?: number;
  p99Ms?: number;
  requests?: number;
  non2xx?: number;
  errors?: number;
}

export interface IngestResult {
  engine: EngineKind;
  connections: number;
  seconds: number;
  endpoints: LoadResult[];
}

function load(title: string, opts: autocannon.Options): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (error, result) => {
      if (error) return reject(error);
      resolve({
        endpoint: title,
        available: true,
        requestsPerSecond: round(result.requests.average, 0),
        p50Ms: round(result.latency.p50, 1),
        p99Ms: round(result.latency.p99, 1),
        requests: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors,
      });
    });
  });
}

/**
 * One sent email per stored enrollment, with one tracked link, and the signed pixel and click
 * paths a reader's mail client would request for it.
 */
async function sentMessages(
  engine: StoreEngine,
  world: BenchWorld,
  nowUtcMs: number,
): Promise<{ opens: string[]; clicks: string[] }> {
  const workspace = await getWorkspace(engine.db, world.workspaceId);
  if (!workspace) throw new Error("bench workspace vanished");
  const secret = workspaceSettings(workspace).secret ?? workspace.id;
  const enrollments = await engine.db
    .selectFrom("enrollments")
    .select(["id", "contact_id"])
    .where("enrolled_by", "=", "bench")
    .execute();
  const opens: string[] = [];
  const clicks: string[] = [];
  await engine.db.transaction().execute(async (trx) => {
    for (const enrollment of enrollments) {
      const id = newId("msg");
      await trx
        .insertInto("messages")
        .values({
          id,
          workspace_id: world.workspaceId,
          enrollment_id: enrollment.id,
          contact_id: enrollment.contact_id,
          step_id: "one",
          channel: "email",
          idempotency_key: `${enrollment.id}:bench:1`,
          status: "sent",
          mailbox_id: null,
          variant: null,
          to_address: null,
          to_domain: null,
          from_address: null,
          subject: "Quick question",
          body_text: "Hi",
          body_html: null,
          message_id_header: null,
          in_reply_to: null,
          references_header: null,
          provider_message_id: "sandbox",
          attempt_count: 1,
          next_attempt_at: null,
          last_error: null,
          hold_reason: null,
          sent_at: nowUtcMs,
          created_at: nowUtcMs,
          updated_at: nowUtcMs,
        })
        .execute();
      await replaceTrackedLinks(
        trx,
        {
          workspaceId: world.workspaceId,
          messageId: id,
          links: [{ index: 0, url: "https://example.com/pricing" }],
        },
        nowUtcMs,
      );
      opens.push(`/t/o/${signToken(secret, { purpose: "o", messageId: id })}.gif`);
      clicks.push(`/t/c/${signToken(secret, { purpose: "c", messageId: id, link: 0 })}`);
    }
  });
  return { opens, clicks };
}

/** Whether the server has a route for `path`: a genuine token answers 2xx or 3xx. */
async function answers(baseUrl: string, path: string): Promise<boolean> {
  const response = await fetch(`${baseUrl}${path}`, { redirect: "manual" });
  await response.arrayBuffer();
  return response.status < 400;
}

/** Loads the endpoints of the running server at `baseUrl`, whose store is `engine`. */
export async function ingest(
  target: { kind: EngineKind; baseUrl: string; engine: StoreEngine; world: BenchWorld },
  opts: { seconds: number; connections: number },
): Promise<IngestResult> {
  const { baseUrl, engine, world } = target;
  const now = Date.now();
  await seedEnrollments(engine, world, {
    count: 1_000,
    runAtUtcMs: now + 30 * 86_400_000,
    nowUtcMs: now,
    label: "ingest",
  });
  const tracked = await sentMessages(engine, world, now);
  let n = 0;
  const endpoints: LoadResult[] = [];
  endpoints.push(
    await load("POST /v1/events", {
      url: `${baseUrl}/v1/events`,
      connections: opts.connections,
      duration: opts.seconds,
      requests: [
        {
          method: "POST",
          setupRequest: (request) => {
            n += 1;
            const i = n % 1_000;
            return {
              ...request,
              headers: { authorization: `Bearer ${world.apiKey}`, "content-type": "application/json" },
              body: JSON.stringify({
                type: "page.viewed",
                email: `ingest${i}@lead${i % 500}.bench.test`,
                data: { path: "/pricing" },
              }),
            };
          },
        },
      ],
    }),
  );
  for (const [title, paths] of [
    ["GET /t/o/:token (open pixel)", tracked.opens],
    ["GET /t/c/:token (click redirect, 302)", tracked.clicks],
  ] as const) {
    const first = paths[0];
    if (!first || !(await answers(baseUrl, first))) {
      endpoints.push({
        endpoint: title,
        available: false,
        note: "not available: no route answers a genuine token",
      });
      continue;
    }
    let i = 0;
    endpoints.push(
      await load(title, {
        url: baseUrl,
        connections: opts.connections,
        duration: opts.seconds,
        requests: [
          {
            method: "GET",
            setupRequest: (request) => {
              i += 1;
              return { ...request, path: paths[i % paths.length] ?? first };
            },
          },
        ],
      }),
    );
  }
  return { engine: target.kind, connections: opts.connections, seconds: opts.seconds, endpoints };
}
