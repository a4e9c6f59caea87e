import { formatDuration } from "@/lib/format";
import { formatMinutes } from "@/lib/incidents/measure-objectives";
import type { DrillView } from "@/lib/restore/drill/drill-model";
import { addDays, utcDayOf, type DrillPeriod } from "@/lib/restore/drill/drill-period";

// The duration chart's data and scales: each passed drill's time to a validated copy against the
// RTO objective, over the period.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export interface DurationPoint {
  id: string;
  at: string;
  durationMs: number;
  withinRto: boolean;
}

/** Passed drills with a measured time to a validated copy, oldest first (the order a line is drawn in). */
export function durationPoints(drills: readonly DrillView[]): DurationPoint[] {
  return drills
    .filter((d): d is DrillView & { durationMs: number } => d.outcome === "passed" && d.durationMs !== null)
    .map((d) => ({ id: d.id, at: d.createdAt, durationMs: d.durationMs, withinRto: d.withinRto !== false }))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

// Gridline spacings that read as round durations ("30 s", "15 min", "2 h").
const NICE_STEPS = [
  100,
  200,
  500,
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
];
const MAX_GRIDLINES = 5;

export interface DurationAxis {
  /** The top of the chart, in ms. */
  max: number;
  /** Gridlines from 0 up to `max`, in ms. */
  ticks: number[];
}

/** A y-axis from 0 with round gridlines and a little headroom above `highestMs`. */
export function durationAxis(highestMs: number): DurationAxis {
  const wanted = Math.max(highestMs * 1.1, 1);
  const step = NICE_STEPS.find((s) => Math.ceil(wanted / s) <= MAX_GRIDLINES) ?? Math.ceil(wanted / MAX_GRIDLINES / HOUR) * HOUR;
  const count = Math.ceil(wanted / step);
  return { max: count * step, ticks: Array.from({ length: count + 1 }, (_, i) => i * step) };
}

/**
 * The axis for the points: it reaches the objective, so the headroom is seen; `fitToDrills` leaves
 * the objective out of it, so slow growth far below the objective shows too.
 */
export function durationAxisFor(points: readonly DurationPoint[], rtoMaxMinutes: number, fitToDrills: boolean): DurationAxis {
  const slowest = Math.max(0, ...points.map((p) => p.durationMs));
  return durationAxis(fitToDrills && slowest > 0 ? slowest : Math.max(slowest, rtoMaxMinutes * MINUTE));
}

/** Where an instant falls across the period (0 at the first day's start, 1 at the last day's end). */
export function periodFraction(at: string, period: DrillPeriod): number {
  const start = Date.parse(`${period.from}T00:00:00Z`);
  const end = Date.parse(`${addDays(period.to, 1)}T00:00:00Z`);
  return Math.min(1, Math.max(0, (Date.parse(at) - start) / (end - start)));
}

/** The chart in words, for screen readers and as its visible caption. */
export function durationSummary(points: readonly DurationPoint[], rtoMaxMinutes: number): string {
  const objective = `objective ${formatMinutes(rtoMaxMinutes)}`;
  const latest = points.at(-1);
  const first = points[0];
  if (!latest || !first) return `No passed drill in this period; ${objective}.`;
  const slowest = points.reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
  const when = (p: DurationPoint) => `${formatDuration(p.durationMs)} on ${utcDayOf(p.at)}`;
  const within = points.filter((p) => p.withinRto).length;
  return [
    `Latest ${when(latest)}${points.length > 1 ? ` (first of the period ${when(first)})` : ""}`,
    `slowest ${when(slowest)}`,
    objective,
    `${within} of ${points.length} passed drill${points.length === 1 ? "" : "s"} within it.`,
  ].join("; ");
}
