// Events on the wire: what a client reports happened to a contact (one, or a batch), and what
// each event did (duplicate? which enrollments it moved or started).

import { z } from "zod";
import { Email, FieldValue, IsoTimeInput, Phone, TimeZone } from "./common.ts";
import { ContactUpsert } from "./contacts.ts";

/** Dotted lower-case names: `form.submitted`, `meeting.booked`, `acme.trial_started`. */
export const EventType = z
  .string()
  .min(3)
  .max(100)
  .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/, "a dotted lower-case name such as form.submitted");

/** What `contact.updated` may carry in `data`: attributes to set first; other keys are custom fields. */
export const ContactUpdateData = z
  .object({
    email: Email.nullish(),
    first_name: z.string().max(200).nullish(),
    last_name: z.string().max(200).nullish(),
    title: z.string().max(200).nullish(),
    phone: Phone.nullish(),
    time_zone: TimeZone.nullish(),
    lifecycle_stage: z.string().max(100).nullish(),
    tags: z.array(z.string().trim().min(1).max(100)).max(100).optional(),
    fields: z.record(z.string().min(1).max(100), FieldValue).optional(),
  })
  .catchall(FieldValue);

export const EventIn = z
  .strictObject({
    type: EventType,
    contact_id: z.string().min(1).max(200).optional(),
    email: Email.optional(),
    contact: ContactUpsert.optional(),
    data: z.record(z.string().max(200), z.unknown()).optional(),
    occurred_at: IsoTimeInput.optional().describe("when it happened; default now"),
    dedupe_key: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("a retried delivery with the same key is a no-op"),
    source: z.string().min(1).max(100).optional().describe("who reports it; default `api`"),
  })
  .superRefine((event, ctx) => {
    const given = (["contact_id", "email", "contact"] as const).filter((k) => event[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: [given[1] ?? "contact_id"],
        message: "give exactly one of contact_id, email or contact",
      });
    }
    if (event.type === "contact.updated" && event.data) {
      const checked = ContactUpdateData.safeParse(event.data);
      if (!checked.success) {
        for (const issue of checked.error.issues) {
          ctx.addIssue({ code: "custom", path: ["data", ...issue.path], message: issue.message });
        }
      }
    }
  })
  .meta({ id: "EventIn" });

export type EventInput = z.infer<typeof EventIn>;

export const EventsBody = z
  .union([z.strictObject({ events: z.array(EventIn).min(1).max(1000) }), EventIn])
  .describe("one event, or `{ events: [...] }`; a batch with any invalid event is rejected whole");

export const EventResult = z
  .object({
    id: z.string(),
    type: z.string(),
    contact_id: z.string(),
    duplicate: z.boolean().describe("true when the dedupe_key was seen before: nothing happened again"),
    affected: z.array(
      z.object({ enrollment_id: z.string(), status: z.string(), exit_reason: z.string().nullable() }),
    ),
    enrolled: z.array(
      z.object({
        sequence: z.string(),
        status: z.enum(["enrolled", "queued", "skipped"]),
        enrollment_id: z.string().nullable(),
        reason: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "EventResult" });

export const EventsReport = z.object({ events: z.array(EventResult) }).meta({ id: "EventsReport" });
