"use client";

import { useZonedTime, ZonedTimeField } from "@/components/ui/zoned-time-field";

/** A bound of the audit time range: typed in any zone, submitted in the URL as an ISO 8601 instant. */
export function AuditTimeField({
  id,
  label,
  name,
  value,
  error,
}: {
  id: string;
  label: string;
  name: string;
  value?: string;
  error?: string;
}) {
  const state = useZonedTime(value && !Number.isNaN(Date.parse(value)) ? value : null);
  return (
    <div>
      <ZonedTimeField id={id} label={label} name={name} state={state} hint="Empty: no bound." />
      {error && <p className="mt-1 text-xs font-medium text-danger-text">{error}</p>}
    </div>
  );
}
