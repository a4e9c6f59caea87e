// The Drills page's period: whole UTC days, both ends included, as `YYYY-MM-DD` (what the drills
// API and the evidence report take). Pure, so the server page and the browser agree on it.

const DAY_MS = 86_400_000;

/** Lengths offered as one-click periods, in days. */
export const DRILL_PERIOD_PRESETS = [30, 90, 365] as const;

export interface DrillPeriod {
  /** First day (UTC), included. */
  from: string;
  /** Last day (UTC), included. */
  to: string;
}

/** The UTC calendar day of an instant: "2026-11-29". */
export function utcDayOf(at: Date | string | number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The day `days` after `day` (negative: before). */
export function addDays(day: string, days: number): string {
  return utcDayOf(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS);
}

/** How many days the period holds, both ends counted. */
export function periodLength(period: DrillPeriod): number {
  return Math.round((Date.parse(`${period.to}T00:00:00Z`) - Date.parse(`${period.from}T00:00:00Z`)) / DAY_MS) + 1;
}

/** The `days` days that end with `today`. */
export function lastDays(days: number, today: string): DrillPeriod {
  return { from: addDays(today, -(days - 1)), to: today };
}

/**
 * The period asked for, with the missing ends filled in: `to` defaults to today, `from` to
 * `defaultDays` days ending at `to`. Both are expected to be valid dates already.
 */
export function resolvePeriod(asked: { from?: string; to?: string }, today: string, defaultDays: number): DrillPeriod {
  const to = asked.to ?? today;
  return { from: asked.from ?? lastDays(defaultDays, to).from, to };
}

/** Which preset (a number of days ending today) the period is, or null. */
export function presetOf(period: DrillPeriod, today: string): number | null {
  return DRILL_PERIOD_PRESETS.find((days) => period.to === today && period.from === lastDays(days, today).from) ?? null;
}

/** The period as a query string for the drills API, the report and the page: "from=…&to=…". */
export function periodQuery(period: DrillPeriod, extra: Record<string, string> = {}): string {
  return new URLSearchParams({ from: period.from, to: period.to, ...extra }).toString();
}

/**
 * The days an overview covers, from its instants (`to` is where the period ends, excluded), so
 * the page draws exactly the period the server read.
 */
export function periodOfOverview(overview: { from: string; to: string }): DrillPeriod {
  return { from: utcDayOf(overview.from), to: utcDayOf(Date.parse(overview.to) - 1) };
}
