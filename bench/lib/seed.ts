// The world a benchmark runs in: a workspace and the 3-step sequence made through the engine's
// own functions, then contacts and enrollments written with multi-row inserts (not through the
// API), so seeding 10^5–10^6 rows does not dominate the run.

import type { EnrollmentState } from "../../src/domain/enrollment/types.ts";
import { saveSequenceFromText } from "../../src/engine/saveSequence.ts";
import type { StoreEngine } from "../../src/store/dialect/storeEngine.ts";
import { newId } from "../../src/store/ids.ts";
import { createApiKey } from "../../src/store/repos/apiKeys.ts";
import { stateColumns } from "../../src/store/repos/enrollments.ts";
import { createMailbox } from "../../src/store/repos/mailboxes.ts";
import { setSequenceStatus } from "../../src/store/repos/sequences.ts";
import { createWorkspace } from "../../src/store/repos/workspaces.ts";
import type { ContactsTable, EnrollmentsTable } from "../../src/store/schema.ts";

/** Three emails two days apart, the always-on exits (reply, bounce, unsubscribe) plus a field exit. */
export const BENCH_SEQUENCE = `id: bench
name: Bench follow-up
trigger:
  event: form.submitted
schedule:
  timezone: UTC
  days: [mon, tue, wed, thu, fri, sat, sun]
  hours: ["00:00-24:00"]
steps:
  - id: one
    email: { subject: "Quick question, {{ contact.first_name }}", body: "Hi {{ contact.first_name }}, is invoice approval on your list this quarter?" }
  - id: two
    wait: 2d
    email: { thread: true, body: "Hi {{ contact.first_name }}, bringing this back to the top of your inbox." }
  - id: three
    wait: 2d
    email: { subject: "Should I close this?", body: "Hi {{ contact.first_name }}, I'll stop here unless you say otherwise." }
exit:
  fields:
    - { field: contact.lifecycle_stage, equals: customer }
`;

export interface BenchWorld {
  workspaceId: string;
  sequenceId: string;
  sequenceVersionId: string;
  apiKey: string;
}

/** A far-future run time: rows parked here are released together by `releaseDue`. */
export const PARKED_AT = 4_102_444_800_000;

export async function makeWorld(
  engine: StoreEngine,
  nowUtcMs: number,
  opts: { mode: "sandbox" | "live"; smtp?: { host: string; port: number } },
): Promise<BenchWorld> {
  const ws = await createWorkspace(
    engine.db,
    {
      name: "Bench",
      mode: opts.mode,
      // Caps stay on and are checked per touch; they are set high so they never defer the workload.
      settings: { caps: { emailsPer7Days: 100, perDomainPerHour: 100_000_000 } },
    },
    nowUtcMs,
  );
  if (opts.smtp) {
    await createMailbox(
      engine.db,
      ws.id,
      {
        name: "Bench",
        fromName: "Bench Sender",
        fromAddress: "sender@bench.test",
        smtp: { host: opts.smtp.host, port: opts.smtp.port, secure: false },
        dailyLimit: 1_000_000_000,
        isDefault: true,
      },
      nowUtcMs,
    );
  }
  const saved = await saveSequenceFromText(engine.db, ws.id, BENCH_SEQUENCE, "bench.yaml", nowUtcMs, "bench");
  if (!saved.ok) throw new Error(`bench sequence invalid: ${JSON.stringify(saved.errors)}`);
  await setSequenceStatus(engine.db, ws.id, saved.sequence.id, "active", nowUtcMs);
  const { key } = await createApiKey(engine.db, ws.id, { name: "bench", scopes: ["admin"] }, nowUtcMs);
  return {
    workspaceId: ws.id,
    sequenceId: saved.sequence.id,
    sequenceVersionId: saved.version.id,
    apiKey: key,
  };
}

/** An enrollment whose first step runs at `runAtUtcMs`, as `startEnrollment` leaves it. */
function dueState(enrolledAtUtcMs: number, runAtUtcMs: number): EnrollmentState {
  return {
    status: "active",
    phase: "due",
    stepId: "one",
    nextRunAtUtcMs: runAtUtcMs,
    pausedUntilUtcMs: null,
    enrolledAtUtcMs,
    exitReason: null,
    exitDetail: null,
    holdReason: null,
    touches: [],
    visits: {},
  };
}

/**
 * Inserts `count` contacts, each with an active enrollment whose first step runs at `runAtUtcMs`.
 * `label` keeps addresses unique across calls on one store.
 */
export async function seedEnrollments(
  engine: StoreEngine,
  world: BenchWorld,
  opts: { count: number; runAtUtcMs: number; nowUtcMs: number; label: string; domains?: number },
): Promise<void> {
  const chunk = engine.kind === "sqlite" ? 400 : 2_000;
  const domains = opts.domains ?? 500;
  for (let start = 0; start < opts.count; start += chunk) {
    const contacts: ContactsTable[] = [];
    const enrollments: EnrollmentsTable[] = [];
    for (let i = start; i < Math.min(opts.count, start + chunk); i++) {
      const contactId = newId("ct");
      contacts.push({
        id: contactId,
        workspace_id: world.workspaceId,
        email: `${opts.label}${i}@lead${i % domains}.bench.test`,
        first_name: `Lead${i}`,
        last_name: null,
        title: null,
        phone: null,
        time_zone: null,
        account_id: null,
        owner_id: null,
        lifecycle_stage: null,
        tags_json: "[]",
        fields_json: "{}",
        sms_consent: "unknown",
        sms_consent_source: null,
        sms_consent_at: null,
        created_at: opts.nowUtcMs,
        updated_at: opts.nowUtcMs,
      });
      enrollments.push({
        id: newId("enr"),
        workspace_id: world.workspaceId,
        contact_id: contactId,
        sequence_id: world.sequenceId,
        sequence_version_id: world.sequenceVersionId,
        enrolled_by: "bench",
        enrolled_at: opts.nowUtcMs,
        revision: 0,
        ...stateColumns(dueState(opts.nowUtcMs, opts.runAtUtcMs), opts.nowUtcMs),
      });
    }
    await engine.db.transaction().execute(async (trx) => {
      await trx.insertInto("contacts").values(contacts).execute();
      await trx.insertInto("enrollments").values(enrollments).execute();
    });
  }
}

/**
 * Makes every enrollment parked at `parkedAt` due at `runAtUtcMs`, in one statement (row and
 * state agree). Distinct parking times keep several batches apart on one store.
 */
export async function releaseDue(
  engine: StoreEngine,
  runAtUtcMs: number,
  parkedAt = PARKED_AT,
): Promise<number> {
  const result = await engine.db
    .updateTable("enrollments")
    .set((eb) => ({
      next_run_at: runAtUtcMs,
      state_json: eb.fn<string>("replace", [
        "state_json",
        eb.val(`"nextRunAtUtcMs":${parkedAt}`),
        eb.val(`"nextRunAtUtcMs":${runAtUtcMs}`),
      ]),
    }))
    .where("next_run_at", "=", parkedAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
