// POST /v1/events: report what happened to contacts (form fills, visits, clicks, meetings,
// stage changes, contact updates, custom types), one or a batch, in ONE transaction: each
// contact resolved or created, each event stored and fed to running enrollments and triggers.

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Transaction } from "kysely";
import type { z } from "zod";
import { ingestEvent } from "../../engine/ingestEvent.ts";
import type { ContactInput } from "../../store/repos/contacts.ts";
import type { Database, Workspace } from "../../store/schema.ts";
import { wakeWorker, workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { resolveContactRef } from "../references.ts";
import { patchContact } from "../saveContact.ts";
import { msOf, withProblems } from "../schemas/common.ts";
import { ContactUpdateData, type EventInput, EventsBody, EventsReport } from "../schemas/events.ts";

const ATTRIBUTE_KEYS = new Set([
  "email",
  "first_name",
  "last_name",
  "title",
  "phone",
  "time_zone",
  "lifecycle_stage",
  "tags",
  "fields",
]);

/** `contact.updated` data → the change to apply: attributes by name, anything else a custom field. */
export function contactChangeOf(data: Record<string, unknown>): ContactInput {
  const parsed = ContactUpdateData.parse(data);
  const input: ContactInput = {};
  if (parsed.email !== undefined) input.email = parsed.email;
  if (parsed.first_name !== undefined) input.firstName = parsed.first_name;
  if (parsed.last_name !== undefined) input.lastName = parsed.last_name;
  if (parsed.title !== undefined) input.title = parsed.title;
  if (parsed.phone !== undefined) input.phone = parsed.phone;
  if (parsed.time_zone !== undefined) input.timeZone = parsed.time_zone;
  if (parsed.lifecycle_stage !== undefined) input.lifecycleStage = parsed.lifecycle_stage;
  if (parsed.tags !== undefined) input.tags = parsed.tags;
  const fields: Record<string, string | number | boolean | null> = { ...(parsed.fields ?? {}) };
  for (const [key, value] of Object.entries(parsed)) {
    if (!ATTRIBUTE_KEYS.has(key)) fields[key] = value as string | number | boolean | null;
  }
  if (Object.keys(fields).length > 0) input.fields = fields;
  return input;
}

async function ingestOne(
  trx: Transaction<Database>,
  workspace: Workspace,
  event: EventInput,
  index: number | null,
  nowUtcMs: number,
): Promise<z.infer<typeof EventsReport>["events"][number]> {
  const prefix = index === null ? [] : ["events", index];
  const source = event.source ?? "api";
  const contact = await resolveContactRef(trx, workspace, event, nowUtcMs, prefix, source);
  const data = event.data ?? {};
  if (event.type === "contact.updated") {
    // The event itself announces the change: apply it quietly, then ingest the event.
    await patchContact(trx, workspace, contact.id, contactChangeOf(data), nowUtcMs, {
      source,
      announce: false,
    });
  }
  const result = await ingestEvent(
    trx,
    workspace,
    {
      type: event.type,
      contactId: contact.id,
      data,
      occurredAtUtcMs: event.occurred_at ? msOf(event.occurred_at) : nowUtcMs,
      source,
      ...(event.dedupe_key ? { dedupeKey: event.dedupe_key } : {}),
    },
    nowUtcMs,
  );
  return {
    id: result.event.id,
    type: result.event.type,
    contact_id: contact.id,
    duplicate: result.duplicate,
    affected: result.affected.map((a) => ({
      enrollment_id: a.enrollmentId,
      status: a.status,
      exit_reason: a.exitReason,
    })),
    enrolled: result.enrolled.map(({ sequence, result: r }) => ({
      sequence,
      status: r.status,
      enrollment_id: r.status === "skipped" ? (r.enrollmentId ?? null) : r.enrollment.id,
      reason: r.status === "skipped" ? r.reason : null,
    })),
  };
}

export const eventRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    "/v1/events",
    {
      config: { allow: ["rep", "ingest"] },
      schema: {
        tags: ["events"],
        summary: "Report events about contacts (one or a batch)",
        description:
          "Types Nudge knows: form.submitted, page.visited, link.clicked, meeting.booked (exits), deal.stage_changed (data.to = the new stage), contact.updated (data = fields to set first); any other dotted name is a custom event for triggers and exits.",
        body: EventsBody,
        response: withProblems({ 200: EventsReport }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const body = request.body;
      const result = await commitWrite(request, async (trx) => {
        const events = [];
        if ("events" in body) {
          for (const [index, event] of body.events.entries())
            events.push(await ingestOne(trx, workspace, event, index, now));
        } else {
          events.push(await ingestOne(trx, workspace, body, null, now));
        }
        return { statusCode: 200, body: { events } };
      });
      await wakeWorker(app.nudge.engine);
      return result.body;
    },
  );
};
