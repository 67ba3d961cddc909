// Scenario 3: speed to lead. A steady stream of `form.submitted` events goes to a real
// `nudge start` (API and worker in one process, as a default install runs); each event creates
// and enrolls a contact whose first step waits 0. Latency runs from just before the HTTP
// request is sent to the moment the SMTP sink (another process) accepts that contact's email.

import type { StoreEngine } from "../../src/store/dialect/storeEngine.ts";
import { ask, forkScript, freePort, sleep, startNudge } from "../lib/processes.ts";
import { type BenchWorld, makeWorld } from "../lib/seed.ts";
import { type LatencySummary, round, summarize } from "../lib/stats.ts";
import { type EngineKind, openBenchStore } from "../lib/stores.ts";

export interface SpeedToLeadResult {
  engine: EngineKind;
  targetPerSecond: number;
  achievedPerSecond: number;
  events: number;
  apiErrors: number;
  delivered: number;
  latency: LatencySummary;
}

/** Where a follow-up scenario may reuse the running server and its store. */
export interface RunningServer {
  kind: EngineKind;
  baseUrl: string;
  engine: StoreEngine;
  world: BenchWorld;
}

export async function speedToLead<FollowUp>(
  kind: EngineKind,
  opts: { perSecond: number; seconds: number },
  followUp: (server: RunningServer) => Promise<FollowUp>,
): Promise<{ speedToLead: SpeedToLeadResult; followUp: FollowUp }> {
  const sink = await forkScript<number>("bench/lib/smtpSinkProcess.ts", []);
  const store = await openBenchStore(kind, "stl");
  try {
    const world = await makeWorld(store.engine, Date.now(), {
      mode: "live",
      smtp: { host: "127.0.0.1", port: sink.ready },
    });
    const port = await freePort();
    const server = await startNudge(
      ["start", "--no-demo", "--port", String(port)],
      { DATABASE_URL: store.url, LOG_LEVEL: "warn" },
      /Nudge is running at/,
    );
    try {
      const sentAt = new Map<string, number>();
      let apiErrors = 0;
      const total = opts.perSecond * opts.seconds;
      const gapMs = 1000 / opts.perSecond;
      const requests: Array<Promise<void>> = [];
      const startMs = Date.now();
      for (let i = 0; i < total; i++) {
        const wait = startMs + i * gapMs - Date.now();
        if (wait > 0) await sleep(wait);
        const email = `stl${i}@lead${i % 500}.bench.test`;
        sentAt.set(email, Date.now());
        requests.push(
          fetch(`http://127.0.0.1:${port}/v1/events`, {
            method: "POST",
            headers: { authorization: `Bearer ${world.apiKey}`, "content-type": "application/json" },
            body: JSON.stringify({
              type: "form.submitted",
              contact: { email, first_name: `Lead${i}` },
              data: { form: "demo-request" },
            }),
          }).then(async (response) => {
            await response.arrayBuffer();
            if (!response.ok) apiErrors += 1;
          }),
        );
      }
      await Promise.all(requests);
      const achievedPerSecond = total / ((Date.now() - startMs) / 1000);
      let accepted: Array<{ to: string; atMs: number }> = [];
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        accepted = (await ask<{ accepted: typeof accepted }>(sink.process, "report")).accepted;
        if (accepted.length >= total - apiErrors) break;
        await sleep(200);
      }
      const latencies = accepted.flatMap((a) => {
        const t0 = sentAt.get(a.to);
        return t0 === undefined ? [] : [a.atMs - t0];
      });
      const result = {
        engine: kind,
        targetPerSecond: opts.perSecond,
        achievedPerSecond: round(achievedPerSecond, 1),
        events: total,
        apiErrors,
        delivered: latencies.length,
        latency: summarize(latencies),
      };
      return {
        speedToLead: result,
        followUp: await followUp({ kind, baseUrl: `http://127.0.0.1:${port}`, engine: store.engine, world }),
      };
    } finally {
      await server.stop();
    }
  } finally {
    await store.drop();
    await sink.stop();
  }
}
