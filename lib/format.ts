// Durations, sizes and instants as people read them, one spelling for server and browser alike
// (plans, error messages, pages). Pure: no Node or browser APIs, no I/O, no imports.
// Durations are milliseconds, except formatAge's hours.

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB"];

/** 12,345: counts of rows, grouped the same way on every machine. */
export function formatCount(count: number): string {
  return count.toLocaleString("en");
}

/**
 * A count with its noun: "1 check", "0 checks", "12,345 rows". `many` is for nouns that do not
 * just take an "s" ("entry", "entries").
 */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/** 1536 → "1.5 KB", 92 MB → "92.0 MB", 321 MB → "321 MB": powers of 1024, as storage tools show sizes. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "3 d" or "3 d 4 h": a larger unit, and the next one down unless it is zero. */
function twoUnits(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`;
}

/**
 * How long something took or may take: "300 ms", "4.2 s", "42 s", "1 min 23 s", "2 min",
 * "2 h 5 min", "6 h", "1 d 2 h". Tenths of a second below ten seconds; at most two units, the
 * smaller one left out when it is zero and truncated, never rounded up.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  if (ms < 0) return `−${formatDuration(-ms)}`;
  const whole = Math.round(ms);
  if (whole < SECOND) return `${whole} ms`;
  const tenths = Math.round(whole / 100);
  if (tenths < 100) return `${tenths / 10} s`;
  const seconds = Math.round(whole / SECOND);
  if (seconds < 60) return `${seconds} s`;
  const total = seconds * SECOND;
  if (total < HOUR) return twoUnits(Math.floor(total / MINUTE), "min", seconds % 60, "s");
  if (total < DAY) return twoUnits(Math.floor(total / HOUR), "h", Math.floor((total % HOUR) / MINUTE), "min");
  return twoUnits(Math.floor(total / DAY), "d", Math.floor((total % DAY) / HOUR), "h");
}

/** How old something is, as a table cell, from its age in hours: "40 min", "5 h", "3 d 4 h" (hours up to two days). */
export function formatAge(hours: number): string {
  if (hours < 1) return `${Math.max(0, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Math.round(hours)} h`;
  const days = Math.floor(hours / 24);
  return twoUnits(days, "d", Math.round(hours - days * 24), "h");
}

/** An instant relative to `now` (ms since the epoch), in one unit: "just now", "3 min ago", "in 2 h", "5 d ago". */
export function formatRelative(at: Date | string, now: number): string {
  const ms = now - new Date(at).getTime();
  const s = Math.abs(ms) / SECOND;
  if (s < 45) return "just now";
  const [n, unit] = s < 3600 ? [Math.round(s / 60), "min"] : s < 86_400 ? [Math.round(s / 3600), "h"] : [Math.round(s / 86_400), "d"];
  return ms >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

export type UtcPrecision = "minute" | "second" | "exact";

/**
 * An instant in UTC, the same on server and client (so it is what hydration sees):
 * "2026-11-25 13:03 UTC" (minute), "2026-11-25 13:03:00 UTC" (second, the default), or with
 * milliseconds when the instant has some, "2026-11-25 14:30:00.250 UTC" (exact).
 */
export function formatUtc(at: Date | string, precision: UtcPrecision = "second"): string {
  const iso = new Date(at).toISOString();
  const date = iso.slice(0, 10);
  const time =
    precision === "minute" ? iso.slice(11, 16) : precision === "second" || iso.endsWith(".000Z") ? iso.slice(11, 19) : iso.slice(11, 23);
  return `${date} ${time} UTC`;
}
