// The last time a cron expression fired, in UTC (as pg-boss's cron runs), for jobs that run every
// minute and act when their own schedule came due since they last acted: a worker that was down
// at the scheduled minute catches up instead of waiting a whole period.

const MINUTE_MS = 60_000;
/** Far enough back for any schedule that fires at least once a year. */
const LOOKBACK_MS = 366 * 24 * 60 * MINUTE_MS;

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldSpec {
  min: number;
  max: number;
  names?: readonly string[];
  /** The first name's number (JAN is 1, SUN is 0). */
  namesFrom?: number;
}

const FIELDS: Record<"minute" | "hour" | "day" | "month" | "weekday", FieldSpec> = {
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  day: { min: 1, max: 31 },
  month: { min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  // 7 is Sunday too.
  weekday: { min: 0, max: 7, names: DAYS, namesFrom: 0 },
};

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Whether day-of-month / day-of-week were restricted: when both are, either may match (as in cron). */
  dayRestricted: boolean;
  weekdayRestricted: boolean;
}

function value(text: string, spec: FieldSpec, expression: string): number {
  const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const n = index >= 0 ? index + (spec.namesFrom ?? 0) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < spec.min || n > spec.max)
    throw new Error(`"${text}" is out of range in the cron expression "${expression}"`);
  return n;
}

function parseField(field: string, spec: FieldSpec, expression: string): { values: Set<number>; restricted: boolean } {
  const values = new Set<number>();
  const restricted = field !== "*" && field !== "?";
  for (const part of field.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`"${part}" has a bad step in the cron expression "${expression}"`);
    let from: number;
    let to: number;
    if (range === "*" || range === "?") [from, to] = [spec.min, spec.max];
    else if (range.includes("-")) {
      const [a = "", b = ""] = range.split("-");
      [from, to] = [value(a, spec, expression), value(b, spec, expression)];
    } else {
      from = value(range, spec, expression);
      to = stepText === undefined ? from : spec.max;
    }
    if (from > to) throw new Error(`"${part}" is an empty range in the cron expression "${expression}"`);
    for (let n = from; n <= to; n += step) values.add(n);
  }
  return { values, restricted };
}

/** Five fields (minute hour day month weekday), or six with seconds first (the seconds are ignored). */
export function parseCron(expression: string): CronSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length === 6) fields.shift();
  if (fields.length !== 5) throw new Error(`"${expression}" is not a cron expression (five fields: minute hour day month weekday)`);
  const [minute, hour, day, month, weekday] = fields as [string, string, string, string, string];
  const days = parseField(day, FIELDS.day, expression);
  const weekdays = parseField(weekday, FIELDS.weekday, expression);
  if (weekdays.values.has(7)) weekdays.values.add(0);
  return {
    minutes: parseField(minute, FIELDS.minute, expression).values,
    hours: parseField(hour, FIELDS.hour, expression).values,
    days: days.values,
    months: parseField(month, FIELDS.month, expression).values,
    weekdays: weekdays.values,
    dayRestricted: days.restricted,
    weekdayRestricted: weekdays.restricted,
  };
}

function dayMatches(schedule: CronSchedule, at: Date): boolean {
  const byDay = schedule.days.has(at.getUTCDate());
  const byWeekday = schedule.weekdays.has(at.getUTCDay());
  if (schedule.dayRestricted && schedule.weekdayRestricted) return byDay || byWeekday;
  return byDay && byWeekday;
}

/** The latest minute at or before `at` when `expression` fired (UTC), or null if not within a year. */
export function previousCronFire(expression: string, at: Date): Date | null {
  const schedule = parseCron(expression);
  const limit = at.getTime() - LOOKBACK_MS;
  let t = Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS;
  while (t >= limit) {
    const date = new Date(t);
    if (!schedule.months.has(date.getUTCMonth() + 1) || !dayMatches(schedule, date)) {
      // The last minute of the day before.
      t = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) - MINUTE_MS;
    } else if (!schedule.hours.has(date.getUTCHours())) {
      t = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours()) - MINUTE_MS;
    } else if (!schedule.minutes.has(date.getUTCMinutes())) {
      t -= MINUTE_MS;
    } else {
      return date;
    }
  }
  return null;
}
