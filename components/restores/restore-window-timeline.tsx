"use client";

import { useRef, type KeyboardEvent, type MouseEvent } from "react";
import { cx } from "@/components/ui/cx";
import { useDisplayZone } from "@/components/ui/display-zone";
import { axisTicks } from "@/lib/time/axis-ticks";
import { formatShortOffset, offsetMinutesAt } from "@/lib/time/zoned-time";
import type { PitrWindowView } from "@/lib/restore/pitr/plan";

export interface TimelineMarker {
  at: string;
  label: string;
  tone: "danger" | "warning";
}

const MARKER_TONES = { danger: "bg-danger", warning: "bg-warning" } as const;

function bounds(window: PitrWindowView): { earliest: number; latest: number } | null {
  if (!window.earliest || !window.latest) return null;
  return { earliest: Date.parse(window.earliest), latest: Date.parse(window.latest) };
}

/**
 * The restorable window as a bar on a time axis that also holds now (the lag behind it is the
 * striped part) and the incident's markers. Clicking picks a time: on the green part always one
 * inside the window (so a window narrower than a pixel can still be picked), elsewhere the time
 * under the pointer, which the page then refuses. Arrow keys move the choice, Home/End jump to
 * the window's ends.
 */
export function RestoreWindowTimeline({
  window,
  now,
  markers,
  selected,
  describe,
  onPick,
}: {
  window: PitrWindowView;
  now: number;
  markers: TimelineMarker[];
  selected: number | null;
  /** How an instant reads (both zones), for the slider's value text. */
  describe: (at: number) => string;
  onPick: (at: number) => void;
}) {
  const bar = useRef<HTMLDivElement>(null);
  const { zone } = useDisplayZone();
  const range = bounds(window);
  const points = [
    now,
    ...markers.map((m) => Date.parse(m.at)),
    ...(range ? [range.earliest, range.latest] : []),
    ...(selected === null ? [] : [selected]),
  ];
  let start = Math.min(...points);
  let end = Math.max(...points);
  if (end - start < 1_000) end = start + 1_000;
  const margin = (end - start) * 0.03;
  start -= margin;
  end += margin;
  const at = (t: number) => ((t - start) / (end - start)) * 100;
  const ticks = axisTicks(start, end, zone);

  const pickAt = (event: MouseEvent<HTMLElement>) => {
    const rect = bar.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return;
    onPick(Math.round(start + ((event.clientX - rect.left) / rect.width) * (end - start)));
  };
  const pickInside = (event: MouseEvent<HTMLElement>) => {
    event.stopPropagation();
    if (!range) return;
    const rect = event.currentTarget.getBoundingClientRect();
    const fraction = rect.width === 0 ? 0.5 : Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
    onPick(Math.round(range.earliest + fraction * (range.latest - range.earliest)));
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!range) return;
    const step = Math.max(1_000, (range.latest - range.earliest) / 100);
    const current = selected ?? range.latest;
    const next =
      event.key === "ArrowLeft" || event.key === "ArrowDown"
        ? current - step
        : event.key === "ArrowRight" || event.key === "ArrowUp"
          ? current + step
          : event.key === "Home"
            ? range.earliest
            : event.key === "End"
              ? range.latest
              : null;
    if (next === null) return;
    event.preventDefault();
    onPick(Math.round(Math.min(range.latest, Math.max(range.earliest, next))));
  };

  return (
    <div className="space-y-2">
      <div
        ref={bar}
        role="slider"
        tabIndex={range ? 0 : -1}
        aria-label="Restore point on the timeline"
        aria-valuemin={range?.earliest}
        aria-valuemax={range?.latest}
        aria-valuenow={selected ?? range?.latest}
        aria-valuetext={
          selected !== null ? describe(selected) : range ? `latest restorable, ${describe(range.latest)}` : "nothing restorable yet"
        }
        onClick={pickAt}
        onKeyDown={onKeyDown}
        data-testid="restore-window-timeline"
        className="relative h-14 cursor-crosshair overflow-hidden rounded-md border border-border bg-subtle"
      >
        {range && (
          <>
            <div
              title="Not archived yet: cannot be restored to"
              className="absolute inset-y-3 bg-[repeating-linear-gradient(135deg,var(--color-warning)_0_2px,transparent_2px_6px)] opacity-50"
              style={{ left: `${at(range.latest)}%`, width: `${Math.max(0, at(now) - at(range.latest))}%` }}
            />
            <div
              data-testid="restorable-range"
              title="Restorable: click to choose a time"
              onClick={pickInside}
              className="absolute inset-y-3 min-w-2 rounded-sm bg-success/80 hover:bg-success"
              style={{ left: `${at(range.earliest)}%`, width: `${Math.max(0, at(range.latest) - at(range.earliest))}%` }}
            />
          </>
        )}
        <div className="absolute inset-y-1 w-px bg-fg/60" style={{ left: `${at(now)}%` }} title="Now" />
        {markers.map((marker) => (
          <div
            key={marker.label}
            title={`${marker.label}: ${describe(Date.parse(marker.at))}`}
            className={cx("absolute inset-y-0 w-0.5", MARKER_TONES[marker.tone])}
            style={{ left: `${at(Date.parse(marker.at))}%` }}
          />
        ))}
        {selected !== null && (
          <div
            className="pointer-events-none absolute inset-y-0 w-0.5 bg-accent"
            style={{ left: `${at(selected)}%` }}
            data-testid="timeline-selection"
          >
            <span className="absolute top-0 left-1/2 size-2.5 -translate-x-1/2 rounded-full bg-accent" />
            <span className="absolute bottom-0 left-1/2 size-2.5 -translate-x-1/2 rounded-full bg-accent" />
          </div>
        )}
      </div>
      {/* The slider's value text reads each time in full; the axis is for the eye. */}
      <div aria-hidden className="relative h-4 text-[11px] text-muted tabular-nums" data-testid="timeline-axis">
        {ticks.map((tick) => (
          <span
            key={tick.at}
            // Labels at the ends stay inside the bar's width instead of widening the page.
            className={cx(
              "absolute whitespace-nowrap",
              at(tick.at) < 8 ? "translate-x-0" : at(tick.at) > 92 ? "-translate-x-full" : "-translate-x-1/2",
            )}
            style={{ left: `${at(tick.at)}%` }}
          >
            {tick.label}
          </span>
        ))}
      </div>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted" aria-label="Timeline legend">
        <li className="flex items-center gap-1.5">
          <span aria-hidden className="h-2 w-4 rounded-sm bg-success/80" /> restorable
        </li>
        <li className="flex items-center gap-1.5">
          <span
            aria-hidden
            className="h-2 w-4 rounded-sm bg-[repeating-linear-gradient(135deg,var(--color-warning)_0_2px,transparent_2px_6px)]"
          />{" "}
          not archived yet
        </li>
        <li className="flex items-center gap-1.5">
          <span aria-hidden className="h-3 w-px bg-fg/60" /> now
        </li>
        {markers.map((marker) => (
          <li key={marker.label} className="flex items-center gap-1.5">
            <span aria-hidden className={cx("h-3 w-0.5", MARKER_TONES[marker.tone])} /> {marker.label}
          </li>
        ))}
        <li className="flex items-center gap-1.5">
          <span aria-hidden className="h-3 w-0.5 bg-accent" /> your choice
        </li>
        <li>axis in {formatShortOffset(offsetMinutesAt(new Date(now), zone))}</li>
      </ul>
    </div>
  );
}
