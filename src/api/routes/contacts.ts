// /v1/contacts: upsert by email, search, read, patch, timeline, and bulk import (CSV or JSON)
// with a report of every rejected row.

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { getContact, listContacts } from "../../store/repos/contacts.ts";
import { ContactImportError, importContacts, jsonContactRows, parseContactCsv } from "../contactImport.ts";
import { wakeWorker, workspaceOf } from "../context.ts";
import { commitWrite } from "../idempotency.ts";
import { ApiProblem, notFound } from "../problem.ts";
import { ownerIdOf } from "../references.ts";
import { patchContact, saveContact } from "../saveContact.ts";
import { IdParams, pageSchema, withProblems } from "../schemas/common.ts";
import {
  ContactListQuery,
  ContactOut,
  ContactPatch,
  ContactUpsert,
  toContactInput,
  toContactOut,
} from "../schemas/contacts.ts";
import { TimelineItem, TimelineQuery } from "../schemas/timeline.ts";
import { timelinePage } from "../timelinePage.ts";

const IMPORT_BODY_LIMIT_BYTES = 25 * 1_048_576;
/** One import is one transaction; bigger files go through `nudge import contacts` or in parts. */
export const MAX_IMPORT_ROWS = 10_000;

const ImportReport = z
  .object({
    created: z.number().int(),
    updated: z.number().int(),
    rejected: z.array(
      z.object({
        row: z.number().int().describe("CSV: the line the row starts on (header = 1); JSON: the array index"),
        field: z.string(),
        message: z.string(),
      }),
    ),
  })
  .meta({ id: "ContactImportReport" });

const ImportBody = z
  .union([
    z.string().describe("CSV with a header row (Content-Type: text/csv)"),
    z.strictObject({ contacts: z.array(z.record(z.string(), z.unknown())).max(MAX_IMPORT_ROWS) }),
  ])
  .describe(
    "CSV text (text/csv) or JSON `{ contacts: [...] }`. Columns: email, first_name, last_name, title, phone, time_zone, company, owner_email, tags (`;`-separated), lifecycle_stage; any other column is a custom field.",
  );

