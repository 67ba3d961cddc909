// A worker process for the benchmarks, built exactly as `nudge worker` builds its Worker (system
// clock, live SMTP through each mailbox's settings, batch 100) but without loading the rest of
// the CLI, so starting several per scenario stays cheap. The poll is 100 ms instead of 5 s so
// a batch released at one instant is picked up within 0.1 s.
// Forked with `--import tsx`: argv[2] is the DATABASE_URL; sends `{ ready: pid }` when started.

import { mailboxSmtpTransport } from "../../src/cli/commands/worker.ts";
import { systemClock } from "../../src/engine/clock.ts";
import { Worker } from "../../src/engine/worker.ts";
import { openStore } from "../../src/store/openStore.ts";

const engine = await openStore(process.argv[2]);
const emailTransport = mailboxSmtpTransport(engine);
const worker = new Worker({
  engine,
  clock: systemClock,
  emailTransport,
  publicUrl: "http://localhost:3000",
  batchSize: 100,
  pollMs: 100,
});
await worker.start();
process.on("SIGTERM", () => {
  void (async () => {
    await worker.stop();
    await emailTransport.close();
    await engine.close();
    process.exit(0);
  })();
});
process.send?.({ ready: process.pid });
