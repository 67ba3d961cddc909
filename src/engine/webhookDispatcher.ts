// Delivers outgoing webhooks: claims due rows of the delivery log, POSTs each signed JSON body to
// its webhook's URL, and records the answer. 2xx is delivered; anything else is retried with
// exponential backoff and jitter (1 min, doubling) until the eighth attempt fails for good.

import { createHmac } from "node:crypto";
import type { StoreEngine } from "../store/dialect/storeEngine.ts";
import { readJsonObject } from "../store/json.ts";
import { claimWebhookDeliveries, type WebhookDeliveryRow } from "../store/ops/claimWebhookDeliveries.ts";
import type { Database } from "../store/schema.ts";

export const MAX_WEBHOOK_ATTEMPTS = 8;
const RETRY_BASE_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** Longer than a request can take, so a claimed row is not claimed again while in flight. */
const CLAIM_LEASE_MS = 5 * 60_000;
const ERROR_TEXT_LIMIT = 500;
const PARALLEL_REQUESTS = 8;

export const SIGNATURE_HEADER = "Nudge-Signature";
export const WEBHOOK_ID_HEADER = "Nudge-Webhook-Id";
export const DELIVERY_ID_HEADER = "Nudge-Delivery-Id";

type WebhookRow = Database["webhooks"];

export interface DispatchReport {
  delivered: number;
  failed: number;
  retried: number;
}

export interface DispatchOptions {
  nowUtcMs: number;
  limit?: number;
  fetchImpl?: typeof fetch;
  /** Only these deliveries (the test-send route); default: every due one. */
  deliveryIds?: string[];
  /** Jitter source in [0, 1); default Math.random. */
  random?: () => number;
}

/**
 * Wait before the attempt after `attempt` failed ones: 1 min, 2 min, 4 min … (64 min before the
 * eighth), ±20% jitter so deliveries failed by one outage do not all return at once.
 */
export function webhookRetryDelayMs(attempt: number, jitter: number): number {
  return Math.round(RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1) * (0.8 + 0.4 * jitter));
}

/** What receivers get: the same bytes on every attempt of a delivery, so they can dedupe by `id`. */
export function webhookBody(delivery: WebhookDeliveryRow): string {
  return JSON.stringify({
    id: delivery.id,
    type: delivery.event_type,
    created_at: new Date(Number(delivery.created_at)).toISOString(),
    data: readJsonObject(delivery.payload_json),
  });
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`, the scheme receivers verify. */
export function nudgeSignature(secret: string, unixSeconds: number, body: string): string {
  const t = String(Math.floor(unixSeconds));
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

export async function dispatchWebhooks(engine: StoreEngine, opts: DispatchOptions): Promise<DispatchReport> {
  const report: DispatchReport = { delivered: 0, failed: 0, retried: 0 };
  // The claim commits before any HTTP call: no transaction stays open across the network.
  const claimed = await engine.db.transaction().execute(async (trx) => {
    const rows = await claimWebhookDeliveries(engine, trx, {
      nowUtcMs: opts.nowUtcMs,
      limit: opts.limit ?? 50,
      leaseMs: CLAIM_LEASE_MS,
      ...(opts.deliveryIds ? { deliveryIds: opts.deliveryIds } : {}),
    });
    const hookIds = [...new Set(rows.map((r) => r.webhook_id))];
    const hooks =
      hookIds.length === 0
        ? []
        : await trx.selectFrom("webhooks").selectAll().where("id", "in", hookIds).execute();
    return { rows, hooks: new Map(hooks.map((h) => [h.id, h])) };
  });

  // A few requests at a time: one slow receiver must not hold up the whole batch.
  for (let start = 0; start < claimed.rows.length; start += PARALLEL_REQUESTS) {
    const slice = claimed.rows.slice(start, start + PARALLEL_REQUESTS);
    const verdicts = await Promise.all(
      slice.map(async (delivery) => {
        const hook = claimed.hooks.get(delivery.webhook_id);
        const outcome =
          hook && hook.active === 1
            ? await post(hook, delivery, opts)
            : { status: null, error: "the webhook was deleted before this delivery went out", final: true };
        return recordAttempt(engine, delivery, outcome, opts);
      }),
    );
    for (const verdict of verdicts) report[verdict] += 1;
  }
  return report;
}

interface AttemptOutcome {
  /** HTTP status, or null when no answer came (refused, timed out, DNS). */
  status: number | null;
  error: string | null;
  /** Nothing to retry (the webhook is gone). */
  final?: boolean;
}

async function post(
  hook: WebhookRow,
  delivery: WebhookDeliveryRow,
  opts: DispatchOptions,
): Promise<AttemptOutcome> {
  const body = webhookBody(delivery);
  const doFetch = opts.fetchImpl ?? fetch;
  try {
    const response = await doFetch(hook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Nudge-Webhooks/1",
        [SIGNATURE_HEADER]: nudgeSignature(hook.secret, opts.nowUtcMs / 1000, body),
        [WEBHOOK_ID_HEADER]: hook.id,
        [DELIVERY_ID_HEADER]: delivery.id,
      },
      body,
      // A redirect is an answer we do not follow: the URL was chosen by an admin, not by the receiver.
      redirect: "manual",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (response.status >= 200 && response.status < 300) {
      await response.body?.cancel();
      return { status: response.status, error: null };
    }
    const text = await response.text().catch(() => "");
    const excerpt = text.trim().slice(0, ERROR_TEXT_LIMIT);
    return { status: response.status, error: `HTTP ${response.status}${excerpt ? `: ${excerpt}` : ""}` };
  } catch (error) {
    return { status: null, error: describeFetchError(error) };
  }
}

async function recordAttempt(
  engine: StoreEngine,
  delivery: WebhookDeliveryRow,
  outcome: AttemptOutcome,
  opts: DispatchOptions,
): Promise<keyof DispatchReport> {
  const now = opts.nowUtcMs;
  if (outcome.status !== null && outcome.status >= 200 && outcome.status < 300) {
    await engine.db
      .updateTable("webhook_deliveries")
      .set({
        status: "delivered",
        delivered_at: now,
        response_status: outcome.status,
        last_error: null,
        next_attempt_at: null,
      })
      .where("id", "=", delivery.id)
      .where("status", "=", "pending")
      .execute();
    return "delivered";
  }
  // attempt_count was counted when the row was claimed.
  const exhausted = outcome.final === true || delivery.attempt_count >= MAX_WEBHOOK_ATTEMPTS;
  const random = opts.random ?? Math.random;
  await engine.db
    .updateTable("webhook_deliveries")
    .set({
      status: exhausted ? "failed" : "pending",
      response_status: outcome.status,
      last_error: outcome.error,
      next_attempt_at: exhausted ? null : now + webhookRetryDelayMs(delivery.attempt_count, random()),
    })
    .where("id", "=", delivery.id)
    .where("status", "=", "pending")
    .execute();
  return exhausted ? "failed" : "retried";
}

function describeFetchError(error: unknown): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError") return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const cause = err.cause?.code ?? err.cause?.message;
  return `request failed: ${err.message ?? String(error)}${cause ? ` (${cause})` : ""}`;
}
