// Timeline entries on the wire, and the opaque cursor that pages them by (time, id).

import { z } from "zod";
import { type TimelineEntry, type TimelinePosition, ulidOf } from "../../store/ops/contactTimeline.ts";
import { ApiProblem } from "../problem.ts";
import { IsoTime, iso, JsonObject } from "./common.ts";

export const TimelineItem = z
  .object({
    id: z.string(),
    at: IsoTime,
    kind: z.enum(["event", "message", "task"]),
    type: z
      .string()
      .describe("event type (`email.replied`, `enrollment.exited`…), message channel, or task type"),
    contact_id: z.string(),
    enrollment_id: z.string().nullable(),
    sequence_id: z.string().nullable(),
    step_id: z.string().nullable(),
    status: z.string().nullable().describe("message or task status"),
    summary: z.string().nullable().describe("message subject or task title"),
    exit_reason: z.string().nullable().describe("on `enrollment.exited` events: why the enrollment stopped"),
    data: JsonObject,
  })
  .meta({ id: "TimelineItem" });

export type TimelineItemOutput = z.infer<typeof TimelineItem>;

const TIME_KEYS = ["due_at", "completed_at"];

export function toTimelineItem(
  entry: TimelineEntry,
  sequenceIdOf: (enrollmentId: string) => string | null,
): TimelineItemOutput {
  const data: Record<string, unknown> = { ...entry.data };
  if (entry.kind === "task") {
    for (const key of TIME_KEYS) if (typeof data[key] === "number") data[key] = iso(data[key]);
  }
  const exitReason =
    entry.type === "enrollment.exited" && typeof data.reason === "string" ? data.reason : null;
  return {
    id: entry.id,
    at: iso(entry.atUtcMs),
    kind: entry.kind,
    type: entry.type,
    contact_id: entry.contactId,
    enrollment_id: entry.enrollmentId,
    sequence_id: entry.enrollmentId ? sequenceIdOf(entry.enrollmentId) : null,
    step_id: entry.stepId,
    status: entry.status,
    summary: entry.summary,
    exit_reason: exitReason,
    data,
  };
}

export function timelineCursor(entry: TimelineEntry): string {
  return Buffer.from(`${entry.atUtcMs}:${ulidOf(entry.id)}`).toString("base64url");
}

export function parseTimelineCursor(cursor: string | undefined): TimelinePosition | null {
  if (cursor === undefined) return null;
  const decoded = Buffer.from(cursor, "base64url").toString("utf8");
  const match = /^(\d{1,16}):([0-9a-z]{26})$/.exec(decoded);
  if (!match) {
    throw new ApiProblem(400, "bad-request", "cursor: not a cursor this API gave out", [
      { field: "cursor", message: "pass the next_cursor of the previous page" },
    ]);
  }
  return { atUtcMs: Number(match[1]), ulid: match[2] ?? "" };
}

export const TimelineQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(300).optional(),
});
