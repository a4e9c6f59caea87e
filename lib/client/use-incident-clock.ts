"use client";

import { useSyncExternalStore } from "react";

// One shared one-second clock for the phase countdowns, ticking only while one is mounted.
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

const getNow = () => now;
const getServerNow = () => null;

/** Milliseconds since the epoch, every second; null while server-rendering (the server cannot tick). */
export function useIncidentClock(): number | null {
  return useSyncExternalStore(subscribe, getNow, getServerNow);
}
