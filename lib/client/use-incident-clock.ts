"use client";

import { useSyncExternalStore } from "react";
import { createSharedClock } from "./shared-clock";

// One shared one-second clock for the phase countdowns, ticking only while one is mounted.
const clock = createSharedClock(1000);
const getServerNow = () => null;

/** Milliseconds since the epoch, every second; null while server-rendering (the server cannot tick). */
export function useIncidentClock(): number | null {
  return useSyncExternalStore(clock.subscribe, clock.getNow, getServerNow);
}
