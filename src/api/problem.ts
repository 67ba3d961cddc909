// Every error the API answers is RFC 9457 problem+json: a type, a title, the status, a detail a
// person can act on and, for bad input, the fields at fault as dotted paths (`events[3].type`).
// Bad input is always a 4xx; only bugs become a 500, and a 500 never carries a stack.

import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { FastifySchemaCompiler } from "fastify/types/schema.js";
import { type core, z } from "zod";
import { ClockError } from "../engine/advanceClock.ts";
import { CommandError } from "../engine/enrollmentCommands.ts";
import { isForeignKeyViolation, isUniqueViolation } from "./dbErrors.ts";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export type ProblemSlug =
  | "bad-request"
  | "unauthorized"
  | "forbidden"
  | "not-found"
  | "conflict"
  | "payload-too-large"
  | "unsupported-media-type"
  | "validation-failed"
  | "idempotency-key-reused"
  | "internal"
  | "unavailable";

const TITLES: Record<ProblemSlug, string> = {
  "bad-request": "The request could not be read",
  unauthorized: "Missing or invalid API key",
  forbidden: "The API key lacks the scope this needs",
  "not-found": "Not found",
  conflict: "Conflict with the current state",
  "payload-too-large": "The request body is too large",
  "unsupported-media-type": "Unsupported content type",
  "validation-failed": "The request has invalid fields",
  "idempotency-key-reused": "Idempotency-Key reused with a different request",
  internal: "Internal error",
  unavailable: "Service unavailable",
};

const SLUG_BY_STATUS: Record<number, ProblemSlug> = {
  400: "bad-request",
  401: "unauthorized",
  403: "forbidden",
  404: "not-found",
  409: "conflict",
  413: "payload-too-large",
  415: "unsupported-media-type",
  422: "validation-failed",
};

export function problemType(slug: ProblemSlug): string {
  return `urn:nudge:problem:${slug}`;
}

export interface FieldError {
  field: string;
  message: string;
  line?: number;
  column?: number;
  hint?: string;
}

export const FieldErrorSchema = z
  .object({
    field: z.string().describe("Dotted path of the offending field, e.g. `events[3].type`"),
    message: z.string(),
    line: z.number().int().optional(),
    column: z.number().int().optional(),
    hint: z.string().optional(),
  })
  .meta({ id: "FieldError" });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details (application/problem+json)" });

export type Problem = z.infer<typeof ProblemSchema>;

/** An error a caller caused: thrown anywhere under a route, answered as problem+json. */
export class ApiProblem extends Error {
  override readonly name = "ApiProblem";
  readonly status: number;
  readonly slug: ProblemSlug;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;
  constructor(
    status: number,
    slug: ProblemSlug,
    detail: string,
    errors?: FieldError[],
    headers?: Record<string, string>,
  ) {
    // A caller's mistake needs no stack, and capturing one is most of the cost of a 4xx.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail);
    Error.stackTraceLimit = limit;
    this.status = status;
    this.slug = slug;
    this.errors = errors;
    this.headers = headers;
  }

  toProblem(): Problem {
    return {
      type: problemType(this.slug),
      title: TITLES[this.slug],
      status: this.status,
      detail: this.message,
      ...(this.errors && this.errors.length > 0 ? { errors: this.errors } : {}),
    };
  }
}

export function notFound(what: string, id: string): ApiProblem {
  return new ApiProblem(404, "not-found", `no ${what} ${id}`);
}

export function conflict(detail: string): ApiProblem {
  return new ApiProblem(409, "conflict", detail);
}

/** Input that passed the schema but makes no sense here (an unknown id in the body, …). */
export function invalidField(field: string, message: string): ApiProblem {
  return new ApiProblem(422, "validation-failed", `${field}: ${message}`, [{ field, message }]);
}

/** `["events", 3, "type"]` → `events[3].type`; odd keys are quoted: `fields["a b"]`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_$][\w$-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

/**
 * Flattens zod issues into field errors. A union's own issue says little ("invalid input"):
 * the branch that got furthest into the data (deepest path, then fewest issues) names the
 * real mistake, as a person would read it.
 */
export function fieldErrorsOf(
  issues: ReadonlyArray<core.$ZodIssue>,
  prefix: ReadonlyArray<PropertyKey> = [],
): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const best = [...issue.errors].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0] ?? [];
      if (best.length > 0 && depth(best) > 0) {
        out.push(...fieldErrorsOf(best, path));
        continue;
      }
    }
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push({ field: fieldPath([...path, key]), message: "unknown field" });
      continue;
    }
    out.push({ field: fieldPath(path) || "(body)", message: issue.message });
  }
  return out;
}

