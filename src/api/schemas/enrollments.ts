// Enrollments on the wire: where one contact stands in one sequence, and what an enroll
// request reports per contact.

import { z } from "zod";
import { readEnrollmentState } from "../../store/repos/enrollments.ts";
import type { EnrollmentRow } from "../../store/schema.ts";
import { Email, IsoTime, IsoTimeInput, iso, isoOrNull } from "./common.ts";
import { ContactUpsert } from "./contacts.ts";

export const EnrollmentOut = z
  .object({
    id: z.string(),
    contact_id: z.string(),
    sequence_id: z.string(),
    sequence_version_id: z.string(),
    status: z.enum(["active", "paused", "completed", "exited"]),
    phase: z
      .string()
      .describe("due, sending, waiting_for_event, waiting_for_task or held (meaningful while running)"),
    current_step: z.string().nullable(),
    next_run_at: IsoTime.nullable(),
    paused_until: IsoTime.nullable(),
    exit_reason: z.string().nullable(),
    exit_detail: z.string().nullable(),
    hold_reason: z.string().nullable(),
    enrolled_by: z.string().nullable(),
    enrolled_at: IsoTime,
    updated_at: IsoTime,
    ended_at: IsoTime.nullable(),
    touches: z.array(
      z.object({ step: z.string(), at: IsoTime, channel: z.string(), variant: z.string().nullable() }),
    ),
  })
  .meta({ id: "Enrollment" });

export type EnrollmentOutput = z.infer<typeof EnrollmentOut>;

export function toEnrollmentOut(row: EnrollmentRow): EnrollmentOutput {
  let phase = "due";
  let touches: EnrollmentOutput["touches"] = [];
  try {
    const state = readEnrollmentState(row);
    phase = state.phase;
    touches = (state.touches ?? []).map((t) => ({
      step: t.step,
      at: iso(t.atUtcMs),
      channel: t.channel,
      variant: t.variant ?? null,
    }));
  } catch {
    // A row whose state cannot be read still shows its columns; the worker reports the damage.
  }
  return {
    id: row.id,
    contact_id: row.contact_id,
    sequence_id: row.sequence_id,
    sequence_version_id: row.sequence_version_id,
    status: row.status,
    phase,
    current_step: row.current_step,
    next_run_at: isoOrNull(row.next_run_at),
    paused_until: isoOrNull(row.paused_until),
    exit_reason: row.exit_reason,
    exit_detail: row.exit_detail,
    hold_reason: row.hold_reason,
    enrolled_by: row.enrolled_by,
    enrolled_at: iso(row.enrolled_at),
    updated_at: iso(row.updated_at),
    ended_at: isoOrNull(row.ended_at),
    touches,
  };
}

const ContactRefItem = z.union([z.strictObject({ contact_id: z.string().min(1).max(200) }), ContactUpsert]);

/** One contact (contact_id, email or contact) or many (contacts), into one sequence. */
export const EnrollBody = z
  .strictObject({
    sequence_id: z.string().min(1).max(200).describe("the sequence's id or key"),
    contact_id: z.string().min(1).max(200).optional(),
    email: Email.optional(),
    contact: ContactUpsert.optional(),
    contacts: z
      .array(ContactRefItem)
      .min(1)
      .max(1000)
      .optional()
      .describe("many contacts: each `{ contact_id }` or a contact to upsert by email"),
  })
  .superRefine((body, ctx) => {
    const given = (["contact_id", "email", "contact", "contacts"] as const).filter(
      (k) => body[k] !== undefined,
    );
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: [given[1] ?? "contact_id"],
        message: "give exactly one of contact_id, email, contact or contacts",
      });
    }
  })
  .meta({ id: "EnrollRequest" });

export const EnrollOutcome = z.object({
  contact_id: z.string().nullable(),
  status: z.enum(["enrolled", "queued", "skipped"]),
  reason: z
    .string()
    .nullable()
    .describe(
      "why skipped: already_enrolled, reenroll_not_allowed, suppressed, running_elsewhere, sequence_not_active, contact_not_found",
    ),
  detail: z.string().nullable(),
  enrollment: EnrollmentOut.nullable(),
});

export const EnrollReport = z
  .object({
    results: z.array(EnrollOutcome),
    enrolled: z.number().int(),
    queued: z.number().int(),
    skipped: z.number().int(),
  })
  .meta({ id: "EnrollReport" });

export const EnrollmentListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(300).optional(),
  sequence_id: z.string().max(200).optional().describe("id or key"),
  contact_id: z.string().max(200).optional(),
  status: z.enum(["active", "paused", "completed", "exited"]).optional(),
});

export const PauseBody = z
  .strictObject({
    until: IsoTimeInput.nullish().describe("resume automatically then; omit to pause until resumed"),
  })
  .nullish();

export const ManualExitReason = z.enum([
  "manual",
  "not_now",
  "replied",
  "meeting_booked",
  "unsubscribed",
  "bounced",
]);

export const ExitBody = z
  .strictObject({
    reason: ManualExitReason.default("manual"),
    detail: z.string().max(1000).optional(),
  })
  .nullish();
