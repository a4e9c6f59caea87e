"use client";

import { createContext, useContext, useState, useSyncExternalStore, type ReactNode } from "react";
import { useHydrated } from "@/lib/client/use-hydrated";
import { formatInstant, knownTimeZones, type InstantFormat } from "@/lib/time/zoned-time";

const subscribeNever = () => () => {};
const readBrowserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const noBrowserZone = () => null;

interface DisplayZoneState {
  /** The person's choice: an IANA zone, or null for their browser's. */
  preference: string | null;
  setPreference: (zone: string | null) => void;
}

const DisplayZoneContext = createContext<DisplayZoneState>({ preference: null, setPreference: () => {} });

/** Holds the signed-in person's zone preference, so every instant on the page follows a change at once. */
export function DisplayZoneProvider({ preference: initial, children }: { preference: string | null; children: ReactNode }) {
  const [preference, setPreference] = useState(initial);
  return <DisplayZoneContext value={{ preference, setPreference }}>{children}</DisplayZoneContext>;
}

export interface DisplayZone extends DisplayZoneState {
  /** The zone to show instants in now: the chosen one, else the browser's, else UTC while rendering on the server. */
  zone: string;
  /** The browser's own zone; null on the server and during hydration. */
  browserZone: string | null;
}

/**
 * The zone instants are shown in. A chosen zone is the same on server and browser; "my zone" is
 * only known in the browser, so the server (and hydration) renders UTC and the browser swaps it in.
 */
export function useDisplayZone(): DisplayZone {
  const state = useContext(DisplayZoneContext);
  const browserZone = useSyncExternalStore(subscribeNever, readBrowserZone, noBrowserZone);
  return { ...state, browserZone, zone: state.preference ?? browserZone ?? "UTC" };
}

/** For text that is not a <Time> (a tooltip, a chart label): formats in the display zone. */
export function useFormatInstant(): (at: Date | string, format?: InstantFormat) => string {
  const { zone } = useDisplayZone();
  return (at, format) => formatInstant(new Date(at), zone, format);
}

/** Every zone the browser knows; none while the server renders, since its list can differ from the browser's. */
export function useKnownTimeZones(): string[] {
  return useHydrated() ? knownTimeZones() : [];
}
