"use client";

import { useMutation } from "@tanstack/react-query";
import { Globe } from "lucide-react";
import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { useDisplayZone, useKnownTimeZones } from "@/components/ui/display-zone";
import { Input } from "@/components/ui/input";
import { apiFetch } from "@/lib/client/api";
import { formatInstant, formatShortOffset, isKnownTimeZone, offsetMinutesAt } from "@/lib/time/zoned-time";

type Choice = "browser" | "utc" | "other";

const choiceOf = (preference: string | null): Choice => (preference === null ? "browser" : preference === "UTC" ? "utc" : "other");

/** The zone every instant is shown in, chosen per person: their browser's, UTC, or any IANA zone. */
export function TimeZoneMenu() {
  const { zone, preference, browserZone, setPreference } = useDisplayZone();
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState<Choice>(choiceOf(preference));
  const [other, setOther] = useState("");
  const name = useId();
  const listId = useId();
  const zones = useKnownTimeZones();
  const typedZone = other.trim();
  // Browsers list some zones under their older names (Asia/Calcutta for Asia/Kolkata): any name they know is taken.
  const otherProblem =
    choice === "other" && !isKnownTimeZone(typedZone) ? `${typedZone || "An empty name"} is not a time zone this browser knows.` : null;
  const chosen = choice === "browser" ? null : choice === "utc" ? "UTC" : typedZone;
  const save = useMutation({
    mutationFn: (timeZone: string | null) =>
      apiFetch<{ timeZone: string | null }>("/api/users/me/time-zone", { method: "PUT", body: { timeZone } }),
    onSuccess: ({ timeZone }) => {
      setPreference(timeZone);
      setOpen(false);
    },
  });
  const now = new Date();
  const sampleZone = otherProblem ? (browserZone ?? "UTC") : (chosen ?? browserZone ?? "UTC");

  return (
    <>
      <Button
        variant="ghost"
        size="sm"
        icon={<Globe aria-hidden />}
        onClick={() => {
          setChoice(choiceOf(preference));
          // Seeded on opening: the browser's zone is unknown while the page hydrates.
          setOther(preference !== null && preference !== "UTC" ? preference : (browserZone ?? "UTC"));
          save.reset();
          setOpen(true);
        }}
        title={`Times are shown in ${zone}`}
      >
        <span className="sr-only">Time zone: </span>
        <span className="tabular-nums">{formatShortOffset(offsetMinutesAt(now, zone))}</span>
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title="Show times in"
        description="Every time on every page follows this choice, with its zone named. It is yours alone and kept with your account."
        footer={
          <>
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button variant="primary" loading={save.isPending} disabled={otherProblem !== null} onClick={() => save.mutate(chosen)}>
              Save
            </Button>
          </>
        }
      >
        <fieldset className="space-y-2 text-sm">
          <legend className="sr-only">Time zone</legend>
          <label className="flex items-center gap-2">
            <input type="radio" name={name} checked={choice === "browser"} onChange={() => setChoice("browser")} />
            My zone{browserZone ? ` (${browserZone}, as this browser says)` : ""}
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name={name} checked={choice === "utc"} onChange={() => setChoice("utc")} />
            UTC
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name={name} checked={choice === "other"} onChange={() => setChoice("other")} />
            Another zone
          </label>
          {choice === "other" && (
            <div className="ml-6 space-y-1">
              <Input
                aria-label="Zone"
                value={other}
                onChange={(event) => setOther(event.target.value)}
                list={listId}
                placeholder="Europe/Berlin"
                autoComplete="off"
                spellCheck={false}
                aria-invalid={otherProblem ? true : undefined}
              />
              <datalist id={listId}>
                {zones.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
              {otherProblem && <p className="text-xs font-medium text-danger-text">{otherProblem}</p>}
            </div>
          )}
        </fieldset>
        {/* Only while open: the dialog is in every page's HTML, and "now" on the server is not now in the browser. */}
        {open && (
          <p className="mt-4 text-sm text-muted">
            Now reads as <span className="font-medium text-fg tabular-nums">{formatInstant(now, sampleZone)}</span>
          </p>
        )}
        {save.error && (
          <p role="alert" className="mt-2 text-sm font-medium text-danger-text">
            {save.error.message}
          </p>
        )}
      </Dialog>
    </>
  );
}
