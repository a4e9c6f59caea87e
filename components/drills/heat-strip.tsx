"use client";

import { useId, useRef, useState, type KeyboardEvent } from "react";
import { cx } from "@/components/ui/cx";
import { drillDaysSummary, type DayState, type DrillDay } from "./heat-strip-model";

// Each state has its own shape as well as its own colour: solid, striped, ringed, dashed, plain.
const CELL_STYLES: Record<DayState, string> = {
  passed: "bg-success",
  failed: "bg-[repeating-linear-gradient(135deg,var(--color-danger)_0_2px,var(--color-danger-soft)_2px_4px)] ring-1 ring-danger ring-inset",
  running: "bg-surface ring-2 ring-accent ring-inset",
  cancelled: "border border-dashed border-muted bg-surface",
  none: "bg-subtle ring-1 ring-border ring-inset",
};

const LEGEND: ReadonlyArray<{ state: DayState; text: string }> = [
  { state: "passed", text: "passed" },
  { state: "failed", text: "a drill failed" },
  { state: "running", text: "running" },
  { state: "cancelled", text: "cancelled only" },
  { state: "none", text: "no drill" },
];

/**
 * One cell per day of the period, coloured and patterned by that day's drills. A single tab stop:
 * the arrow keys (and Home/End) move between days, and the focused or hovered day is read out
 * below the strip, since a tooltip never shows on keyboard focus.
 */
export function HeatStrip({ days, label }: { days: readonly DrillDay[]; label: string }) {
  const [active, setActive] = useState(days.length - 1);
  const [shown, setShown] = useState<DrillDay | null>(null);
  const cells = useRef<Array<HTMLSpanElement | null>>([]);
  const summaryId = useId();
  // The period can change under the strip; the latest day is where focus starts.
  const focusable = Math.min(Math.max(active, 0), days.length - 1);

  const onKeyDown = (event: KeyboardEvent<HTMLOListElement>) => {
    const moves: Record<string, number> = { ArrowLeft: focusable - 1, ArrowRight: focusable + 1, Home: 0, End: days.length - 1 };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const index = Math.min(Math.max(next, 0), days.length - 1);
    setActive(index);
    cells.current[index]?.focus();
  };

  return (
    <div className="space-y-2">
      <p id={summaryId} className="text-xs text-muted">
        {drillDaysSummary(days)}
      </p>
      <ol aria-label={label} aria-describedby={summaryId} onKeyDown={onKeyDown} className="flex flex-wrap gap-1">
        {days.map((day, index) => (
          <li key={day.day} className="flex">
            <span
              ref={(element) => {
                cells.current[index] = element;
              }}
              role="img"
              aria-label={day.label}
              title={day.label}
              tabIndex={index === focusable ? 0 : -1}
              onFocus={() => {
                setActive(index);
                setShown(day);
              }}
              onMouseEnter={() => setShown(day)}
              className={cx("block size-4 rounded-[3px]", CELL_STYLES[day.state])}
            />
          </li>
        ))}
      </ol>
      {/* For sighted keyboard and mouse users; screen readers hear the cell's own label. */}
      <p aria-hidden className="min-h-4 text-xs tabular-nums">
        {shown ? shown.label : `${days[0]?.day ?? ""} to ${days.at(-1)?.day ?? ""} (UTC); point at or focus a day for its drills.`}
      </p>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted" aria-label="Legend">
        {LEGEND.map(({ state, text }) => (
          <li key={state} className="flex items-center gap-1.5">
            <span aria-hidden className={cx("size-3 rounded-[3px]", CELL_STYLES[state])} />
            {text}
          </li>
        ))}
      </ul>
    </div>
  );
}
