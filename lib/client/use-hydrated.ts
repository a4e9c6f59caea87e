"use client";

import { useSyncExternalStore } from "react";

const subscribeNever = () => () => undefined;

/**
 * False during server rendering and hydration, true once React owns the page. A control that
 * must not act before then (a click would toggle the native element, then React would undo it)
 * stays disabled until this is true.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribeNever,
    () => true,
    () => false,
  );
}
