// /v1/sequences: create or change a sequence from YAML or JSON (every change is a new version;
// running enrollments stay on theirs), read it with its source and warnings, list versions,
// activate / pause / archive, simulate every path, and read its stats.

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Transaction } from "kysely";
import { z } from "zod";
import {
  type DefinitionError,
  type DefinitionWarning,
  parseSequence,
} from "../../domain/sequence/parseSequence.ts";
import { DEFAULT_SIMULATION_CONTACT, simulate } from "../../domain/simulate/simulate.ts";
import { changeSequenceStatus } from "../../engine/changeSequenceStatus.ts";
import { loadDefinition } from "../../engine/definitionCache.ts";
import { getAccount } from "../../store/repos/accounts.ts";
import { appendAudit } from "../../store/repos/auditLog.ts";
import { getContact } from "../../store/repos/contacts.ts";
import {
  findSequence,
  getSequenceVersion,
  listSequences,
  listSequenceVersions,
  saveSequenceVersion,
} from "../../store/repos/sequences.ts";
import type { Database, SequenceRow, SequenceVersionRow, Workspace } from "../../store/schema.ts";
import { authOf, wakeWorker, workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { ApiProblem, type FieldError, invalidField, notFound } from "../problem.ts";
import {
  IdParams,
  IsoTime,
  IsoTimeInput,
  iso,
  JsonObject,
  msOf,
  NoBody,
  PageQuery,
  pageInMemory,
  pageSchema,
  withProblems,
} from "../schemas/common.ts";
import { sequenceOutcomes } from "../sequenceOutcomes.ts";
import { sequenceStats } from "../sequenceStats.ts";

const SOURCE_BODY_LIMIT_BYTES = 2 * 1_048_576;

const SourceBody = z
  .union([
    z
      .string()
      .min(1)
      .describe("the definition as YAML (Content-Type: application/yaml, text/yaml or text/plain)"),
    z.strictObject({ source: z.string().min(1).describe("YAML or JSON text of the definition") }),
    z.record(z.string(), z.unknown()).describe("the definition as a JSON object"),
  ])
  .meta({ id: "SequenceSource" });

const Warning = z.object({
  field: z.string(),
  message: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  hint: z.string().optional(),
});

const SequenceOut = z
  .object({
    id: z.string(),
    key: z.string().describe("the `id` written in the definition"),
    name: z.string(),
    status: z.enum(["draft", "active", "paused", "archived"]),
    current_version: z.number().int(),
    created_at: IsoTime,
    updated_at: IsoTime,
  })
  .meta({ id: "Sequence" });

const SequenceDetail = SequenceOut.extend({
  definition: JsonObject.describe("the parsed definition of the current version"),
  source: z.string().describe("the YAML or JSON as written"),
  warnings: z.array(Warning),
}).meta({ id: "SequenceDetail" });

const SequenceVersionOut = z
  .object({
    id: z.string(),
    version: z.number().int(),
    created_at: IsoTime,
    created_by: z.string().nullable(),
    source: z.string(),
  })
  .meta({ id: "SequenceVersion" });

const SequenceListQuery = PageQuery.extend({
  status: z
    .enum(["draft", "active", "paused", "archived"])
    .optional()
    .describe("archived ones are listed only when asked"),
});

const SimulateBody = z
  .strictObject({
    contact: z
      .record(z.string().min(1).max(100), z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]))
      .optional()
      .describe(
        "the pretend contact (first_name, email, time_zone, company, fields.x, deal.stage…); merged over a default; null or empty removes",
      ),
    contact_id: z.string().min(1).max(200).optional().describe("simulate for a real contact instead"),
    start: IsoTimeInput.optional().describe("when the enrollment starts; default now"),
    max_paths: z.number().int().min(1).max(500).optional(),
  })
  .nullish()
  .meta({ id: "SimulateRequest" });

const SimulatedTouchOut = z.object({
  at: z.string().describe("local time in the contact's zone (ISO 8601 with offset)"),
  at_utc: IsoTime,
  step: z.string(),
  channel: z.string(),
  subject: z.string().optional(),
  note: z.string().optional(),
  held: z.string().optional(),
});

const SimulationOut = z
  .object({
    paths: z.array(
      z.object({
        name: z.string(),
        outcome: z.string().describe("completed, an exit reason, held, or running when cut short"),
        touches: z.array(SimulatedTouchOut),
      }),
    ),
    truncated: z.boolean(),
  })
  .meta({ id: "Simulation" });

