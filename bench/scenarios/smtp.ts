// Scenario 2: real SMTP. The same workload as scenario 1, delivered by a real `nudge worker`
// through its live SMTP transport to an smtp-server sink running in another process, against
// raw nodemailer pooled sending (same pool size as the engine's transport) of the same number
// of messages to the same sink. Times are the sink's accept times.

import { sql } from "kysely";
import nodemailer from "nodemailer";
import { ask, type Child, forkScript, sleep, startWorkers } from "../lib/processes.ts";
import { releaseDue } from "../lib/seed.ts";
import { ratio, round } from "../lib/stats.ts";
import type { EngineKind } from "../lib/stores.ts";
import { preparedStore } from "./throughput.ts";

export interface SmtpRun {
  messages: number;
  accepted: number;
  seconds: number;
  messagesPerSecond: number;
  /** Most mail transactions the sink saw open at once: how much of the pool was used. */
  maxConcurrentTransactions: number;
}

export interface SmtpResult {
  engine: EngineKind;
  poolConnections: number;
  nudge: SmtpRun;
  raw: SmtpRun;
  nudgeOverRaw: number;
}

type Accepted = Array<{ to: string; atMs: number }>;

async function acceptedSince(sink: Child, startMs: number, expected: number): Promise<SmtpRun> {
  const { accepted, maxInFlight } = await ask<{ accepted: Accepted; maxInFlight: number }>(
    sink.process,
    "report",
  );
  const last = Math.max(...accepted.map((a) => a.atMs), startMs + 1);
  const seconds = (last - startMs) / 1000;
  return {
    messages: expected,
    accepted: accepted.length,
    seconds: round(seconds, 2),
    messagesPerSecond: round(accepted.length / seconds, 0),
    maxConcurrentTransactions: maxInFlight,
  };
}

export async function smtpScenario(
  kind: EngineKind,
  opts: { due: number; timeoutMs: number },
): Promise<SmtpResult> {
  const sink = await forkScript<number>("bench/lib/smtpSinkProcess.ts", []);
  try {
    const { store } = await preparedStore(kind, "smtp", 0, opts.due, {
      mode: "live",
      smtp: { host: "127.0.0.1", port: sink.ready },
    });
    let nudge: SmtpRun;
    try {
      const workers = await startWorkers(1, store.url);
      try {
        const goAt = Date.now() + 300;
        await releaseDue(store.engine, goAt);
        const deadline = goAt + opts.timeoutMs;
        while (Date.now() < deadline) {
          const row = await store.engine.db
            .selectFrom("messages")
            .select(sql<number>`count(*)`.as("n"))
            .where("status", "in", ["sent", "failed", "bounced", "held", "uncertain"])
            .executeTakeFirstOrThrow();
          if (Number(row.n) >= opts.due) break;
          await sleep(100);
        }
        nudge = await acceptedSince(sink, goAt, opts.due);
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
      }
    } finally {
      await store.drop();
    }

    await ask(sink.process, "reset");
    const transport = nodemailer.createTransport({
      pool: true,
      maxConnections: 3,
      host: "127.0.0.1",
      port: sink.ready,
      secure: false,
      ignoreTLS: true,
    });
    const startMs = Date.now();
    await Promise.all(
      Array.from({ length: opts.due }, (_, i) =>
        transport.sendMail({
          from: '"Bench Sender" <sender@bench.test>',
          to: `raw${i}@lead${i % 500}.bench.test`,
          subject: `Quick question, Lead${i}`,
          text: `Hi Lead${i}, is invoice approval on your list this quarter?`,
        }),
      ),
    );
    transport.close();
    const raw = await acceptedSince(sink, startMs, opts.due);
    return {
      engine: kind,
      poolConnections: 3,
      nudge,
      raw,
      nudgeOverRaw: ratio(nudge.messagesPerSecond, raw.messagesPerSecond),
    };
  } finally {
    await sink.stop();
  }
}
