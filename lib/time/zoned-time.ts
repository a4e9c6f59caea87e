// Wall-clock times in a named time zone <-> instants, with the DST traps made explicit: a local
// time that never happened (clocks jumped forward) or happened twice (clocks went back) is
// refused with an explanation, never silently shifted. Offsets come from Intl.DateTimeFormat,
// so the browser's time zone database is the only source of truth.

/** A wall-clock reading, as typed: month 1–12. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

export type ZonedResult =
  { ok: true; instant: Date } | { ok: false; reason: "invalid" | "nonexistent" | "ambiguous"; message: string; candidates: Date[] };

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * The runtime's own name for a zone ("europe/berlin" → "Europe/Berlin"; some under older names,
 * "Asia/Kolkata" → "Asia/Calcutta"), or null when it knows none. Not cached: names from outside
 * (a request) must not grow the formatter cache.
 */
export function canonicalTimeZone(timeZone: string): string | null {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Whether the runtime knows this IANA zone name. */
export function isKnownTimeZone(timeZone: string): boolean {
  return canonicalTimeZone(timeZone) !== null;
}

/** What a clock in `timeZone` shows at `instant`. */
export function localPartsOf(instant: Date, timeZone: string): LocalDateTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const ms = ((instant.getTime() % 1000) + 1000) % 1000;
  return {
    year: parts.year ?? NaN,
    month: parts.month ?? NaN,
    day: parts.day ?? NaN,
    hour: parts.hour ?? NaN,
    minute: parts.minute ?? NaN,
    second: parts.second ?? NaN,
    millisecond: ms,
  };
}

function asUtcMs(local: LocalDateTime): number {
  const date = new Date(0);
  date.setUTCFullYear(local.year, local.month - 1, local.day);
  date.setUTCHours(local.hour, local.minute, local.second, local.millisecond);
  return date.getTime();
}

/** The zone's offset from UTC at `instant`, in minutes (east positive: Tokyo +540, New York −300/−240). */
export function offsetMinutesAt(instant: Date, timeZone: string): number {
  return Math.round((asUtcMs(localPartsOf(instant, timeZone)) - instant.getTime()) / MINUTE_MS);
}

/** "UTC+09:00", "UTC−04:00", "UTC". */
export function formatOffset(minutes: number): string {
  if (minutes === 0) return "UTC";
  const sign = minutes > 0 ? "+" : "−";
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** "UTC", "UTC+1", "UTC+5:30", "UTC−5": the zone's offset short enough to follow every instant shown. */
export function formatShortOffset(minutes: number): string {
  if (minutes === 0) return "UTC";
  const sign = minutes > 0 ? "+" : "−";
  const abs = Math.abs(minutes);
  return `UTC${sign}${Math.floor(abs / 60)}${abs % 60 ? `:${String(abs % 60).padStart(2, "0")}` : ""}`;
}

export interface InstantFormat {
  /** Whole minutes (the default) or seconds. */
  precision?: "minute" | "second";
  /** The time of day alone, for a deadline within the day: "16:35 UTC+1". */
  timeOnly?: boolean;
}

/** An instant as a clock in `timeZone` shows it, with the zone always named: "2026-11-30 05:46 UTC+1". */
export function formatInstant(instant: Date, timeZone: string, { precision = "minute", timeOnly = false }: InstantFormat = {}): string {
  const local = localPartsOf(instant, timeZone);
  const time = `${pad(local.hour)}:${pad(local.minute)}${precision === "second" ? `:${pad(local.second)}` : ""}`;
  const date = `${pad(local.year, 4)}-${pad(local.month)}-${pad(local.day)}`;
  return `${timeOnly ? "" : `${date} `}${time} ${formatShortOffset(offsetMinutesAt(instant, timeZone))}`;
}

/** Every zone the runtime knows, UTC first (Intl lists it under none of the regions). */
export function knownTimeZones(): string[] {
  return ["UTC", ...Intl.supportedValuesOf("timeZone").filter((zone) => zone !== "UTC")];
}

/** "2026-11-01 01:30:00" (with ".250" when there are milliseconds). */
export function formatLocal(local: LocalDateTime): string {
  const ms = local.millisecond ? `.${pad(local.millisecond, 3)}` : "";
  return `${pad(local.year, 4)}-${pad(local.month)}-${pad(local.day)} ${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)}${ms}`;
}

/** An instant as a clock in `timeZone` shows it, with the offset: "2026-11-01 01:30:00 (UTC−04:00)". */
export function formatInZone(instant: Date, timeZone: string): string {
  return `${formatLocal(localPartsOf(instant, timeZone))} (${formatOffset(offsetMinutesAt(instant, timeZone))})`;
}

/** What the time field shows for `instant` in `timeZone`: seconds always, milliseconds when set; parseLocalInput reads it back. */
export function toInputValue(instant: Date, timeZone: string): string {
  return formatLocal(localPartsOf(instant, timeZone));
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/** `2026-11-01 01:30` (or with a T), `…:15` or `…:15.250`; null when malformed or not a real date. */
export function parseLocalInput(text: string): LocalDateTime | null {
  const m = LOCAL_INPUT.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const local: LocalDateTime = {
    year,
    month,
    day,
    hour,
    minute,
    second: m[6] ? Number(m[6]) : 0,
    millisecond: m[7] ? Number(m[7].padEnd(3, "0")) : 0,
  };
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || local.second > 59) return null;
  const check = new Date(asUtcMs(local));
  // 2026-02-30 rolls over to March: not a date anyone meant.
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null;
  return local;
}

function sameWallClock(a: LocalDateTime, b: LocalDateTime): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute && a.second === b.second;
}