function depth(issues: ReadonlyArray<core.$ZodIssue>): number {
  return Math.max(0, ...issues.map((i) => i.path.length));
}

/** What the zod validator compiler returns: keeps the issues so paths keep their indexes. */
export class RequestValidationError extends Error {
  override readonly name = "RequestValidationError";
  statusCode = 400;
  code = "FST_ERR_VALIDATION";
  validationContext?: string;
  readonly issues: ReadonlyArray<core.$ZodIssue>;
  constructor(issues: ReadonlyArray<core.$ZodIssue>) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super("request validation failed");
    Error.stackTraceLimit = limit;
    this.issues = issues;
  }
}

/** Validates request parts with their zod schema; see RequestValidationError. */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, method, url, httpPart }) => {
  // Every route validates with zod (that is also what documents it); say so at start-up, not at the first request.
  if (!(schema instanceof z.ZodType)) {
    throw new Error(`${method} ${url}: the ${httpPart ?? "request"} schema must be a zod schema`);
  }
  return (data: unknown) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    return { error: new RequestValidationError(result.error.issues) };
  };
};

export function sendProblem(reply: FastifyReply, problem: ApiProblem): FastifyReply {
  for (const [name, value] of Object.entries(problem.headers ?? {})) reply.header(name, value);
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem.toProblem());
}

/** Turns anything thrown under a route into an ApiProblem; unknown errors are bugs (500). */
export function toApiProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (error instanceof RequestValidationError) {
    const where = error.validationContext ?? "body";
    const errors = fieldErrorsOf(error.issues).map((e) =>
      where === "body" ? e : { ...e, field: e.field === "(body)" ? where : e.field },
    );
    const detail = errors
      .slice(0, 3)
      .map((e) => `${e.field}: ${e.message}`)
      .join("; ");
    // A body that parses but does not fit is 422; a bad query string or path is a bad request.
    return where === "body"
      ? new ApiProblem(422, "validation-failed", detail, errors)
      : new ApiProblem(400, "bad-request", `invalid ${where}: ${detail}`, errors);
  }
  if (error instanceof CommandError) {
    if (error.code === "not_found") return new ApiProblem(404, "not-found", error.message);
    if (error.code === "conflict") return new ApiProblem(409, "conflict", error.message);
    const field = error.field ?? "(body)";
    return new ApiProblem(422, "validation-failed", error.message, [{ field, message: error.message }]);
  }
  if (error instanceof ClockError) return new ApiProblem(409, "conflict", error.message);
  // Safety nets: a race the handler did not foresee is a conflict, not a crash.
  if (isUniqueViolation(error))
    return new ApiProblem(409, "conflict", "that already exists (a unique value is taken)");
  if (isForeignKeyViolation(error)) {
    return new ApiProblem(422, "validation-failed", "the request refers to something that does not exist");
  }
  const fastifyError = error as Partial<FastifyError> & { validationContext?: string };
  if (Array.isArray(fastifyError.validation)) {
    // JSON-schema (ajv) validation from a route that does not use zod.
    const errors = fastifyError.validation.map((v) => ({
      field:
        v.instancePath.replace(/^\//, "").replace(/\//g, ".") || (fastifyError.validationContext ?? "body"),
      message: v.message ?? "invalid",
    }));
    return new ApiProblem(400, "bad-request", fastifyError.message ?? "invalid request", errors);
  }
  const status = fastifyError.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return new ApiProblem(status, SLUG_BY_STATUS[status] ?? "bad-request", clientMessage(fastifyError));
  }
  return new ApiProblem(500, "internal", "something went wrong on our side; it has been logged");
}

function clientMessage(error: Partial<FastifyError>): string {
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "unsupported Content-Type; send application/json (or the type this endpoint documents)";
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "the request body is larger than this endpoint accepts";
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return "the body is empty but Content-Type says JSON; send a JSON body or no Content-Type";
    default:
      if (error.name === "SyntaxError") return `the body is not valid JSON: ${error.message ?? ""}`.trim();
      return error.message ?? "bad request";
  }
}

/** The error handler's job: log bugs, answer everything as problem+json. */
export function replyWithProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = toApiProblem(error);
  if (problem.status >= 500) request.log.error({ err: error }, "request failed");
  return sendProblem(reply, problem);
}

export function replyNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split("?")[0] ?? "";
  return sendProblem(reply, new ApiProblem(404, "not-found", `no route ${request.method} ${path}`));
}
