// Talks to the /v1 API with the session cookie. Writes carry `X-Requested-With: nudge` (the
// server refuses cookie writes without it); errors come back as problem+json and are thrown as
// ApiError with their located field errors.

export interface FieldError {
  field?: string;
  message: string;
  line?: number;
  column?: number;
  hint?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

/** Set by the app: called when the session ends so the login page shows. */
export const sessionEvents = { onUnauthorized: (): void => {} };

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET") headers["x-requested-with"] = "nudge";
  let payload: string | undefined;
  if (body !== undefined) {
    headers["content-type"] = contentType;
    payload = typeof body === "string" && contentType !== "application/json" ? body : JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const problem = (json ?? {}) as { detail?: string; title?: string; errors?: FieldError[] };
    if (response.status === 401 && path !== "/v1/session") sessionEvents.onUnauthorized();
    throw new ApiError(
      response.status,
      problem.detail ?? problem.title ?? `HTTP ${response.status}`,
      problem.errors ?? [],
    );
  }
  return json as T;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface SessionInfo {
  user: { id: string; email: string; name: string; role: string; has_password: boolean } | null;
  workspace_id: string;
  scopes: string[];
}

export interface Sequence {
  id: string;
  key: string;
  name: string;
  status: string;
  current_version: number;
  updated_at: string;
}

export interface Contact {
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
  phone: string | null;
  time_zone: string | null;
  tags: string[];
  lifecycle_stage: string | null;
}

export interface Task {
  id: string;
  type: string;
  title: string;
  note: string | null;
  status: string;
  outcome: string | null;
  contact_id: string;
  step_id: string | null;
  due_at: string;
  window_end_at: string | null;
  data: Record<string, unknown>;
}

export interface CapturedMessage {
  id: string;
  channel: string;
  to: string;
  from: string;
  subject: string | null;
  captured_at: string;
  text: string | null;
  html: string | null;
}

export interface InboxItem {
  id: string;
  received_at: string;
  class: string;
  intent: string | null;
  rule: string;
  from: string | null;
  subject: string | null;
  snippet: string | null;
  contact: { id: string; email: string | null; name: string } | null;
  handoff_task: { id: string; status: string } | null;
}

export interface TimelineItem {
  id: string;
  at: string;
  kind: string;
  type: string;
  step_id: string | null;
  status: string | null;
  summary: string | null;
  exit_reason: string | null;
  data: Record<string, unknown>;
}

export interface SandboxClock {
  mode: string;
  test_clock: boolean;
  now: string;
  time_zone: string;
}

export function contactName(c: {
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}) {
  return [c.first_name, c.last_name].filter(Boolean).join(" ") || c.email || "(no name)";
}

export function formatTime(iso: string, zone?: string): string {
  return new Date(iso).toLocaleString(undefined, {
    dateStyle: "medium",
    timeStyle: "short",
    ...(zone ? { timeZone: zone } : {}),
  });
}
