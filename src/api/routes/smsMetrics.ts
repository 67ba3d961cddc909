// Per-step SMS and voicemail numbers for one sequence: texts sent, delivered, replied to and
// opted out of; voicemail drops placed and the callbacks they earned (an inbound text within
// 48 hours). A reply or opt-out counts for the last text the contact got from the sequence.

import { z } from "zod";
import type { Executor } from "../../store/executor.ts";

export const CALLBACK_WINDOW_MS = 48 * 3_600_000;

export const SmsStepMetricsOut = z
  .object({
    sequence_id: z.string(),
    steps: z.array(
      z.object({
        step: z.string(),
        channel: z.enum(["sms", "voicemail"]),
        sent: z.number().int(),
        delivered: z.number().int(),
        failed: z.number().int(),
        replied: z.number().int(),
        opted_out: z.number().int(),
        callbacks: z.number().int(),
      }),
    ),
  })
  .meta({ id: "SmsStepMetrics" });

type Metrics = z.infer<typeof SmsStepMetricsOut>;

export async function smsStepMetrics(
  db: Executor,
  workspaceId: string,
  sequenceId: string,
): Promise<Metrics | null> {
  const sequence = await db
    .selectFrom("sequences")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", sequenceId)
    .executeTakeFirst();
  if (!sequence) return null;
  const sent = await db
    .selectFrom("messages")
    .innerJoin("enrollments", "enrollments.id", "messages.enrollment_id")
    .leftJoin("sms_deliveries", "sms_deliveries.message_id", "messages.id")
    .select([
      "messages.id",
      "messages.contact_id",
      "messages.step_id",
      "messages.channel",
      "messages.sent_at",
      "sms_deliveries.status as delivery_status",
    ])
    .where("enrollments.sequence_id", "=", sequenceId)
    .where("messages.channel", "in", ["sms", "voicemail"])
    .where("messages.sent_at", "is not", null)
    .execute();
  const steps = new Map<string, Metrics["steps"][number]>();
  const byContact = new Map<string, typeof sent>();
  for (const m of sent) {
    const key = `${m.channel}:${m.step_id ?? ""}`;
    const row = steps.get(key) ?? {
      step: m.step_id ?? "",
      channel: m.channel as "sms" | "voicemail",
      sent: 0,
      delivered: 0,
      failed: 0,
      replied: 0,
      opted_out: 0,
      callbacks: 0,
    };
    row.sent++;
    if (m.delivery_status === "delivered") row.delivered++;
    if (m.delivery_status === "failed" || m.delivery_status === "undelivered") row.failed++;
    steps.set(key, row);
    byContact.set(m.contact_id, [...(byContact.get(m.contact_id) ?? []), m]);
  }
  const contactIds = [...byContact.keys()];
  if (contactIds.length > 0) {
    const events = await db
      .selectFrom("events")
      .select(["contact_id", "type", "occurred_at"])
      .where("workspace_id", "=", workspaceId)
      .where("type", "in", ["sms.replied", "sms.unsubscribed"])
      .where("contact_id", "in", contactIds)
      .execute();
    for (const e of events) {
      const last = (byContact.get(e.contact_id ?? "") ?? [])
        .filter((m) => m.channel === "sms" && (m.sent_at ?? 0) <= e.occurred_at)
        .sort((a, b) => (b.sent_at ?? 0) - (a.sent_at ?? 0))[0];
      const row = last ? steps.get(`sms:${last.step_id ?? ""}`) : undefined;
      if (!row) continue;
      if (e.type === "sms.replied") row.replied++;
      else row.opted_out++;
    }
    const inbound = await db
      .selectFrom("sms_inbound")
      .select(["contact_id", "received_at"])
      .where("workspace_id", "=", workspaceId)
      .where("contact_id", "in", contactIds)
      .execute();
    const calls = await db
      .selectFrom("events")
      .select(["contact_id", "occurred_at"])
      .where("workspace_id", "=", workspaceId)
      .where("type", "=", "call.received")
      .where("contact_id", "in", contactIds)
      .execute();
    const answers = [
      ...inbound.map((i) => ({ contactId: i.contact_id, at: Number(i.received_at) })),
      ...calls.map((c) => ({ contactId: c.contact_id, at: Number(c.occurred_at) })),
    ];
    for (const m of sent) {
      if (m.channel !== "voicemail" || m.sent_at === null) continue;
      const at = m.sent_at;
      const calledBack = answers.some(
        (i) => i.contactId === m.contact_id && i.at >= at && i.at <= at + CALLBACK_WINDOW_MS,
      );
      const row = steps.get(`voicemail:${m.step_id ?? ""}`);
      if (row && calledBack) row.callbacks++;
    }
  }
  return { sequence_id: sequenceId, steps: [...steps.values()].sort((a, b) => a.step.localeCompare(b.step)) };
}