/**
 * The instant a wall-clock reading in `timeZone` stands for. Every offset the zone uses within a
 * day either side is tried; the readings that map back to the same wall clock are the answers:
 * none means the time was skipped, two mean it happened twice. Both are refused.
 */
export function zonedToInstant(local: LocalDateTime, timeZone: string): ZonedResult {
  if (!isKnownTimeZone(timeZone)) {
    return { ok: false, reason: "invalid", message: `${timeZone} is not a time zone this browser knows.`, candidates: [] };
  }
  const naive = asUtcMs(local);
  const offsets = new Set([-DAY_MS, 0, DAY_MS].map((shift) => offsetMinutesAt(new Date(naive + shift), timeZone)));
  const candidates = [...offsets]
    .map((offset) => new Date(naive - offset * MINUTE_MS))
    .filter((candidate) => sameWallClock(localPartsOf(candidate, timeZone), local))
    .sort((a, b) => a.getTime() - b.getTime());
  const reading = `${formatLocal(local)} in ${timeZone}`;
  const [first, second] = candidates;
  if (first && !second) return { ok: true, instant: first };
  if (first && second) {
    const describe = (instant: Date) => `${formatOffset(offsetMinutesAt(instant, timeZone))} (${utcText(instant)})`;
    return {
      ok: false,
      reason: "ambiguous",
      message:
        `${reading} happened twice: the clocks went back, so it was first ${describe(first)} and again ${describe(second)}. ` +
        "Choose the one you mean below, or enter the time in UTC.",
      candidates,
    };
  }
  const before = offsetMinutesAt(new Date(naive - DAY_MS), timeZone);
  const after = offsetMinutesAt(new Date(naive + DAY_MS), timeZone);
  return {
    ok: false,
    reason: "nonexistent",
    message:
      `${reading} never happened: the clocks jumped forward (${formatOffset(before)} to ${formatOffset(after)}) and skipped it. ` +
      "Choose a time outside the skipped hour, or enter the time in UTC.",
    candidates: [],
  };
}

/** "2026-11-01 05:30:00 UTC". */
export function utcText(instant: Date): string {
  return `${formatLocal(localPartsOf(instant, "UTC"))} UTC`;
}

/** Parses what the person typed, read in `timeZone` ("UTC" for the UTC toggle). */
export function parseZonedInput(text: string, timeZone: string): ZonedResult {
  const local = parseLocalInput(text);
  if (!local) {
    return { ok: false, reason: "invalid", message: "Enter a date and time like 2026-11-25 14:30 (seconds optional).", candidates: [] };
  }
  return zonedToInstant(local, timeZone);
}
