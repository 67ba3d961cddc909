// Durability under kill -9, and scale-out without double claims. Real worker processes work a
// real database; the test only counts what reached the (sandbox) capture transport.

import { describe, expect, it } from "vitest";
import { systemClock } from "../../src/engine/clock.ts";
import { enrollContact } from "../../src/engine/enroll.ts";
import type { StoreEngine } from "../../src/store/dialect/storeEngine.ts";
import { upsertContact } from "../../src/store/repos/contacts.ts";
import { transact } from "../../src/store/transact.ts";
import { ALWAYS_OPEN, makeSequence, makeWorkspace } from "../support/engineFixtures.ts";
import { ENGINE_KINDS, openTestStore } from "../support/testStores.ts";
import { killHard, startWorker, stopGracefully, waitFor } from "../support/workerProcesses.ts";

const BURST = `id: burst
name: Burst
${ALWAYS_OPEN}steps:
  - id: one
    email: { subject: "One for {{ contact.first_name }}", body: "First." }
  - id: two
    email: { subject: "Two", body: "Second." }
  - id: three
    email: { subject: "Three", body: "Third." }
`;

async function backlog(engine: StoreEngine, contacts: number) {
  const now = systemClock.nowUtcMs();
  const ws = await makeWorkspace(engine, now, {
    testClock: false,
    settings: { caps: { emailsPer7Days: 100, perDomainPerHour: 1_000_000 } },
  });
  const seq = await makeSequence(engine, ws, BURST, now);
  for (let start = 0; start < contacts; start += 250) {
    await transact(engine, async (trx) => {
      for (let i = start; i < Math.min(contacts, start + 250); i++) {
        const { contact } = await upsertContact(
          trx,
          ws.id,
          { email: `p${i}@crash${i % 37}.test`, firstName: `P${i}` },
          now,
        );
        await enrollContact(trx, ws, seq, contact.id, now);
      }
    });
  }
  return ws;
}

async function captureCounts(engine: StoreEngine) {
  const rows = await engine.db
    .selectFrom("captured_messages")
    .innerJoin("messages", "messages.id", "captured_messages.message_id")
    .select(["messages.idempotency_key as key"])
    .execute();
  const perKey = new Map<string, number>();
  for (const r of rows) perKey.set(r.key, (perKey.get(r.key) ?? 0) + 1);
  const uncertain = await engine.db
    .selectFrom("messages")
    .select("id")
    .where("status", "=", "uncertain")
    .execute();
  return {
    total: rows.length,
    distinct: perKey.size,
    duplicates: [...perKey.values()].filter((n) => n > 1).length,
    uncertain: uncertain.length,
  };
}

async function allDone(engine: StoreEngine, expected: number) {
  const done = await engine.db
    .selectFrom("enrollments")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("status", "=", "completed")
    .executeTakeFirstOrThrow();
  return Number(done.n) === expected;
}

for (const kind of ENGINE_KINDS) {
  describe(`durability [${kind}]`, () => {
    it("a worker killed with SIGKILL ten times still delivers every touch exactly once", async () => {
      const store = await openTestStore(kind);
      try {
        const contacts = 2000;
        await backlog(store.engine, contacts);
        const kills: number[] = [];
        for (let i = 0; i < 10; i++) {
          const worker = startWorker(store.url);
          // Start-up (tsx) takes ~0.7 s: kills land from just after start-up to well into the backlog.
          const delay = 800 + Math.floor(Math.random() * 1700);
          kills.push(delay);
          await new Promise((r) => setTimeout(r, delay));
          await killHard(worker);
        }
        const finisher = startWorker(store.url);
        const finished = await waitFor(() => allDone(store.engine, contacts), 240_000, 500);
        await stopGracefully(finisher);
        const counts = await captureCounts(store.engine);
        console.log(
          `[${kind}] kill delays ms ${kills.join(",")}; captured ${counts.total}, uncertain ${counts.uncertain}`,
        );
        expect(finished).toBe(true);
        expect(counts.duplicates).toBe(0);
        expect(counts.distinct + counts.uncertain).toBe(contacts * 3);
      } finally {
        await store.close();
      }
    }, 400_000);
  });
}

describe("scale-out [postgres]", () => {
  for (const workers of [2, 4]) {
    it(`${workers} worker processes share one backlog with no double claim and no lost touch`, async () => {
      const store = await openTestStore("postgres");
      try {
        const contacts = 1000;
        await backlog(store.engine, contacts);
        const procs = Array.from({ length: workers }, () => startWorker(store.url));
        const finished = await waitFor(() => allDone(store.engine, contacts), 240_000, 500);
        await Promise.all(procs.map((p) => stopGracefully(p)));
        const counts = await captureCounts(store.engine);
        expect(finished).toBe(true);
        expect(counts.duplicates).toBe(0);
        expect(counts.distinct).toBe(contacts * 3);
        expect(counts.uncertain).toBe(0);
      } finally {
        await store.close();
      }
    }, 400_000);
  }
});
