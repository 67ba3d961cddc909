// Prometheus metrics: the process defaults, HTTP requests by route and status, queue gauges
// read from the database at scrape time (due work, scheduler lag, outbox), and — when the
// worker runs in this process — its claims and send outcomes (`workerMetrics`).

import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from "prom-client";
import type { Clock } from "../engine/clock.ts";
import type { Metrics } from "../engine/metrics.ts";
import type { SendReport } from "../engine/outboxSender.ts";
import type { StoreEngine } from "../store/dialect/storeEngine.ts";
import { readQueueGauges } from "../store/ops/queueGauges.ts";

/** A registry may be shared by several servers (tests, restarts): reuse what it already has. */
function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export interface HttpMetrics {
  observe(method: string, route: string, statusCode: number, seconds: number): void;
}

export function registerApiMetrics(
  registry: Registry,
  deps: { engine: StoreEngine; clock: Clock },
  opts: { defaultMetrics: boolean },
): HttpMetrics {
  if (opts.defaultMetrics && !registry.getSingleMetric("process_cpu_user_seconds_total")) {
    collectDefaultMetrics({ register: registry });
  }
  const requests = once(
    registry,
    "nudge_http_requests_total",
    () =>
      new Counter({
        name: "nudge_http_requests_total",
        help: "HTTP requests answered, by route and status code",
        labelNames: ["method", "route", "status_code"],
        registers: [registry],
      }),
  );
  const duration = once(
    registry,
    "nudge_http_request_duration_seconds",
    () =>
      new Histogram({
        name: "nudge_http_request_duration_seconds",
        help: "HTTP request duration",
        labelNames: ["method", "route"],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [registry],
      }),
  );

  // One database read per scrape feeds every queue gauge.
  let pending: Promise<Awaited<ReturnType<typeof readQueueGauges>>> | null = null;
  const read = () => {
    pending ??= readQueueGauges(deps.engine.db, deps.clock.nowUtcMs()).finally(() => {
      setTimeout(() => {
        pending = null;
      }, 0);
    });
    return pending;
  };
  const gauge = (name: string, help: string, value: (g: Awaited<ReturnType<typeof read>>) => number) =>
    once(
      registry,
      name,
      () =>
        new Gauge({
          name,
          help,
          registers: [registry],
          async collect() {
            this.set(value(await read()));
          },
        }),
    );
  gauge("nudge_enrollments_due", "Enrollments whose next run is due now", (g) => g.dueEnrollments);
  gauge(
    "nudge_scheduler_lag_seconds",
    "How late the oldest due enrollment is (0 when none is due)",
    (g) => g.schedulerLagMs / 1000,
  );
  gauge("nudge_outbox_queued", "Outbox messages queued to send", (g) => g.outboxQueued);
  gauge(
    "nudge_outbox_uncertain",
    "Messages whose send outcome is unknown after a crash (need a person)",
    (g) => g.outboxUncertain,
  );
  gauge(
    "nudge_webhook_deliveries_pending",
    "Outgoing webhook deliveries waiting",
    (g) => g.webhookDeliveriesPending,
  );

  return {
    observe(method, route, statusCode, seconds) {
      requests.inc({ method, route, status_code: String(statusCode) });
      duration.observe({ method, route }, seconds);
    },
  };
}

/** The worker's counters, for `nudge start` to pass to the Worker it runs beside the API. */
export function workerMetrics(registry: Registry): Metrics {
  const claims = once(
    registry,
    "nudge_worker_claimed_enrollments_total",
    () =>
      new Counter({
        name: "nudge_worker_claimed_enrollments_total",
        help: "Due enrollments the scheduler processed",
        registers: [registry],
      }),
  );
  const outcomes = once(
    registry,
    "nudge_outbox_messages_total",
    () =>
      new Counter({
        name: "nudge_outbox_messages_total",
        help: "Outbox messages handled, by outcome",
        labelNames: ["outcome"],
        registers: [registry],
      }),
  );
  return {
    claims(count: number) {
      if (count > 0) claims.inc(count);
    },
    sendReport(report: SendReport) {
      for (const [outcome, count] of Object.entries(report) as Array<[keyof SendReport, number]>) {
        if (outcome !== "claimed" && count > 0) outcomes.inc({ outcome }, count);
      }
    },
  };
}
