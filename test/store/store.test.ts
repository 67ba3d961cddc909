import { describe, expect, it } from "vitest";
import type { EnrollmentState } from "../../src/domain/enrollment/types.ts";
import { migrateToLatest } from "../../src/store/migrate.ts";
import { claimDueEnrollments, nextDueAt } from "../../src/store/ops/claimDueEnrollments.ts";
import { createApiKey, findApiKey, revokeApiKey, scopesOf } from "../../src/store/repos/apiKeys.ts";
import { appendAudit, listAudit } from "../../src/store/repos/auditLog.ts";
import {
  contactsAtAccount,
  getContactByEmail,
  listContacts,
  updateContact,
  upsertContact,
} from "../../src/store/repos/contacts.ts";
import {
  changeDealStage,
  createDeal,
  currentDealForContact,
  dealStageHistory,
} from "../../src/store/repos/deals.ts";
import {
  getEnrollment,
  insertEnrollment,
  readEnrollmentState,
  runningEnrollmentsOfContact,
  saveEnrollmentState,
} from "../../src/store/repos/enrollments.ts";
import { eventsOfContact, recordEvent } from "../../src/store/repos/events.ts";
import { createMailbox, mailboxForOwner, toPublicMailbox } from "../../src/store/repos/mailboxes.ts";
import {
  countSentToContact,
  findMessageByHeaderId,
  insertOutboxMessage,
  updateMessage,
} from "../../src/store/repos/messages.ts";
import {
  findSequence,
  listSequenceVersions,
  saveSequenceVersion,
  setSequenceStatus,
} from "../../src/store/repos/sequences.ts";
import { addSuppression, emailSuppression } from "../../src/store/repos/suppressions.ts";
import { completeTask, createTask, listTasks } from "../../src/store/repos/tasks.ts";
import { createUser } from "../../src/store/repos/users.ts";
import {
  createWebhook,
  enqueueWebhookDeliveries,
  listWebhookDeliveries,
} from "../../src/store/repos/webhooks.ts";
import { createWorkspace, getWorkspace, setWorkspaceClock } from "../../src/store/repos/workspaces.ts";
import { describeEachEngine } from "../support/testStores.ts";

const T0 = Date.UTC(2026, 10, 2, 14, 0, 0);

function activeState(nextRunAtUtcMs: number | null, stepId = "intro"): EnrollmentState {
  return {
    status: "active",
    phase: "due",
    stepId,
    nextRunAtUtcMs,
    pausedUntilUtcMs: null,
    enrolledAtUtcMs: T0,
    exitReason: null,
    exitDetail: null,
    holdReason: null,
    touches: [],
    visits: {},
  };
}

