"use client";

import { Siren } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { ButtonLink } from "@/components/ui/button-link";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { useZonedTime, ZonedTimeField } from "@/components/ui/zoned-time-field";
import { apiFetch } from "@/lib/client/api";
import { SEVERITIES } from "@/lib/incidents/state";
import { IncidentTextarea } from "./incident-textarea";

const SEVERITY_HINTS: Record<(typeof SEVERITIES)[number], string> = {
  sev1: "SEV1 — production data lost or corrupted, customers affected",
  sev2: "SEV2 — data loss contained, partial impact",
  sev3: "SEV3 — a non-production environment, or no customer impact yet",
  sev4: "SEV4 — a drill or a near miss",
};

export interface DeclareIncidentFormProps {
  environments: Array<{ name: string; label: string }>;
  defaultEnvironment: string;
  fromRunId: string | null;
}

/** Declaring is the first action of an emergency: few fields, sensible defaults, one button. */
export function DeclareIncidentForm({ environments, defaultEnvironment, fromRunId }: DeclareIncidentFormProps) {
  const router = useRouter();
  const startedAt = useZonedTime();
  const lastKnownGood = useZonedTime();
  const [submitted, setSubmitted] = useState(false);
  const declare = useMutation({
    mutationFn: (body: Record<string, unknown>) => apiFetch<{ id: string }>("/api/incidents", { method: "POST", body }),
    onSuccess: ({ id }) => router.push(`/incidents/${id}`),
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (declare.isPending || declare.isSuccess) return;
    setSubmitted(true);
    // A typed time that is refused (skipped, repeated, malformed) is said, never sent as "now".
    if ([startedAt, lastKnownGood].some((time) => time.result && !time.result.ok)) return;
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "");
    declare.mutate({
      title: text("title"),
      severity: text("severity"),
      environment: text("environment"),
      scope: text("scope"),
      startedAt: startedAt.instant?.toISOString(),
      lastKnownGoodAt: lastKnownGood.instant?.toISOString() ?? null,
      fromRunId,
    });
  };

  return (
    <form
      onSubmit={submit}
      className="max-w-2xl space-y-4 rounded-lg border border-border bg-surface p-5 shadow-xs"
      aria-label="Declare incident"
    >
      {fromRunId && (
        <p className="rounded-md bg-subtle px-3 py-2 text-sm">
          Declared from restore run <span className="font-mono">{fromRunId}</span>; the incident links to it.
        </p>
      )}
      <Field id="incident-title" label="Title" hint="What happened, in a line people will recognise later.">
        {(p) => (
          <Input {...p} name="title" required minLength={3} maxLength={200} placeholder="Loans deleted by a failed migration" autoFocus />
        )}
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="incident-severity" label="Severity">
          {(p) => (
            <Select {...p} name="severity" defaultValue="sev1">
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {SEVERITY_HINTS[s]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field id="incident-environment" label="Environment">
          {(p) => (
            <Select {...p} name="environment" defaultValue={defaultEnvironment}>
              {environments.map((e) => (
                <option key={e.name} value={e.name}>
                  {e.label}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      <Field id="incident-scope" label="Scope of data loss" hint="Which data, tables, tenants; what is known and what is not yet.">
        {(p) => (
          <IncidentTextarea
            {...p}
            name="scope"
            required
            minLength={3}
            rows={4}
            placeholder="Rows missing from loans and payments for several tenants"
          />
        )}
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <ZonedTimeField
          id="incident-started"
          label="Incident start"
          hint="Leave empty for now. Phase timers count from here."
          state={startedAt}
          showErrors={submitted}
        />
        <ZonedTimeField
          id="incident-last-good"
          label="Last known good"
          hint="Optional; you can determine it as the first checklist step."
          state={lastKnownGood}
          showErrors={submitted}
        />
      </div>
      {declare.error && (
        <p role="alert" className="text-sm font-medium text-danger-text">
          {declare.error.message}
        </p>
      )}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="danger" icon={<Siren aria-hidden />} loading={declare.isPending || declare.isSuccess}>
          Declare incident
        </Button>
        <ButtonLink href="/incidents" variant="ghost">
          Cancel
        </ButtonLink>
      </div>
    </form>
  );
}
