import parser from "cron-parser";
import { plural } from "@/lib/format";

// When a cron schedule last fired, read in a time zone (pg-boss's own cron runs in UTC), for work
// that runs every minute and acts when its schedule came due since it last acted: a worker that
// was down at the scheduled minute catches up instead of waiting a whole period.

/** Why `expression` is not a schedule this code runs ("5 fields expected", the parser's reason), or null when it is. */
export function cronProblem(expression: string, timeZone = "UTC"): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6) return `${plural(fields.length, "field")} where 5 are expected`;
  try {
    parser.parseExpression(expression, { tz: timeZone });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Whether `timeZone` is an IANA zone this runtime knows (e.g. Europe/Berlin, UTC). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

function expressionAt(expression: string, at: Date, timeZone: string) {
  const problem = cronProblem(expression, timeZone);
  if (problem) throw new Error(`"${expression}" is not a cron expression: ${problem}`);
  return parser.parseExpression(expression, { currentDate: at, tz: timeZone });
}

/** The latest time at or before `at` when `expression` fired in `timeZone`, or null if never. */
export function previousCronFire(expression: string, at: Date, timeZone = "UTC"): Date | null {
  // prev() is strictly before its start, so start just after `at` to include a fire at `at`.
  const schedule = expressionAt(expression, new Date(at.getTime() + 1), timeZone);
  try {
    return schedule.prev().toDate();
  } catch {
    // cron-parser gives up on a date that never comes (the 31st of February).
    return null;
  }
}

/** The next time after `at` when `expression` fires in `timeZone`, or null if never. */
export function nextCronFire(expression: string, at: Date, timeZone = "UTC"): Date | null {
  const schedule = expressionAt(expression, at, timeZone);
  try {
    return schedule.next().toDate();
  } catch {
    return null;
  }
}
