"use client";

import { useSyncExternalStore } from "react";
import { createSharedClock } from "@/lib/client/shared-clock";
import { useHydrated } from "@/lib/client/use-hydrated";
import { formatRelative, formatUtc } from "@/lib/format";
import { cx } from "./cx";

// One shared clock for every relative time on the page, ticking only while one is mounted.
const relativeClock = createSharedClock(15_000);
const subscribeNever = () => () => {};
const getNull = () => null;

const LOCAL = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const LOCAL_FULL = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });

export interface TimeProps {
  /** An ISO 8601 instant (or a Date). */
  value: string | Date;
  /** Show "3 h ago" (kept current) instead of the local date and time. */
  relative?: boolean;
  className?: string;
}

/**
 * An instant in the viewer's time zone, with local and UTC in the tooltip. The server renders
 * UTC (it cannot know the viewer's zone); the browser swaps in local time after hydration.
 */
export function Time({ value, relative = false, className }: TimeProps) {
  const hydrated = useHydrated();
  const clock = useSyncExternalStore(
    relative ? relativeClock.subscribe : subscribeNever,
    relative ? relativeClock.getNow : getNull,
    getNull,
  );
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return <span className={className}>{String(value)}</span>;

  // UTC is the same on server and client, so it is what hydration sees.
  const text = !hydrated ? formatUtc(date, "minute") : clock !== null ? formatRelative(date, clock) : LOCAL.format(date);
  const title = hydrated ? `${LOCAL_FULL.format(date)}\n${formatUtc(date)}` : formatUtc(date);
  return (
    <time dateTime={date.toISOString()} title={title} className={cx("tabular-nums", className)}>
      {text}
    </time>
  );
}
