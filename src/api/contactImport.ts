// Bulk contact import, shared by `POST /v1/contacts/import` and `nudge import contacts`: CSV
// text → rows, each row checked on its own, good rows upserted by email, and every bad row
// reported with its row number and field — one bad row never costs the good ones.

import { parse } from "csv-parse/sync";
import type { Executor } from "../store/executor.ts";
import type { ContactInput, FieldValue } from "../store/repos/contacts.ts";
import { listUsers } from "../store/repos/users.ts";
import type { Workspace } from "../store/schema.ts";
import { saveContact } from "./saveContact.ts";
import { canonicalTimeZone, isPhoneLike, isPlausibleEmail, isValidTimeZone } from "./schemas/common.ts";

/** One row to import: where it came from (CSV line, or JSON index) and its cells by column. */
export interface ImportRow {
  row: number;
  values: Record<string, unknown>;
}

export interface ImportRejection {
  row: number;
  field: string;
  message: string;
}

export interface ImportReport {
  created: number;
  updated: number;
  rejected: ImportRejection[];
}

export interface ValidContactRow {
  row: number;
  input: ContactInput & { email: string };
  /** Resolved to a user id by importContacts. */
  ownerEmail: string | null;
}

/** A file that cannot be imported at all (no email column, duplicate columns). */
export class ContactImportError extends Error {
  override readonly name = "ContactImportError";
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export const STANDARD_COLUMNS = [
  "email",
  "first_name",
  "last_name",
  "title",
  "phone",
  "time_zone",
  "company",
  "owner_email",
  "tags",
  "lifecycle_stage",
] as const;

/** Spellings spreadsheets and CRM exports use for our columns. */
const COLUMN_ALIASES: Record<string, string> = {
  email_address: "email",
  e_mail: "email",
  firstname: "first_name",
  given_name: "first_name",
  lastname: "last_name",
  surname: "last_name",
  family_name: "last_name",
  job_title: "title",
  phone_number: "phone",
  mobile: "phone",
  timezone: "time_zone",
  tz: "time_zone",
  company_name: "company",
  organization: "company",
  owner: "owner_email",
  stage: "lifecycle_stage",
  tag: "tags",
};

const MAX_CUSTOM_FIELD_CHARS = 10_000;
const MAX_STANDARD_CHARS = 200;

export function normalizeColumn(header: string): string {
  const name = header
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
  return COLUMN_ALIASES[name] ?? name;
}

/**
 * Parses CSV text with a header row. Each row is numbered by the line it starts on (the
 * header is line 1), as a spreadsheet shows it. Rows the CSV syntax breaks are rejected
 * with the line the parser stopped at; the rest are returned.
 */
export function parseContactCsv(text: string): { rows: ImportRow[]; rejected: ImportRejection[] } {
  const rejected: ImportRejection[] = [];
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parseRecords(text, rejected);
  } catch (error) {
    throw new ContactImportError(`not valid CSV: ${(error as Error).message}`, "(file)");
  }
  const [header, ...body] = records;
  if (!header) throw new ContactImportError("the CSV is empty; the first row must name the columns", "email");
  const columns = header.record.map(normalizeColumn);
  if (!columns.includes("email")) {
    throw new ContactImportError(
      "the CSV has no `email` column (the first row must name the columns)",
      "email",
    );
  }
  const seen = new Set<string>();
  for (const column of columns) {
    if (column === "") throw new ContactImportError("a column in the header row has no name", "(header)");
    if (seen.has(column)) throw new ContactImportError(`the column \`${column}\` appears twice`, column);
    seen.add(column);
  }
  const rows: ImportRow[] = [];
  for (const { record, info } of body) {
    const newlinesInside = record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    const row = info.lines - newlinesInside;
    if (record.length > columns.length) {
      rejected.push({
        row,
        field: "(row)",
        message: `has ${record.length} cells but the header names ${columns.length} columns`,
      });
      continue;
    }
    // No prototype: a column named `__proto__` is data, not a way into Object.prototype.
    const values: Record<string, unknown> = Object.create(null);
    columns.forEach((column, i) => {
      values[column] = record[i] ?? "";
    });
    rows.push({ row, values });
  }
  rejected.sort((a, b) => a.row - b.row);
  return { rows, rejected };
}

function parseRecords(
  text: string,
  rejected: ImportRejection[],
): Array<{ record: string[]; info: { lines: number } }> {
  return parse(text, {
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      rejected.push({
        row: Number(error?.lines ?? 0),
        field: "(row)",
        message: `not valid CSV: ${error?.message ?? "unreadable row"}`,
      });
    },
  }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
}

/** Turns JSON `{ contacts: [...] }` items into rows numbered by their index. */
export function jsonContactRows(items: Array<Record<string, unknown>>): ImportRow[] {
  return items.map((values, index) => ({ row: index, values }));
}

function text(value: unknown): string | undefined | { error: string } {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value !== "string") return { error: "must be text" };
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

function customValue(value: unknown): FieldValue | undefined | { error: string } {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? value : { error: "must be a finite number" };
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return { error: "custom fields hold text, a number or true/false" };
  const trimmed = value.trim();
  if (trimmed.length > MAX_CUSTOM_FIELD_CHARS)
    return { error: `longer than ${MAX_CUSTOM_FIELD_CHARS} characters` };
  return trimmed === "" ? undefined : trimmed;
}

function isError(value: unknown): value is { error: string } {
  return typeof value === "object" && value !== null && "error" in value;
}

