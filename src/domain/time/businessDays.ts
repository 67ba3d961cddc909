// Sending days: the schedule's weekdays minus its public holidays, and counting them forward.

import type { ResolvedSchedule } from "../sequence/definition.ts";
import { isHoliday } from "./holidays.ts";
import { dayOfIsoDate, isoDateOfDay, weekdayOfDay } from "./localTime.ts";

/** How far any calendar walk looks before deciding the schedule has no sending day at all. */
export const SEARCH_LIMIT_DAYS = 400;

/** Whether a local day number is a sending day of the schedule. */
export function isSendingDay(day: number, s: Pick<ResolvedSchedule, "days" | "holidays">): boolean {
  if (!s.days.includes(weekdayOfDay(day))) return false;
  return !s.holidays || !isHoliday(isoDateOfDay(day), s.holidays);
}

/** Whether a local date ("YYYY-MM-DD") is a sending day: one of the schedule's days and no holiday. */
export function isSendingDate(localIsoDate: string, s: Pick<ResolvedSchedule, "days" | "holidays">): boolean {
  const day = dayOfIsoDate(localIsoDate);
  if (day === null) throw new Error(`"${localIsoDate}" is not a YYYY-MM-DD date`);
  return isSendingDay(day, s);
}

/** The local day `count` sending days after `day` (not counting `day` itself). */
export function addSendingDays(
  day: number,
  count: number,
  s: Pick<ResolvedSchedule, "days" | "holidays">,
): number {
  let remaining = count;
  let current = day;
  let sinceLastSendingDay = 0;
  while (remaining > 0) {
    current += 1;
    if (isSendingDay(current, s)) {
      remaining -= 1;
      sinceLastSendingDay = 0;
    } else if (++sinceLastSendingDay > SEARCH_LIMIT_DAYS) {
      // The validator rejects schedules without days; reaching this means one slipped through.
      throw new Error(
        `no sending day within ${SEARCH_LIMIT_DAYS} days after ${isoDateOfDay(day)} (days: [${s.days.join(", ")}], holidays: ${s.holidays ?? "none"})`,
      );
    }
  }
  return current;
}
