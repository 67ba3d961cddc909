// Calendly webhook deliveries → hook actions. One delivery is one envelope
// `{ event, created_at, created_by, payload }` whose payload is the invitee, with the booked
// meeting under `payload.scheduled_event`. A reschedule arrives as a cancel plus a create.

import { z } from "zod";
import { type HookAction, isStorableTimeMs, type MappedDelivery, payloadErrors } from "./hookAction.ts";

const scheduledEventSchema = z.looseObject({
  uri: z.string().optional(),
  name: z.string().nullish(),
  start_time: z.string().nullish(),
  end_time: z.string().nullish(),
});

const inviteeSchema = z.looseObject({
  uri: z.string().min(1).max(2000),
  email: z.string().min(3).max(254).includes("@"),
  name: z.string().max(500).nullish(),
  first_name: z.string().max(200).nullish(),
  last_name: z.string().max(200).nullish(),
  event: z.string().nullish(),
  created_at: z.string().nullish(),
  rescheduled: z.boolean().nullish(),
  timezone: z.string().nullish(),
  scheduled_event: scheduledEventSchema.nullish(),
  cancellation: z.looseObject({ canceled_by: z.string().nullish(), reason: z.string().nullish() }).nullish(),
});

const envelopeSchema = z.looseObject({
  event: z.string().min(1),
  created_at: z.string().nullish(),
  payload: z.unknown(),
});

const EVENT_TYPES: Record<string, string> = {
  "invitee.created": "meeting.booked",
  "invitee.canceled": "meeting.canceled",
};

export function mapCalendlyDelivery(body: unknown, fallbackNowUtcMs: number): MappedDelivery {
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) return { ok: false, errors: payloadErrors(envelope.error.issues, []) };
  const type = EVENT_TYPES[envelope.data.event];
  if (!type) {
    return {
      ok: true,
      actions: [],
      ignored: [
        { index: 0, type: envelope.data.event, reason: `event ${envelope.data.event} is not handled` },
      ],
    };
  }
  const invitee = inviteeSchema.safeParse(envelope.data.payload);
  if (!invitee.success) return { ok: false, errors: payloadErrors(invitee.error.issues, ["payload"]) };
  const p = invitee.data;
  const meeting = p.scheduled_event ?? null;
  const { firstName, lastName } = splitName(p);
  const occurredAtUtcMs = parseTime(envelope.data.created_at) ?? parseTime(p.created_at) ?? fallbackNowUtcMs;
  const data: Record<string, unknown> = {
    event_uri: meeting?.uri ?? p.event ?? null,
    start_time: meeting?.start_time ?? null,
    end_time: meeting?.end_time ?? null,
    name: meeting?.name ?? null,
    invitee_uri: p.uri,
    invitee_name: p.name ?? null,
    rescheduled: p.rescheduled ?? false,
  };
  if (type === "meeting.canceled") {
    data.canceled_by = p.cancellation?.canceled_by ?? null;
    data.reason = p.cancellation?.reason ?? null;
  }
  const action: HookAction = {
    kind: "contact_event",
    type,
    contact: { email: p.email, firstName, lastName },
    occurredAtUtcMs,
    // Calendly retries a delivery it could not hand over; the invitee URI names the booking.
    dedupeKey: `calendly:${envelope.data.event}:${p.uri}`,
    data,
  };
  return { ok: true, actions: [action], ignored: [] };
}

/** Calendly sends separate names when the booking form asks for them; else one `name`. */
export function splitName(p: {
  name?: string | null;
  first_name?: string | null;
  last_name?: string | null;
}): { firstName: string | null; lastName: string | null } {
  if (p.first_name || p.last_name) return { firstName: p.first_name || null, lastName: p.last_name || null };
  const parts = (p.name ?? "").trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return { firstName: null, lastName: null };
  return { firstName: parts[0] ?? null, lastName: parts.length > 1 ? parts.slice(1).join(" ") : null };
}

function parseTime(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return isStorableTimeMs(ms) ? ms : null;
}