const StepStatsOut = z.object({
  step_id: z.string(),
  kind: z.string().nullable(),
  sent: z.number().int(),
  delivered: z.number().int(),
  opened: z.number().int().describe("human opens only"),
  clicked: z.number().int().describe("human clicks only"),
  replied: z.number().int(),
  bounced: z.number().int(),
  unsubscribed: z.number().int(),
  held: z.number().int(),
  tasks_created: z.number().int(),
  tasks_completed: z.number().int(),
  variants: z.array(z.object({ variant: z.string(), sent: z.number().int(), replied: z.number().int() })),
});

const DealAdvancementOut = z.object({
  contacts_with_deals: z.number().int(),
  advanced: z.number().int(),
  rate: z.number().nullable(),
});

const StatsOut = z
  .object({
    sequence_id: z.string(),
    steps: z.array(StepStatsOut),
    exits: z.record(z.string(), z.number().int()),
    enrollments: z.object({
      active: z.number().int(),
      paused: z.number().int(),
      completed: z.number().int(),
      exited: z.number().int(),
    }),
    outcomes: z
      .object({
        replies: z
          .object({
            total: z.number().int(),
            positive: z.number().int(),
            negative: z.number().int(),
            neutral: z.number().int(),
          })
          .describe("enrollments whose contact replied (human replies only), by the first reply's intent"),
        time_to_first_reply_hours: z.object({ median: z.number().nullable(), p90: z.number().nullable() }),
        completed_without_response: z
          .number()
          .int()
          .describe("enrollments that ran every step and ended without a reply"),
        deal_advancement: z
          .object({
            enrolled: DealAdvancementOut,
            not_enrolled: DealAdvancementOut,
          })
          .describe(
            "contacts with a deal whose deal moved to a new stage (not a lost one) after enrolling, against contacts never enrolled, over the same period",
          ),
      })
      .describe("what the sequence achieved"),
  })
  .meta({ id: "SequenceStats" });

function toSequenceOut(s: SequenceRow): z.infer<typeof SequenceOut> {
  return {
    id: s.id,
    key: s.key,
    name: s.name,
    status: s.status,
    current_version: Number(s.current_version),
    created_at: iso(s.created_at),
    updated_at: iso(s.updated_at),
  };
}

function positioned(e: DefinitionError | DefinitionWarning): FieldError {
  return {
    field: e.path || "(definition)",
    message: e.message,
    // 0:0 means "not from text"; only real positions are worth showing.
    ...(e.line > 0 ? { line: e.line, column: e.column } : {}),
    ...(e.hint !== undefined ? { hint: e.hint } : {}),
  };
}

function sourceTextOf(body: z.infer<typeof SourceBody>): string {
  if (typeof body === "string") return body;
  if (typeof body.source === "string" && Object.keys(body).length === 1) return body.source;
  // A definition sent as JSON is kept as JSON text: YAML reads it, and people see what they sent.
  return JSON.stringify(body, null, 2);
}

function detailOf(sequence: SequenceRow, version: SequenceVersionRow) {
  const parsed = parseSequence(version.source_text, `${sequence.key}.yaml`);
  return {
    ...toSequenceOut(sequence),
    definition: JSON.parse(version.definition_json) as Record<string, unknown>,
    source: version.source_text,
    warnings: parsed.warnings.map(positioned),
  };
}

/** Parses, checks, and stores a new version (an unchanged definition is not a new one). */
async function saveSource(
  trx: Transaction<Database>,
  workspace: Workspace,
  text: string,
  actor: string,
  now: number,
  expectKey: string | null,
) {
  const parsed = parseSequence(text, "request");
  if (!parsed.ok) {
    const errors = parsed.errors.map(positioned);
    const first = errors[0];
    throw new ApiProblem(
      422,
      "validation-failed",
      first
        ? `${errors.length} error(s) in the definition; first: ${first.field}${first.line ? ` (line ${first.line})` : ""}: ${first.message}`
        : "the definition is not valid",
      errors,
    );
  }
  const def = parsed.definition;
  if (expectKey !== null && def.id !== expectKey) {
    throw invalidField("id", `the definition's id "${def.id}" is not this sequence's key "${expectKey}"`);
  }
  const saved = await saveSequenceVersion(
    trx,
    workspace.id,
    { key: def.id, name: def.name, definitionJson: JSON.stringify(def), sourceText: text, createdBy: actor },
    now,
  );
  await appendAudit(
    trx,
    {
      workspaceId: workspace.id,
      actor,
      action: "sequence.saved",
      targetType: "sequence",
      targetId: saved.sequence.id,
      data: { version: saved.version.version },
    },
    now,
  );
  return {
    created: saved.created,
    body: {
      ...toSequenceOut(saved.sequence),
      definition: JSON.parse(saved.version.definition_json) as Record<string, unknown>,
      source: saved.version.source_text,
      warnings: parsed.warnings.map(positioned),
    },
  };
}

