import { localPartsOf, offsetMinutesAt } from "./zoned-time";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Round steps a person reads an axis by. */
const STEPS = [MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY];

export interface AxisTick {
  at: number;
  /** "14:30" within a day's span, "Nov 29" or "Nov 29 12:00" across days, as a clock in the zone shows it. */
  label: string;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/**
 * Ticks for a time axis from `start` to `end` (ms): the smallest round step giving at most
 * `maxTicks`, on the zone's round wall-clock times (a 6 h step falls on 00:00, 06:00… there).
 */
export function axisTicks(start: number, end: number, timeZone: string, maxTicks = 6): AxisTick[] {
  if (!(end > start)) return [];
  const step = STEPS.find((s) => (end - start) / s <= maxTicks) ?? STEPS[STEPS.length - 1] ?? DAY;
  // Round in the zone's wall-clock time: shift by the offset, round, shift back.
  const offset = offsetMinutesAt(new Date(start), timeZone) * MINUTE;
  const first = Math.ceil((start + offset) / step) * step - offset;
  const ticks: AxisTick[] = [];
  for (let at = first; at <= end; at += step) {
    const local = localPartsOf(new Date(at), timeZone);
    const time = `${pad(local.hour)}:${pad(local.minute)}`;
    const date = `${MONTHS[local.month - 1]} ${local.day}`;
    ticks.push({ at, label: step >= DAY ? date : end - start > DAY && time === "00:00" ? date : time });
  }
  return ticks;
}
