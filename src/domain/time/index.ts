// The time domain's public API: waits, daily windows, sending windows, business days and holidays,
// all pure functions of UTC epoch milliseconds and IANA zones.

export { addDelay } from "./addDelay.ts";
export { addSendingDays, isSendingDate, isSendingDay } from "./businessDays.ts";
export {
  type DayWindowResult,
  formatDayWindow,
  formatTimeOfDay,
  parseDayWindow,
  parseTimeOfDay,
} from "./dayWindow.ts";
export { type DelayResult, formatDelay, MAX_DELAY_DAYS, parseDelay } from "./delay.ts";
export { holidayName, isHoliday, isKnownHolidayCalendar } from "./holidays.ts";
export {
  formatLocal,
  isValidTimeZone,
  localIso,
  localIsoDate,
  localMinuteOfDay,
  WEEKDAYS,
  weekdayOf,
} from "./localTime.ts";
export { resolveSchedule } from "./resolveSchedule.ts";
export { isSendingTime, nextSendingTime, nextTimeInDailyWindow } from "./sendingWindow.ts";
