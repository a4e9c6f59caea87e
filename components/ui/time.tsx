"use client";

import { useSyncExternalStore } from "react";
import { createSharedClock } from "@/lib/client/shared-clock";
import { formatRelative } from "@/lib/format";
import { formatInstant, formatInZone, utcText, type InstantFormat } from "@/lib/time/zoned-time";
import { cx } from "./cx";
import { useDisplayZone } from "./display-zone";

// One shared clock for every relative time on the page, ticking only while one is mounted.
const relativeClock = createSharedClock(15_000);
const subscribeNever = () => () => {};
const getNull = () => null;

export interface TimeProps extends InstantFormat {
  /** An ISO 8601 instant (or a Date). */
  value: string | Date;
  /** Also say how long ago (or how far ahead), kept current: "2026-11-30 05:46 UTC+1 · 3 h ago". */
  relative?: boolean;
  className?: string;
}

/**
 * An instant in the person's display zone, the zone always named, with the instant in UTC and
 * in the browser's zone in the tooltip. One component for every instant, so they all read alike.
 */
export function Time({ value, relative = false, precision, timeOnly, className }: TimeProps) {
  const { zone, browserZone } = useDisplayZone();
  const clock = useSyncExternalStore(
    relative ? relativeClock.subscribe : subscribeNever,
    relative ? relativeClock.getNow : getNull,
    getNull,
  );
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return <span className={className}>{String(value)}</span>;

  const title = [
    `${formatInZone(date, zone)} ${zone}`,
    zone === "UTC" ? null : utcText(date),
    browserZone && browserZone !== zone ? `${formatInZone(date, browserZone)} ${browserZone} (this browser)` : null,
  ]
    .filter(Boolean)
    .join("\n");
  return (
    <span className={cx("tabular-nums", className)}>
      <time dateTime={date.toISOString()} title={title}>
        {formatInstant(date, zone, { precision, timeOnly })}
      </time>
      {clock !== null && <span className="text-muted"> · {formatRelative(date, clock)}</span>}
    </span>
  );
}
