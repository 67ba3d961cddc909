// Decides which zone a sequence's schedule runs in for one contact.

import type { ResolvedSchedule, Schedule } from "../sequence/definition.ts";
import { isValidTimeZone } from "./localTime.ts";

/**
 * `timezone: contact` follows the contact's zone when it is a real IANA zone (CRM data often is not)
 * and the workspace's otherwise; an explicit IANA name was checked by the validator and is used as is.
 */
export function resolveSchedule(
  schedule: Schedule,
  contactZone: string | null | undefined,
  workspaceZone: string,
): ResolvedSchedule {
  const { timezone, ...rest } = schedule;
  const contact = contactZone?.trim();
  const zone =
    timezone === "contact" ? (contact && isValidTimeZone(contact) ? contact : workspaceZone) : timezone;
  return { ...rest, zone };
}
