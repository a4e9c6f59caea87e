"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { cx } from "@/components/ui/cx";
import { useFormatInstant } from "@/components/ui/display-zone";
import { formatDuration } from "@/lib/format";
import { formatMinutes } from "@/lib/incidents/measure-objectives";
import type { DrillView } from "@/lib/restore/drill/drill-model";
import type { DrillPeriod } from "@/lib/restore/drill/drill-period";
import { durationAxisFor, durationPoints, durationSummary, periodFraction } from "./duration-chart-model";

const tickLabel = (ms: number) => (ms === 0 ? "0" : formatDuration(ms));

/**
 * Each passed drill's time to a validated copy over the period, with the RTO objective as a dashed
 * line, so a restore that slowly grows is seen before it breaks the objective. The plot is an SVG
 * stretched to its box (strokes keep their width); labels and points are HTML on top, so text
 * stays readable at any width. The summary above says the same in words.
 */
export function DurationChart({
  drills,
  rtoMaxMinutes,
  period,
  label,
}: {
  drills: readonly DrillView[];
  rtoMaxMinutes: number;
  period: DrillPeriod;
  label: string;
}) {
  const [fitToDrills, setFitToDrills] = useState(false);
  const formatInstant = useFormatInstant();
  const points = durationPoints(drills);
  const summary = durationSummary(points, rtoMaxMinutes);
  if (points.length === 0) return <p className="text-sm text-muted">{summary}</p>;

  const axis = durationAxisFor(points, rtoMaxMinutes, fitToDrills);
  const objectiveMs = rtoMaxMinutes * 60_000;
  const objectiveInView = objectiveMs <= axis.max;
  // Percentages of the plot box, from its top-left corner.
  const top = (ms: number) => 100 - (ms / axis.max) * 100;
  const left = (at: string) => periodFraction(at, period) * 100;

  return (
    <figure className="space-y-2">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <figcaption className="min-w-0 flex-1 text-xs text-muted">{summary}</figcaption>
        <Button size="sm" variant="ghost" aria-pressed={fitToDrills} onClick={() => setFitToDrills((v) => !v)}>
          Zoom to the drills
        </Button>
      </div>
      <div role="img" aria-label={`${label}. ${summary}`} className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-2 pt-2">
        <div className="relative w-16 text-right text-[11px] text-muted tabular-nums">
          {axis.ticks.map((tick) => (
            <span key={tick} className="absolute right-0 -translate-y-1/2 whitespace-nowrap" style={{ top: `${top(tick)}%` }}>
              {tickLabel(tick)}
            </span>
          ))}
        </div>
        <div className="relative h-40 border-b border-l border-border-strong/60">
          <svg viewBox="0 0 100 100" preserveAspectRatio="none" className="absolute inset-0 size-full overflow-visible">
            {axis.ticks.map((tick) => (
              <line
                key={tick}
                x1={0}
                x2={100}
                y1={top(tick)}
                y2={top(tick)}
                stroke="currentColor"
                className="text-border"
                vectorEffect="non-scaling-stroke"
              />
            ))}
            {objectiveInView && (
              <line
                x1={0}
                x2={100}
                y1={top(objectiveMs)}
                y2={top(objectiveMs)}
                stroke="currentColor"
                strokeWidth={1.5}
                strokeDasharray="6 4"
                className="text-fg"
                vectorEffect="non-scaling-stroke"
              />
            )}
            <polyline
              points={points.map((p) => `${left(p.at)},${top(p.durationMs)}`).join(" ")}
              fill="none"
              stroke="currentColor"
              strokeWidth={1.5}
              strokeLinejoin="round"
              className="text-accent"
              vectorEffect="non-scaling-stroke"
            />
          </svg>
          {objectiveInView ? (
            <span
              className="absolute right-1 -translate-y-full pb-0.5 text-[11px] font-medium whitespace-nowrap"
              style={{ top: `${top(objectiveMs)}%` }}
            >
              Objective {formatMinutes(rtoMaxMinutes)}
            </span>
          ) : (
            <span className="absolute top-1 right-1 text-[11px] font-medium">
              Objective {formatMinutes(rtoMaxMinutes)} is above this scale
            </span>
          )}
          {points.map((point) => (
            <span
              key={point.id}
              title={`${formatInstant(point.at)}: ${formatDuration(point.durationMs)}${point.withinRto ? "" : ", over the objective"}`}
              className={cx(
                "absolute -translate-x-1/2 -translate-y-1/2",
                point.withinRto ? "size-2 rounded-full bg-accent" : "size-2.5 bg-danger",
              )}
              style={{ left: `${left(point.at)}%`, top: `${top(point.durationMs)}%` }}
            />
          ))}
        </div>
        <div className="col-start-2 flex justify-between pt-1 text-[11px] text-muted tabular-nums">
          <span>{period.from}</span>
          <span>{period.to}</span>
        </div>
      </div>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted" aria-label="Legend">
        <li className="flex items-center gap-1.5">
          <span aria-hidden className="size-2 rounded-full bg-accent" /> passed drill within the objective
        </li>
        <li className="flex items-center gap-1.5">
          <span aria-hidden className="size-2.5 bg-danger" /> over the objective
        </li>
        <li className="flex items-center gap-1.5">
          <span aria-hidden className="w-4 border-t-[1.5px] border-dashed border-fg" /> RTO objective
        </li>
      </ul>
    </figure>
  );
}