describeEachEngine("store", (store) => {
  async function workspace() {
    return createWorkspace(store().engine.db, { name: "Acme", timeZone: "America/New_York" }, T0);
  }

  async function sequence(workspaceId: string, key = "demo") {
    return saveSequenceVersion(
      store().engine.db,
      workspaceId,
      { key, name: "Demo", definitionJson: JSON.stringify({ id: key }), sourceText: `id: ${key}` },
      T0,
    );
  }

  it("running the migrations again is a no-op", async () => {
    const report = await migrateToLatest(store().engine.db);
    expect(report.alreadyUpToDate).toBe(true);
  });

  it("a new workspace starts in sandbox mode on the system clock, and its test clock can move", async () => {
    const ws = await workspace();
    expect(ws.mode).toBe("sandbox");
    expect(ws.clock_at).toBeNull();
    await setWorkspaceClock(store().engine.db, ws.id, T0 + 1000);
    expect((await getWorkspace(store().engine.db, ws.id))?.clock_at).toBe(T0 + 1000);
  });

  it("contacts are unique by email regardless of case, and an upsert merges fields", async () => {
    const db = store().engine.db;
    const ws = await workspace();
    const first = await upsertContact(
      db,
      ws.id,
      { email: "Ada@Example.com", firstName: "Ada", fields: { plan: "pro" } },
      T0,
    );
    const second = await upsertContact(
      db,
      ws.id,
      { email: "ada@example.COM", title: "CTO", fields: { seats: 12 } },
      T0 + 1,
    );
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.contact.id).toBe(first.contact.id);
    expect(second.contact.firstName).toBe("Ada");
    expect(second.contact.title).toBe("CTO");
    expect(second.contact.fields).toEqual({ plan: "pro", seats: 12 });
    expect((await getContactByEmail(db, ws.id, "ADA@example.com"))?.id).toBe(first.contact.id);
  });

  it("colleagues share an account by email domain, but two gmail users do not", async () => {
    const db = store().engine.db;
    const ws = await workspace();
    const a = await upsertContact(db, ws.id, { email: "a@initech.test", company: "Initech" }, T0);
    const b = await upsertContact(db, ws.id, { email: "b@initech.test" }, T0);
    const g1 = await upsertContact(db, ws.id, { email: "x@gmail.com" }, T0);
    expect(a.contact.accountId).not.toBeNull();
    expect(b.contact.accountId).toBe(a.contact.accountId);
    expect(g1.contact.accountId).toBeNull();
    const colleagues = await contactsAtAccount(db, ws.id, a.contact.accountId ?? "");
    expect(colleagues.map((c) => c.email).sort()).toEqual(["a@initech.test", "b@initech.test"]);
  });

  it("contact lists page by cursor and filter by search and tag", async () => {
    const db = store().engine.db;
    const ws = await workspace();
    for (let i = 0; i < 7; i++) {
      await upsertContact(
        db,
        ws.id,
        {
          email: `p${i}@list.test`,
          firstName: i === 3 ? "Grace_%" : `P${i}`,
          tags: i % 2 === 0 ? ["vip"] : [],
        },
        T0,
      );
    }
    const page1 = await listContacts(db, ws.id, { limit: 3 });
    const page2 = await listContacts(db, ws.id, { limit: 3, cursor: page1.nextCursor });
    const page3 = await listContacts(db, ws.id, { limit: 3, cursor: page2.nextCursor });
    expect([...page1.items, ...page2.items, ...page3.items].map((c) => c.email)).toHaveLength(7);
    expect(page3.nextCursor).toBeNull();
    expect((await listContacts(db, ws.id, { search: "grace_%" })).items.map((c) => c.email)).toEqual([
      "p3@list.test",
    ]);
    expect((await listContacts(db, ws.id, { search: "_" })).items).toHaveLength(1);
    expect((await listContacts(db, ws.id, { tag: "vip" })).items).toHaveLength(4);
  });

  it("updating tags adds and removes without duplicates", async () => {
    const db = store().engine.db;
    const ws = await workspace();
    const { contact } = await upsertContact(db, ws.id, { email: "t@tags.test", tags: ["a", "b"] }, T0);
    const updated = await updateContact(
      db,
      ws.id,
      contact.id,
      { addTags: ["b", "c"], removeTags: ["a"] },
      T0,
    );
    expect(updated?.tags).toEqual(["b", "c"]);
  });

  it("a deal's stage changes are recorded in order, and a no-op move records nothing", async () => {
    const db = store().engine.db;
    const ws = await workspace();
    const { contact } = await upsertContact(db, ws.id, { email: "d@deal.test" }, T0);
    const deal = await createDeal(
      db,
      ws.id,
      { name: "Pilot", stage: "discovery", contactId: contact.id },
      "api",
      T0,
    );
    await changeDealStage(db, ws.id, deal.id, "proposal", "hubspot", T0 + 1);
    const again = await changeDealStage(db, ws.id, deal.id, "proposal", "hubspot", T0 + 2);
    expect(again?.changed).toBe(false);
    const history = await dealStageHistory(db, deal.id);
    expect(history.map((h) => [h.from_stage, h.to_stage])).toEqual([
      [null, "discovery"],
      ["discovery", "proposal"],
    ]);
    expect((await currentDealForContact(db, ws.id, contact.id, contact.accountId))?.stage).toBe("proposal");
  });

  it("saving a changed definition makes a new version; saving the same one does not", async () => {
    const db = store().engine.db;
    const ws = await workspace();
    const v1 = await sequence(ws.id, "versions");
    const same = await sequence(ws.id, "versions");
    const v2 = await saveSequenceVersion(
      db,
      ws.id,
      { key: "versions", name: "Demo 2", definitionJson: '{"id":"versions","v":2}', sourceText: "x" },
      T0 + 5,
    );
    expect(v1.created).toBe(true);
    expect(same.version.version).toBe(1);
    expect(v2.version.version).toBe(2);
    expect((await listSequenceVersions(db, v1.sequence.id)).map((v) => v.version)).toEqual([2, 1]);
    await setSequenceStatus(db, ws.id, v1.sequence.id, "active", T0);
    expect((await findSequence(db, ws.id, "versions"))?.status).toBe("active");
  });

  it("a contact can run in a sequence only once at a time", async () => {
    const db = store().engine.db;
    const ws = await workspace();
    const { sequence: seq, version } = await sequence(ws.id, "once");
    const { contact } = await upsertContact(db, ws.id, { email: "once@x.test" }, T0);
    const input = {
      workspaceId: ws.id,
      contactId: contact.id,
      sequenceId: seq.id,
      sequenceVersionId: version.id,
      state: activeState(T0),
    };
    const first = await insertEnrollment(db, input, T0);
    await expect(insertEnrollment(db, input, T0)).rejects.toThrow();
    await saveEnrollmentState(
      db,
      first.id,
      { ...activeState(null), status: "exited", exitReason: "replied" },
      T0 + 1,
      0,
    );
    // A write based on a stale revision is refused rather than losing the exit.
    await expect(saveEnrollmentState(db, first.id, activeState(T0), T0 + 1, 0)).rejects.toThrow(
      /changed while/,
    );
    const again = await insertEnrollment(db, input, T0 + 2);
    expect(again.id).not.toBe(first.id);
    expect((await runningEnrollmentsOfContact(db, contact.id)).map((e) => e.id)).toEqual([again.id]);
    const ended = await getEnrollment(db, ws.id, first.id);
    expect(ended?.exit_reason).toBe("replied");
    expect(ended?.next_run_at).toBeNull();
    expect(readEnrollmentState(ended!).exitReason).toBe("replied");
  });

  it("claiming takes only due running enrollments, oldest first", async () => {
    const db = store().engine.db;
    const ws = await workspace();
    const { sequence: seq, version } = await sequence(ws.id, "claims");
    const ids: string[] = [];
    for (const [i, at] of [T0 + 30, T0 + 10, T0 + 20, T0 + 99_999].entries()) {
      const { contact } = await upsertContact(db, ws.id, { email: `c${i}@claim.test` }, T0);
      const row = await insertEnrollment(
        db,
        {
          workspaceId: ws.id,
          contactId: contact.id,
          sequenceId: seq.id,
          sequenceVersionId: version.id,
          state: activeState(at),
        },
        T0,
      );
      ids.push(row.id);
    }
    const claimed = await db
      .transaction()
      .execute((trx) =>
        claimDueEnrollments(store().engine, trx, { nowUtcMs: T0 + 50, limit: 10, workspaceId: ws.id }),
      );
    expect(claimed.map((r) => r.id)).toEqual([ids[1], ids[2], ids[0]]);
    expect(await nextDueAt(db, ws.id)).toBe(T0 + 10);
  });

  it("events with the same dedupe key are stored once", async () => {
    const db = store().engine.db;
    const ws = await workspace();
    const { contact } = await upsertContact(db, ws.id, { email: "e@evt.test" }, T0);
    const base = {
      workspaceId: ws.id,
      type: "page.visited",
      contactId: contact.id,
      source: "api",
      dedupeKey: "k1",
    };
    const a = await recordEvent(db, { ...base, occurredAtUtcMs: T0, data: { url: "/pricing" } }, T0);
    const b = await recordEvent(db, { ...base, occurredAtUtcMs: T0 + 1 }, T0 + 1);
    await recordEvent(db, { ...base, dedupeKey: null, occurredAtUtcMs: T0 + 2 }, T0 + 2);
    expect(b.duplicate).toBe(true);
    expect(b.event.id).toBe(a.event.id);
    const events = await eventsOfContact(db, contact.id);
    expect(events).toHaveLength(2);
    expect(events[1]?.data).toEqual({ url: "/pricing" });
  });

  it("suppressing an address or its domain blocks it; suppressing twice keeps the first reason", async () => {
    const db = store().engine.db;
    const ws = await workspace();
    await addSuppression(
      db,
      ws.id,
      { kind: "email", value: "Gone@Bounce.test", reason: "hard_bounce", source: "smtp" },
      T0,
    );
    const again = await addSuppression(
      db,
      ws.id,
      { kind: "email", value: "gone@bounce.test", reason: "manual", source: "api" },
      T0,
    );
    await addSuppression(
      db,
      ws.id,
      { kind: "domain", value: "competitor.test", reason: "manual", source: "api" },
      T0,
    );
    expect(again.created).toBe(false);
    expect((await emailSuppression(db, ws.id, "gone@bounce.test"))?.reason).toBe("hard_bounce");
    expect((await emailSuppression(db, ws.id, "anyone@competitor.test"))?.kind).toBe("domain");
    expect(await emailSuppression(db, ws.id, "fine@ok.test")).toBeUndefined();
  });

  it("the outbox inserts a touch once per idempotency key and finds it by Message-ID", async () => {
    const db = store().engine.db;
    const ws = await workspace();
    const { contact } = await upsertContact(db, ws.id, { email: "o@outbox.test" }, T0);
    const input = {
      workspace_id: ws.id,
      contact_id: contact.id,
      channel: "email" as const,
      idempotency_key: `k-${ws.id}`,
    };
    const a = await insertOutboxMessage(db, { ...input, subject: "Hi" }, T0);
    const b = await insertOutboxMessage(db, { ...input, subject: "Other" }, T0);
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.message.subject).toBe("Hi");
    await updateMessage(
      db,
      a.message.id,
      { status: "sent", sent_at: T0, message_id_header: `m1.${ws.id}@acme.test` },
      T0,
    );
    expect((await findMessageByHeaderId(db, ws.id, `<m1.${ws.id}@acme.test>`))?.id).toBe(a.message.id);
    expect(await countSentToContact(db, contact.id, "email", T0 - 1)).toBe(1);
  });

  it("tasks are created once per key, listed by due time, and completed once", async () => {
    const db = store().engine.db;
    const ws = await workspace();
    const rep = await createUser(db, ws.id, { email: "rep@acme.test", name: "Rita Rep" }, T0);
    const { contact } = await upsertContact(db, ws.id, { email: "task@x.test" }, T0);
    const base = { workspace_id: ws.id, contact_id: contact.id, type: "call" as const, assignee_id: rep.id };
    await createTask(db, { ...base, title: "Later", due_at: T0 + 100 }, T0);
    const first = await createTask(
      db,
      { ...base, title: "Call", due_at: T0, idempotency_key: `t-${ws.id}` },
      T0,
    );
    const dup = await createTask(
      db,
      { ...base, title: "Call", due_at: T0, idempotency_key: `t-${ws.id}` },
      T0,
    );
    expect(dup.created).toBe(false);
    expect((await listTasks(db, ws.id, { assigneeId: rep.id, status: "open" })).map((t) => t.title)).toEqual([
      "Call",
      "Later",
    ]);
    expect(await completeTask(db, ws.id, first.task.id, { outcome: "connected" }, T0)).toBe(true);
    expect(await completeTask(db, ws.id, first.task.id, { outcome: "no_answer" }, T0)).toBe(false);
  });

  it("API keys are stored hashed, found by the key, and stop working when revoked", async () => {
    const db = store().engine.db;
    const ws = await workspace();
    const { key, row } = await createApiKey(db, ws.id, { name: "ci", scopes: ["admin"] }, T0);
    expect(row.key_hash).not.toContain(key);
    const found = await findApiKey(db, key);
    expect(found && scopesOf(found)).toEqual(["admin"]);
    expect(await revokeApiKey(db, ws.id, row.id, T0)).toBe(true);
    expect(await findApiKey(db, key)).toBeUndefined();
  });

  it("a mailbox's public shape never carries its passwords", async () => {
    const db = store().engine.db;
    const ws = await workspace();
    const rep = await createUser(db, ws.id, { email: "owner@acme.test", name: "Owner" }, T0);
    await createMailbox(
      db,
      ws.id,
      { name: "Default", fromName: "Acme", fromAddress: "hi@acme.test", isDefault: true },
      T0,
    );
    const mine = await createMailbox(
      db,
      ws.id,
      {
        name: "Owner",
        fromName: "Owner",
        fromAddress: "owner@acme.test",
        userId: rep.id,
        smtp: { host: "smtp.acme.test", port: 587, user: "owner", pass: "s3cret-pw" },
      },
      T0,
    );
    expect((await mailboxForOwner(db, ws.id, rep.id))?.id).toBe(mine.id);
    expect((await mailboxForOwner(db, ws.id, null))?.from_address).toBe("hi@acme.test");
    expect(JSON.stringify(toPublicMailbox(mine))).not.toContain("s3cret-pw");
  });

  it("webhook deliveries are queued only for subscribed hooks; the audit log keeps order", async () => {
    const db = store().engine.db;
    const ws = await workspace();
    const hook = await createWebhook(
      db,
      ws.id,
      { url: "https://h.test", secret: "s", eventTypes: ["reply.received"] },
      T0,
    );
    await createWebhook(
      db,
      ws.id,
      { url: "https://other.test", secret: "s", eventTypes: ["task.created"] },
      T0,
    );
    expect(await enqueueWebhookDeliveries(db, ws.id, "reply.received", { a: 1 }, T0)).toBe(1);
    expect(await listWebhookDeliveries(db, hook.id)).toHaveLength(1);
    await appendAudit(
      db,
      { workspaceId: ws.id, actor: "cli", action: "sequence.saved", targetType: "sequence" },
      T0,
    );
    await appendAudit(
      db,
      { workspaceId: ws.id, actor: "cli", action: "workspace.live", targetType: "workspace" },
      T0 + 1,
    );
    expect((await listAudit(db, ws.id)).map((a) => a.action)).toEqual(["workspace.live", "sequence.saved"]);
  });
});

describe("store engines", () => {
  it("timestamps come back as numbers on both engines", async () => {
    // Covered implicitly above; this guards the pg int8 parser explicitly.
    const { openTestStore } = await import("../support/testStores.ts");
    const s = await openTestStore("postgres");
    try {
      const ws = await createWorkspace(s.engine.db, { name: "n" }, T0);
      const row = await getWorkspace(s.engine.db, ws.id);
      expect(typeof row?.created_at).toBe("number");
      expect(row?.created_at).toBe(T0);
    } finally {
      await s.close();
    }
  });
});
