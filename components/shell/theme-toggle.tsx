"use client";

import { Monitor, Moon, Sun, type LucideIcon } from "lucide-react";
import { useId, useSyncExternalStore } from "react";
import { readThemeChoice, setThemeChoice, subscribeThemeChoice, type ThemeChoice } from "./theme";

const OPTIONS: ReadonlyArray<{ value: ThemeChoice; label: string; icon: LucideIcon }> = [
  { value: "light", label: "Light", icon: Sun },
  { value: "dark", label: "Dark", icon: Moon },
  { value: "system", label: "System", icon: Monitor },
];

const serverChoice = (): ThemeChoice => "system";

/** Light / dark / system as a native radio group: Tab to reach it, arrow keys to choose. */
export function ThemeToggle() {
  const choice = useSyncExternalStore(subscribeThemeChoice, readThemeChoice, serverChoice);
  const name = useId();
  return (
    <fieldset className="inline-flex items-center rounded-md border border-border bg-subtle p-0.5">
      <legend className="sr-only">Theme</legend>
      {OPTIONS.map(({ value, label, icon: Icon }) => (
        <label
          key={value}
          title={label}
          className="relative inline-flex size-7 items-center justify-center rounded text-muted transition-colors hover:text-fg has-checked:bg-surface has-checked:text-accent-text has-checked:shadow-xs has-checked:ring-1 has-checked:ring-border-strong/40 has-focus-visible:outline-2 has-focus-visible:outline-focus"
        >
          <input
            type="radio"
            name={name}
            value={value}
            checked={choice === value}
            onChange={() => setThemeChoice(value)}
            // Invisible but covering the label: the click target is the real radio.
            className="absolute inset-0 m-0 cursor-pointer appearance-none opacity-0"
          />
          <Icon aria-hidden className="size-4" />
          <span className="sr-only">{label}</span>
        </label>
      ))}
    </fieldset>
  );
}
