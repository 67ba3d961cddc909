// Generic webhook sources: a workspace maps fields of the sender's JSON to one Nudge event with
// dotted paths (`contact.email`, `items.0.sku`), so any tool that can POST signed JSON can drive
// sequences without code.

import { type HookAction, isStorableTimeMs, type MappedDelivery, type PayloadError } from "./hookAction.ts";

export interface GenericMapping {
  /** Path to the event type; when absent (or missing in a payload) the source's `eventType` is used. */
  type?: string;
  /** Path to the contact's email address. */
  email: string;
  /** Path to when it happened: ISO 8601 text, epoch milliseconds, or epoch seconds. Default: receipt. */
  occurred_at?: string;
  /** Path to the sender's own id of the event, so its retries are recorded once. */
  id?: string;
  /** Our data key → path. */
  data?: Record<string, string>;
}

export interface GenericSourceMapping {
  eventType?: string;
  mapping: GenericMapping;
}

export const FIELD_PATH_PATTERN = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]{0,49}(\.[a-z0-9_]{1,50}){1,3}$/;
// Seconds until 2286 are below this; milliseconds since 1970-04-26 are above it.
const EPOCH_MS_THRESHOLD = 10_000_000_000;

/** Reads a dotted path; numeric segments index arrays. Own properties only: `__proto__` reads nothing. */
export function readPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const segment of path.split(".")) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (current !== null && typeof current === "object") {
      if (!Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

export function mapGenericDelivery(
  body: unknown,
  sourceName: string,
  source: GenericSourceMapping,
  receivedAtUtcMs: number,
): MappedDelivery {
  const errors: PayloadError[] = [];
  const { mapping } = source;
  const pathOf = (p: string) => p.split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s));

  const rawType = mapping.type ? readPath(body, mapping.type) : undefined;
  const type = typeof rawType === "string" && rawType !== "" ? rawType : source.eventType;
  if (!type) {
    errors.push({ path: mapping.type ? pathOf(mapping.type) : [], message: "no event type in the payload" });
  } else if (!EVENT_TYPE_PATTERN.test(type)) {
    errors.push({
      path: mapping.type ? pathOf(mapping.type) : [],
      message: `event type ${JSON.stringify(type)} must look like noun.verb (lower case)`,
    });
  }

  const rawEmail = readPath(body, mapping.email);
  const email = typeof rawEmail === "string" ? rawEmail.trim() : "";
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    errors.push({ path: pathOf(mapping.email), message: "an email address is required here" });
  }

  let occurredAtUtcMs = receivedAtUtcMs;
  if (mapping.occurred_at) {
    const raw = readPath(body, mapping.occurred_at);
    if (raw !== undefined && raw !== null) {
      const parsed = parseOccurredAt(raw);
      if (parsed === null) {
        errors.push({
          path: pathOf(mapping.occurred_at),
          message: "not a time: use ISO 8601 text or epoch seconds/milliseconds",
        });
      } else {
        occurredAtUtcMs = parsed;
      }
    }
  }

  const data: Record<string, unknown> = {};
  for (const [key, path] of Object.entries(mapping.data ?? {})) {
    const value = readPath(body, path);
    if (value !== undefined) data[key] = value;
  }

  let dedupeKey: string | null = null;
  if (mapping.id) {
    const id = readPath(body, mapping.id);
    if (typeof id === "string" || typeof id === "number") dedupeKey = `hook:${sourceName}:id:${id}`;
  }

  if (errors.length > 0 || !type) return { ok: false, errors };
  const action: HookAction = {
    kind: "contact_event",
    type,
    contact: { email },
    occurredAtUtcMs,
    dedupeKey,
    data,
  };
  return { ok: true, actions: [action], ignored: [] };
}

function parseOccurredAt(raw: unknown): number | null {
  let ms: number | null = null;
  if (typeof raw === "number" && Number.isFinite(raw) && raw > 0) {
    ms = Math.round(raw < EPOCH_MS_THRESHOLD ? raw * 1000 : raw);
  } else if (typeof raw === "string" && raw.trim() !== "") {
    if (/^\d+(\.\d+)?$/.test(raw.trim())) return parseOccurredAt(Number(raw));
    ms = Date.parse(raw);
  }
  return ms !== null && isStorableTimeMs(ms) ? ms : null;
}
