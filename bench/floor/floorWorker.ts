// The floor: the least work a database-backed scheduler can do per touch on the same store —
// claim a batch of due enrollments with the engine's own claim, then per row one UPDATE
// (move it to its next step) and one INSERT (the touch), in one transaction per batch. No
// decision, no rendering, no checks. Whatever the engine does above this is its overhead.
// Run as a child process: `node --import tsx bench/floor/floorWorker.ts <DATABASE_URL>`.

import { newId } from "../../src/store/ids.ts";
import { openStore } from "../../src/store/openStore.ts";
import { claimDueEnrollments } from "../../src/store/ops/claimDueEnrollments.ts";
import { transact } from "../../src/store/transact.ts";

const BATCH = 100;
const NEXT_STEP_WAIT_MS = 2 * 86_400_000;

const engine = await openStore(process.argv[2]);
let running = true;
process.on("SIGTERM", () => {
  running = false;
});
process.send?.({ ready: true });

while (running) {
  const claimed = await transact(engine, async (trx) => {
    const nowUtcMs = Date.now();
    const rows = await claimDueEnrollments(engine, trx, { nowUtcMs, limit: BATCH });
    for (const row of rows) {
      await trx
        .updateTable("enrollments")
        .set({
          current_step: "two",
          next_run_at: nowUtcMs + NEXT_STEP_WAIT_MS,
          revision: row.revision + 1,
          updated_at: nowUtcMs,
        })
        .where("id", "=", row.id)
        .execute();
      await trx
        .insertInto("messages")
        .values({
          id: newId("msg"),
          workspace_id: row.workspace_id,
          enrollment_id: row.id,
          contact_id: row.contact_id,
          step_id: row.current_step,
          channel: "email",
          idempotency_key: `${row.id}:${row.current_step}:1`,
          status: "sent",
          mailbox_id: null,
          variant: null,
          to_address: null,
          to_domain: null,
          from_address: null,
          subject: "floor",
          body_text: "floor",
          body_html: null,
          message_id_header: null,
          in_reply_to: null,
          references_header: null,
          provider_message_id: null,
          attempt_count: 1,
          next_attempt_at: null,
          last_error: null,
          hold_reason: null,
          sent_at: nowUtcMs,
          created_at: nowUtcMs,
          updated_at: nowUtcMs,
        })
        .execute();
    }
    return rows.length;
  });
  if (claimed === 0) await new Promise((resolve) => setTimeout(resolve, 20));
}
await engine.close();
process.exit(0);