export const contactRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    "/v1/contacts",
    {
      config: { allow: ["rep", "ingest"] },
      schema: {
        tags: ["contacts"],
        summary: "Create or update a contact, by email",
        body: ContactUpsert,
        response: withProblems({ 200: ContactOut, 201: ContactOut }),
      },
    },
    async (request, reply) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const result = await commitWrite(request, async (trx) => {
        const ownerId = await ownerIdOf(trx, workspace.id, request.body);
        const input = toContactInput(request.body);
        if (ownerId !== undefined) input.ownerId = ownerId;
        const saved = await saveContact(trx, workspace, input, now, { source: "api" });
        return { statusCode: saved.created ? 201 : 200, body: toContactOut(saved.contact) };
      });
      await wakeWorker(app.nudge.engine);
      return reply.code(result.statusCode).send(result.body);
    },
  );

  app.get(
    "/v1/contacts",
    {
      schema: {
        tags: ["contacts"],
        summary: "List and search contacts",
        querystring: ContactListQuery,
        response: withProblems({ 200: pageSchema(ContactOut) }),
      },
    },
    async (request) => {
      const { q, tag, stage, owner_id, account_id, cursor, limit } = request.query;
      const page = await listContacts(app.nudge.engine.db, (await workspaceOf(request)).id, {
        limit,
        ...(cursor ? { cursor } : {}),
        ...(q ? { search: q } : {}),
        ...(tag ? { tag } : {}),
        ...(stage ? { lifecycleStage: stage } : {}),
        ...(owner_id ? { ownerId: owner_id } : {}),
        ...(account_id ? { accountId: account_id } : {}),
      });
      return { data: page.items.map(toContactOut), next_cursor: page.nextCursor };
    },
  );

  app.get(
    "/v1/contacts/:id",
    {
      schema: {
        tags: ["contacts"],
        summary: "Read a contact",
        params: IdParams,
        response: withProblems({ 200: ContactOut }),
      },
    },
    async (request) => {
      const contact = await getContact(
        app.nudge.engine.db,
        (await workspaceOf(request)).id,
        request.params.id,
      );
      if (!contact) throw notFound("contact", request.params.id);
      return toContactOut(contact);
    },
  );

  app.patch(
    "/v1/contacts/:id",
    {
      config: { allow: ["rep"] },
      schema: {
        tags: ["contacts"],
        summary: "Change a contact's fields (running enrollments hear a contact.updated event)",
        params: IdParams,
        body: ContactPatch,
        response: withProblems({ 200: ContactOut }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      const { add_tags, remove_tags, ...rest } = request.body;
      const result = await commitWrite(request, async (trx) => {
        const ownerId = await ownerIdOf(trx, workspace.id, rest);
        const input = toContactInput(rest);
        if (ownerId !== undefined) input.ownerId = ownerId;
        const saved = await patchContact(
          trx,
          workspace,
          request.params.id,
          {
            ...input,
            ...(add_tags ? { addTags: add_tags } : {}),
            ...(remove_tags ? { removeTags: remove_tags } : {}),
          },
          now,
          { source: "api" },
        );
        if (!saved) throw notFound("contact", request.params.id);
        return { statusCode: 200, body: toContactOut(saved.contact) };
      });
      await wakeWorker(app.nudge.engine);
      return result.body;
    },
  );

  app.get(
    "/v1/contacts/:id/timeline",
    {
      schema: {
        tags: ["contacts"],
        summary: "Everything that happened to a contact across sequences, newest first",
        params: IdParams,
        querystring: TimelineQuery,
        response: withProblems({ 200: pageSchema(TimelineItem) }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const db = app.nudge.engine.db;
      if (!(await getContact(db, workspace.id, request.params.id)))
        throw notFound("contact", request.params.id);
      return timelinePage(db, workspace.id, { contactId: request.params.id }, request.query);
    },
  );

  app.post(
    "/v1/contacts/import",
    {
      bodyLimit: IMPORT_BODY_LIMIT_BYTES,
      config: { allow: ["rep", "ingest"] },
      schema: {
        tags: ["contacts"],
        summary: "Import contacts from CSV or JSON; bad rows are reported, good rows kept",
        consumes: ["text/csv", "application/json"],
        body: ImportBody,
        response: withProblems({ 200: ImportReport }),
      },
    },
    async (request) => {
      const workspace = await workspaceOf(request);
      const now = app.nudge.now(workspace);
      let rows: ReturnType<typeof jsonContactRows>;
      let syntaxRejections: Array<{ row: number; field: string; message: string }> = [];
      if (typeof request.body === "string") {
        try {
          const parsed = parseContactCsv(request.body);
          rows = parsed.rows;
          syntaxRejections = parsed.rejected;
        } catch (error) {
          if (error instanceof ContactImportError) {
            throw new ApiProblem(422, "validation-failed", error.message, [
              { field: error.field, message: error.message },
            ]);
          }
          throw error;
        }
      } else {
        rows = jsonContactRows(request.body.contacts);
      }
      if (rows.length > MAX_IMPORT_ROWS) {
        throw new ApiProblem(
          413,
          "payload-too-large",
          `${rows.length} rows; one import takes at most ${MAX_IMPORT_ROWS}: split the file, or use \`nudge import contacts\``,
        );
      }
      const result = await commitWrite(request, async (trx) => {
        const report = await importContacts(trx, workspace, rows, now, { source: "import" });
        report.rejected = [...syntaxRejections, ...report.rejected].sort((a, b) => a.row - b.row);
        return { statusCode: 200, body: report };
      });
      await wakeWorker(app.nudge.engine);
      return result.body;
    },
  );
};
