// What a verified incoming webhook asks Nudge to do, as plain values: the payload mappers produce
// these, and the route's shell carries them out in one transaction.

/** Times outside 1970–9999 are refused: they fit no timeline and overflow nothing downstream. */
export const LATEST_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function isStorableTimeMs(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 0 && ms <= LATEST_TIME_MS;
}

export type HookSource = "hubspot" | "calendly" | `generic:${string}`;

export interface HookContact {
  email: string;
  firstName?: string | null;
  lastName?: string | null;
}

export type HookAction =
  | {
      /** A CRM deal moved: find or create it by the CRM's id, move it, record `deal.stage_changed`. */
      kind: "deal_stage";
      dealExternalId: string;
      /** Our stage name (after the workspace's stage map). */
      stage: string;
      occurredAtUtcMs: number;
      dedupeKey: string;
      data: Record<string, unknown>;
    }
  | {
      /** A CRM contact changed; the CRM sent its id only, which may match `fields.hubspot_id`. */
      kind: "crm_contact_changed";
      crmContactId: string;
      occurredAtUtcMs: number;
      dedupeKey: string;
      data: Record<string, unknown>;
    }
  | {
      /** An event about a person known by email: upsert them, then ingest the event. */
      kind: "contact_event";
      type: string;
      contact: HookContact;
      occurredAtUtcMs: number;
      dedupeKey: string | null;
      data: Record<string, unknown>;
    };

/** Part of a delivery we understood but do not act on, said back to the sender. */
export interface IgnoredItem {
  index: number;
  type: string;
  reason: string;
}

export interface PayloadError {
  /** Path into the payload, e.g. `[2, "objectId"]` or `["payload", "email"]`. */
  path: Array<string | number>;
  message: string;
}

export type MappedDelivery =
  | { ok: true; actions: HookAction[]; ignored: IgnoredItem[] }
  | { ok: false; errors: PayloadError[] };

/** Zod issues as payload errors, under a prefix (`["payload"]` for a field inside an envelope). */
export function payloadErrors(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  prefix: Array<string | number> = [],
): PayloadError[] {
  return issues.map((issue) => ({
    path: [...prefix, ...issue.path.map((p) => (typeof p === "number" ? p : String(p)))],
    message: issue.message,
  }));
}
