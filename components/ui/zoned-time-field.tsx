"use client";

import { useEffect, useId, useRef, useState } from "react";
import { formatInstant, parseZonedInput, toInputValue, utcText, type ZonedResult } from "@/lib/time/zoned-time";
import { Button } from "./button";
import { useDisplayZone, useKnownTimeZones } from "./display-zone";
import { Input } from "./input";
import { Label } from "./label";
import { Select } from "./select";

// What the field holds: a settled instant (shown in whichever zone is chosen) or text as typed.
type Entry = { kind: "instant"; at: Date } | { kind: "text"; text: string };

export interface ZonedTime {
  /** What the field shows. */
  text: string;
  /** The zone the text is read in; follows the person's display zone until they pick another. */
  zone: string;
  /** null while empty; otherwise the instant, or why the text is refused (with both candidates for a repeated hour). */
  result: ZonedResult | null;
  /** The instant, when there is exactly one. */
  instant: Date | null;
  setText: (text: string) => void;
  setZone: (zone: string) => void;
  /** Settle on an instant (a click on a timeline, a candidate of a repeated hour): shown in the chosen zone. */
  setInstant: (at: Date) => void;
}

/** The state of a time entry, starting from an instant (ISO 8601) or empty. */
export function useZonedTime(initial: string | null = null): ZonedTime {
  const { zone: displayZone } = useDisplayZone();
  const [chosenZone, setZone] = useState<string | null>(null);
  const [entry, setEntry] = useState<Entry>(initial ? { kind: "instant", at: new Date(initial) } : { kind: "text", text: "" });
  const zone = chosenZone ?? displayZone;
  const text = entry.kind === "instant" ? toInputValue(entry.at, zone) : entry.text;
  // A settled instant is not re-read from its text: a repeated hour's candidate stays the one picked.
  const result: ZonedResult | null =
    entry.kind === "instant" ? { ok: true, instant: entry.at } : entry.text.trim() ? parseZonedInput(entry.text, zone) : null;
  return {
    text,
    zone,
    result,
    instant: result?.ok ? result.instant : null,
    setText: (next) => setEntry({ kind: "text", text: next }),
    // Changing the zone keeps the instant, not the digits: the same moment, re-read.
    setZone: (next) => {
      if (result?.ok) setEntry({ kind: "instant", at: result.instant });
      setZone(next);
    },
    setInstant: (at) => setEntry({ kind: "instant", at }),
  };
}

export interface ZonedTimeFieldProps {
  id: string;
  label: string;
  hint?: string;
  state: ZonedTime;
  /** Submitted with a form: the instant in ISO 8601, or empty. */
  name?: string;
  /** Shown under the field when the parent refuses a valid instant (e.g. outside a restore window). */
  problem?: string | null;
  /** Show a refusal before the person leaves the field (after a submit attempt). */
  showErrors?: boolean;
}

/**
 * A time typed in any IANA zone, with its UTC reading always shown. A time the clocks skipped is
 * refused; one they passed twice offers both candidates. Nothing is red before the person has
 * typed and left the field.
 */
export function ZonedTimeField({ id, label, hint, state, name, problem = null, showErrors = false }: ZonedTimeFieldProps) {
  const { zone: displayZone } = useDisplayZone();
  const [touched, setTouched] = useState(false);
  const zoneId = useId();
  const input = useRef<HTMLInputElement>(null);
  const { result, instant } = state;
  // A refused time blocks the form it is in (a plain GET form too), never submitted as "no time".
  const refusedMessage = result && !result.ok ? result.message : "";
  useEffect(() => {
    input.current?.setCustomValidity(refusedMessage);
  }, [refusedMessage]);
  // A malformed text may be half-typed; a skipped or repeated hour is complete and said at once.
  const refusal = result && !result.ok && (touched || showErrors || result.reason !== "invalid") ? result : null;
  const error = refusal?.message ?? (instant ? problem : null);
  const describedBy = `${id}-reading${error ? ` ${id}-error` : ""}`;
  const zones = useKnownTimeZones();

  return (
    <div className="space-y-1.5">
      <Label htmlFor={id}>{label}</Label>
      <div className="flex flex-wrap gap-2">
        <input type="hidden" name={name} value={instant?.toISOString() ?? ""} />
        <Input
          ref={input}
          id={id}
          value={state.text}
          onInvalid={() => setTouched(true)}
          onChange={(event) => state.setText(event.target.value)}
          onBlur={() => setTouched(true)}
          placeholder="2026-11-25 14:30"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          className="min-w-0 flex-[2_1_12rem] font-mono"
        />
        <Select
          aria-label={`Time zone of ${label.toLowerCase()}`}
          id={zoneId}
          value={state.zone}
          onChange={(event) => state.setZone(event.target.value)}
          className="min-w-0 flex-[1_1_10rem]"
        >
          {/* The zone in use first, even one the browser lists under another name. */}
          {[...new Set([state.zone, displayZone, "UTC"])].map((zone) => (
            <option key={`top-${zone}`} value={zone}>
              {zone === displayZone ? `${zone} (my display zone)` : zone}
            </option>
          ))}
          <optgroup label="All zones">
            {zones
              .filter((zone) => zone !== state.zone && zone !== displayZone && zone !== "UTC")
              .map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
          </optgroup>
        </Select>
      </div>
      <p id={`${id}-reading`} className="text-xs text-muted" aria-live="polite">
        {instant ? (
          <>
            That is <span className="font-medium text-fg tabular-nums">{utcText(instant)}</span>
            {state.zone !== "UTC" && <> ({formatInstant(instant, state.zone, { precision: "second" })})</>}.
          </>
        ) : (
          (hint ?? "YYYY-MM-DD HH:MM, seconds optional, in the zone beside it.")
        )}
      </p>
      {error && (
        <div id={`${id}-error`} className="space-y-1.5 text-xs font-medium text-danger-text">
          <p>{error}</p>
          {refusal?.reason === "ambiguous" && (
            <div className="flex flex-wrap gap-2">
              {refusal.candidates.map((candidate, index) => (
                <Button key={candidate.getTime()} size="sm" onClick={() => state.setInstant(candidate)}>
                  {index === 0 ? "The first" : "The second"}: {utcText(candidate)}
                </Button>
              ))}
            </div>
          )}
        </div>
      )}
    </div>
  );
}