/**
 * Checks one row on its own (no database): email present and plausible, time zone an IANA
 * name, phone number phone-like, tags split on `;`, every other column a custom field.
 * Empty cells mean "not given", so an import never blanks what a contact already has.
 */
export function validateContactRow(
  values: Record<string, unknown>,
  row: number,
): { ok: true; contact: ValidContactRow } | { ok: false; rejected: ImportRejection[] } {
  const rejected: ImportRejection[] = [];
  const reject = (field: string, message: string) => rejected.push({ row, field, message });
  const standard: Partial<Record<(typeof STANDARD_COLUMNS)[number], string>> = {};
  const fields: Record<string, FieldValue> = {};
  let tags: string[] | undefined;

  for (const [rawKey, raw] of Object.entries(values)) {
    const key = rawKey.trim();
    if (key === "" || key.includes("\u0000") || key === "__proto__") {
      reject("(row)", "a column name is empty or unreadable");
      continue;
    }
    if (key === "tags") {
      const list = Array.isArray(raw)
        ? raw
        : typeof raw === "string"
          ? raw.split(";")
          : raw == null
            ? []
            : null;
      if (list === null || list.some((t) => typeof t !== "string")) {
        reject("tags", "tags are text separated by `;` (or a list of text)");
        continue;
      }
      tags = [...new Set((list as string[]).map((t) => t.trim()).filter((t) => t !== ""))];
      if (tags.some((t) => t.length > 100)) reject("tags", "a tag is longer than 100 characters");
      if (tags.length > 100) reject("tags", "more than 100 tags");
      if (tags.length === 0) tags = undefined;
      continue;
    }
    if (key === "fields" && raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
      for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
        const v = customValue(value);
        if (isError(v)) reject(`fields.${name}`, v.error);
        else if (v !== undefined) fields[name] = v;
      }
      continue;
    }
    if ((STANDARD_COLUMNS as readonly string[]).includes(key)) {
      const v = text(raw);
      if (isError(v)) reject(key, v.error);
      else if (v !== undefined) {
        if (v.length > (key === "email" ? 254 : MAX_STANDARD_CHARS)) reject(key, "too long");
        else standard[key as (typeof STANDARD_COLUMNS)[number]] = v;
      }
      continue;
    }
    if (key.length > 100) {
      reject(key.slice(0, 100), "a custom field name is longer than 100 characters");
      continue;
    }
    const v = customValue(raw);
    if (isError(v)) reject(key, v.error);
    else if (v !== undefined) fields[key] = v;
  }

  const email = standard.email;
  if (!email) reject("email", "email is required");
  else if (!isPlausibleEmail(email)) reject("email", `"${email}" is not an email address`);
  if (standard.time_zone && !isValidTimeZone(standard.time_zone)) {
    reject("time_zone", `"${standard.time_zone}" is not an IANA time zone (e.g. America/New_York)`);
  }
  if (standard.phone && !isPhoneLike(standard.phone)) {
    reject("phone", `"${standard.phone}" is not a phone number (7 to 15 digits)`);
  }
  if (standard.owner_email && !isPlausibleEmail(standard.owner_email)) {
    reject("owner_email", `"${standard.owner_email}" is not an email address`);
  }
  if (rejected.length > 0 || !email) return { ok: false, rejected };

  const input: ContactInput & { email: string } = { email: email.toLowerCase() };
  if (standard.first_name) input.firstName = standard.first_name;
  if (standard.last_name) input.lastName = standard.last_name;
  if (standard.title) input.title = standard.title;
  if (standard.phone) input.phone = standard.phone;
  if (standard.time_zone) input.timeZone = canonicalTimeZone(standard.time_zone);
  if (standard.company) input.company = standard.company;
  if (standard.lifecycle_stage) input.lifecycleStage = standard.lifecycle_stage;
  if (tags) input.tags = tags;
  if (Object.keys(fields).length > 0) input.fields = fields;
  return { ok: true, contact: { row, input, ownerEmail: standard.owner_email?.toLowerCase() ?? null } };
}

/**
 * Validates and upserts rows inside the caller's transaction. Owners are looked up by their
 * user email; an unknown owner rejects the row. `onProgress` lets the CLI draw its bar.
 */
export async function importContacts(
  trx: Executor,
  workspace: Workspace,
  rows: ImportRow[],
  nowUtcMs: number,
  opts: { source?: string; emitEvents?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<ImportReport> {
  const report: ImportReport = { created: 0, updated: 0, rejected: [] };
  const owners = new Map((await listUsers(trx, workspace.id)).map((u) => [u.email, u.id]));
  let done = 0;
  for (const { row, values } of rows) {
    const checked = validateContactRow(values, row);
    if (!checked.ok) {
      report.rejected.push(...checked.rejected);
    } else {
      const { input, ownerEmail } = checked.contact;
      const ownerId = ownerEmail ? owners.get(ownerEmail) : undefined;
      if (ownerEmail && !ownerId) {
        report.rejected.push({ row, field: "owner_email", message: `no user with the email ${ownerEmail}` });
      } else {
        const saved = await saveContact(
          trx,
          workspace,
          { ...input, ...(ownerId ? { ownerId } : {}) },
          nowUtcMs,
          { source: opts.source ?? "import", ...(opts.emitEvents === false ? { emitEvents: false } : {}) },
        );
        if (saved.created) report.created += 1;
        else report.updated += 1;
      }
    }
    done += 1;
    opts.onProgress?.(done, rows.length);
  }
  report.rejected.sort((a, b) => a.row - b.row);
  return report;
}
