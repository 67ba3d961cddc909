// Counters the worker reports; the HTTP server exposes them for Prometheus at /metrics.

import type { SendReport } from "./outboxSender.ts";

export interface Metrics {
  claims(count: number): void;
  sendReport(report: SendReport): void;
}

export const noMetrics: Metrics = { claims: () => {}, sendReport: () => {} };