async function requireSequenceRow(
  request: { params: { id: string } },
  db: Transaction<Database> | Parameters<typeof findSequence>[0],
  workspaceId: string,
) {
  const sequence = await findSequence(db, workspaceId, request.params.id);
  if (!sequence) throw notFound("sequence", request.params.id);
  return sequence;
}

export const sequenceRoutes: FastifyPluginAsyncZod = async (app) => {
  const sourceRouteOptions = {
    bodyLimit: SOURCE_BODY_LIMIT_BYTES,
  };

  app.post(
    "/v1/sequences",
    {
      ...sourceRouteOptions,
      schema: {
        tags: ["sequences"],
        summary: "Create a sequence, or a new version of the one with the same id, from YAML or JSON",
        description:
          "Send YAML (application/yaml, text/yaml, text/plain), JSON `{ source }`, or the definition as a JSON object. Errors: 422 with `errors[]` naming the path, line and column. 201 when a new sequence was created.",
        consumes: ["application/yaml", "text/yaml", "text/plain", "application/json"],
        body: SourceBody,
        response: withProblems({ 200: SequenceDetail, 201: SequenceDetail }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const actor = `api:${authOf(request).keyId}`;
      const text = sourceTextOf(request.body);
      const result = await commitWrite(request, async (trx) => {
        const saved = await saveSource(trx, workspace, text, actor, now, null);
        return { statusCode: saved.created ? 201 : 200, body: saved.body };
      });
      return reply.code(result.statusCode).send(result.body);
    },
  );

  app.put(
    "/v1/sequences/:id",
    {
      ...sourceRouteOptions,
      schema: {
        tags: ["sequences"],
        summary: "Save a new version of a sequence (its definition's id must be the sequence's key)",
        consumes: ["application/yaml", "text/yaml", "text/plain", "application/json"],
        params: IdParams,
        body: SourceBody,
        response: withProblems({ 200: SequenceDetail }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const actor = `api:${authOf(request).keyId}`;
      const text = sourceTextOf(request.body);
      const result = await commitWrite(request, async (trx) => {
        const sequence = await requireSequenceRow(request, trx, workspace.id);
        const saved = await saveSource(trx, workspace, text, actor, now, sequence.key);
        return { statusCode: 200, body: saved.body };
      });
      return result.body;
    },
  );

  app.get(
    "/v1/sequences",
    {
      schema: {
        tags: ["sequences"],
        summary: "List sequences",
        querystring: SequenceListQuery,
        response: withProblems({ 200: pageSchema(SequenceOut) }),
      },
    },
    async (request) => {
      const { status, ...page } = request.query;
      const rows = await listSequences(
        app.nudge.engine.db,
        (await workspaceOf(request)).id,
        status ? { status } : {},
      );
      return pageInMemory(rows, page, toSequenceOut);
    },
  );

  app.get(
    "/v1/sequences/:id",
    {
      schema: {
        tags: ["sequences"],
        summary: "Read a sequence (by id or key) with its current definition, source and warnings",
        params: IdParams,
        response: withProblems({ 200: SequenceDetail }),
      },
    },
    async (request) => {
      const db = app.nudge.engine.db;
      const sequence = await requireSequenceRow(request, db, (await workspaceOf(request)).id);
      const version = await getSequenceVersion(db, sequence.id, Number(sequence.current_version));
      if (!version) throw notFound("version of sequence", sequence.id);
      return detailOf(sequence, version);
    },
  );

  app.get(
    "/v1/sequences/:id/versions",
    {
      schema: {
        tags: ["sequences"],
        summary: "Every saved version, newest first",
        params: IdParams,
        response: withProblems({ 200: z.object({ data: z.array(SequenceVersionOut) }) }),
      },
    },
    async (request) => {
      const db = app.nudge.engine.db;
      const sequence = await requireSequenceRow(request, db, (await workspaceOf(request)).id);
      const versions = await listSequenceVersions(db, sequence.id);
      return {
        data: versions.map((v) => ({
          id: v.id,
          version: Number(v.version),
          created_at: iso(v.created_at),
          created_by: v.created_by,
          source: v.source_text,
        })),
      };
    },
  );

  for (const [action, status, summary] of [
    ["activate", "active", "Activate: triggers enroll and enrollments may start"],
    ["pause", "paused", "Pause: no new enrollments"],
    ["archive", "archived", "Archive: hidden from lists, no new enrollments"],
  ] as const) {
    app.post(
      `/v1/sequences/:id/${action}`,
      {
        schema: {
          tags: ["sequences"],
          summary,
          params: IdParams,
          body: NoBody,
          response: withProblems({ 200: SequenceOut }),
        },
      },
      async (request) => {
        const workspace = await workspaceOf(request);
        const now = app.nudge.now(workspace);
        const result = await commitWrite(request, async (trx) => {
          const sequence = await requireSequenceRow(request, trx, workspace.id);
          await changeSequenceStatus(trx, workspace.id, sequence.id, status, now);
          await appendAudit(
            trx,
            {
              workspaceId: workspace.id,
              actor: `api:${authOf(request).keyId}`,
              action: `sequence.${action}`,
              targetType: "sequence",
              targetId: sequence.id,
            },
            now,
          );
          return { statusCode: 200, body: toSequenceOut({ ...sequence, status, updated_at: now }) };
        });
        if (status === "active") await wakeWorker(app.nudge.engine);
        return result.body;
      },
    );
  }

  app.post(
    "/v1/sequences/:id/simulate",
    {
      config: { allow: ["rep"] },
      schema: {
        tags: ["sequences"],
        summary: "Walk every path the current version can take for a contact, without sending anything",
        params: IdParams,
        body: SimulateBody,
        response: withProblems({ 200: SimulationOut }),
      },
    },
    async (request) => {
      const db = app.nudge.engine.db;
      const workspace = await workspaceOf(request);
      const sequence = await requireSequenceRow(request, db, workspace.id);
      const version = await getSequenceVersion(db, sequence.id, Number(sequence.current_version));
      if (!version) throw notFound("version of sequence", sequence.id);
      const definition = await loadDefinition(db, version.id);
      const body = request.body ?? {};
      let contact: Record<string, string> = { ...DEFAULT_SIMULATION_CONTACT };
      if (body.contact_id) {
        const real = await getContact(db, workspace.id, body.contact_id);
        if (!real) throw invalidField("contact_id", `no contact ${body.contact_id} in this workspace`);
        const account = real.accountId ? await getAccount(db, workspace.id, real.accountId) : undefined;
        contact = simulationContactOf(real, account?.name ?? null);
      }
      for (const [key, value] of Object.entries(body.contact ?? {}))
        contact[key] = value === null ? "" : String(value);
      const result = simulate(definition, {
        contact,
        startUtcMs: body.start ? msOf(body.start) : app.nudge.now(workspace),
        workspaceZone: workspace.time_zone,
        ...(body.max_paths ? { maxPaths: body.max_paths } : {}),
      });
      return {
        truncated: result.truncated,
        paths: result.paths.map((p) => ({
          name: p.name,
          outcome: p.outcome,
          touches: p.touches.map((t) => ({
            at: t.at,
            at_utc: iso(t.atUtcMs),
            step: t.step,
            channel: t.channel,
            ...(t.subject !== undefined ? { subject: t.subject } : {}),
            ...(t.note !== undefined ? { note: t.note } : {}),
            ...(t.held !== undefined ? { held: t.held } : {}),
          })),
        })),
      };
    },
  );

  app.get(
    "/v1/sequences/:id/stats",
    {
      schema: {
        tags: ["sequences"],
        summary:
          "Per-step sends, human opens and clicks, replies, bounces, unsubscribes, holds; exits; A/B variants",
        params: IdParams,
        response: withProblems({ 200: StatsOut }),
      },
    },
    async (request) => {
      const db = app.nudge.engine.db;
      const sequence = await requireSequenceRow(request, db, (await workspaceOf(request)).id);
      const version = await getSequenceVersion(db, sequence.id, Number(sequence.current_version));
      const definition = version ? await loadDefinition(db, version.id) : null;
      const [stats, outcomes] = await Promise.all([
        sequenceStats(db, sequence.id, definition),
        sequenceOutcomes(db, sequence.workspace_id, sequence.id),
      ]);
      return { sequence_id: sequence.id, ...stats, outcomes };
    },
  );
};

/** A real contact as the simulator's `key=value` pairs. */
function simulationContactOf(
  contact: Awaited<ReturnType<typeof getContact>> & object,
  company: string | null,
): Record<string, string> {
  const pairs: Record<string, string> = {};
  const put = (key: string, value: unknown) => {
    if (value !== null && value !== undefined && value !== "") pairs[key] = String(value);
  };
  put("email", contact.email);
  put("first_name", contact.firstName);
  put("last_name", contact.lastName);
  put("title", contact.title);
  put("phone", contact.phone);
  put("time_zone", contact.timeZone);
  put("lifecycle_stage", contact.lifecycleStage);
  put("company", company);
  if (contact.tags.length > 0) put("tags", contact.tags.join(","));
  for (const [key, value] of Object.entries(contact.fields)) put(`fields.${key}`, value);
  return pairs;
}
