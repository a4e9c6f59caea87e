"use client";

import { ArrowRight } from "lucide-react";
import { usePathname, useRouter } from "next/navigation";
import { useId, useState, type ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button-link";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { Time } from "@/components/ui/time";
import { formatMinutes, formatMinutesRange, RESTORE_METHOD_LABELS } from "@/lib/incidents/measure-objectives";
import {
  adviseMethod,
  asksForMoment,
  asksForTarget,
  methodHref,
  momentOf,
  MOMENTS,
  PROBLEMS,
  RECOVERY_METHOD_LABELS,
  TARGET_KINDS,
  type MethodFacts,
  type Moment,
  type Problem,
  type RecoveryMethod,
  type TargetKind,
} from "@/lib/restore/method-advice";

const PROBLEM_LABELS: Readonly<Record<Problem, string>> = {
  "whole-database": "The whole database must go back to a moment (corruption, a bad deletion or migration)",
  "some-tables": "Some tables or rows are damaged",
  copy: "I need a copy for a DR or development environment",
  "region-lost": "The region is lost",
};

const START_LABELS: Readonly<Record<RecoveryMethod, string>> = {
  pitr: "Start point-in-time recovery",
  logical: "Start a logical restore",
  "logical-selective": "Restore chosen tables",
};

function targetLabel(target: TargetKind, environment: string): string {
  if (target === "beside-source") return `Beside the damaged database, in ${environment}`;
  return target === "dr-or-dev" ? "A DR or development environment" : "Another region";
}

function momentLabel(moment: Moment, pitr: MethodFacts["pitr"]): ReactNode {
  if (moment === "unknown") return "Not known yet";
  const earliest = pitr.state === "described" ? pitr.earliest : null;
  const start = earliest && (
    <>
      {" "}
      (it starts <Time value={earliest} />)
    </>
  );
  return moment === "before" ? <>Before the PITR window{start}</> : <>Inside the PITR window{start}</>;
}

function Question<T extends string>({
  legend,
  name,
  options,
  value,
  onChange,
  hint,
}: {
  legend: string;
  name: string;
  options: ReadonlyArray<{ value: T; label: ReactNode }>;
  value: T | null;
  onChange: (value: T) => void;
  hint?: ReactNode;
}) {
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium">{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="flex items-start gap-2 text-sm">
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
            className="mt-1"
          />
          <span className="min-w-0">{option.label}</span>
        </label>
      ))}
      {hint && <p className="text-xs text-muted">{hint}</p>}
    </fieldset>
  );
}

export interface MethodChooserProps {
  facts: MethodFacts;
  /** The incident being recovered: kept in the links, its last known good time presets the moment. */
  incident: { id: string; lastKnownGoodAt: string | null } | null;
  /** Restores → New without an incident: the environments advice can be asked for. */
  environments?: readonly string[];
}

/** A few questions, then the runbook's method for the answers, why, and a link to start it. */
export function MethodChooser({ facts, incident, environments = [] }: MethodChooserProps) {
  const id = useId();
  const router = useRouter();
  const pathname = usePathname();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [target, setTarget] = useState<TargetKind>("beside-source");
  // Unanswered, the moment follows the incident's last known good time (it may be set meanwhile).
  const [moment, setMoment] = useState<Moment | null>(null);
  const presetMoment = momentOf(facts.pitr, incident?.lastKnownGoodAt ?? null);
  const advice = problem ? adviseMethod({ problem, target, moment: moment ?? presetMoment }, facts) : null;
  const where = { environment: facts.environment, incidentId: incident?.id ?? null };

  return (
    <Card as="section" padding="none">
      <CardHeader
        title="Choose the restore method"
        description={`The runbook's “When to use” sections, applied to what you know about ${facts.environment}.`}
      />
      <CardBody className="grid gap-6 lg:grid-cols-2">
        <div className="min-w-0 space-y-4">
          {!incident && environments.length > 1 && (
            <Field id={`${id}-environment`} label="Environment">
              {(p) => (
                <Select
                  {...p}
                  value={facts.environment}
                  onChange={(e) => router.replace(`${pathname}?environment=${encodeURIComponent(e.target.value)}`)}
                >
                  {environments.map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          )}
          <Question
            legend="What needs recovering?"
            name={`${id}-problem`}
            options={PROBLEMS.map((value) => ({ value, label: PROBLEM_LABELS[value] }))}
            value={problem}
            onChange={setProblem}
          />
          {problem && asksForTarget(problem) && (
            <Question
              legend="Where should the restored data go?"
              name={`${id}-target`}
              options={TARGET_KINDS.map((value) => ({ value, label: targetLabel(value, facts.environment) }))}
              value={target}
              onChange={setTarget}
            />
          )}
          {problem && asksForMoment({ problem, target }, facts) && (
            <Question
              legend="The moment to restore to"
              name={`${id}-moment`}
              options={MOMENTS.map((value) => ({ value, label: momentLabel(value, facts.pitr) }))}
              value={moment ?? presetMoment}
              onChange={setMoment}
              hint={
                moment === null && incident?.lastKnownGoodAt ? (
                  <>
                    Preset from the incident&apos;s last known good time, <Time value={incident.lastKnownGoodAt} />.
                  </>
                ) : undefined
              }
            />
          )}
        </div>
        <div className="min-w-0 space-y-3 rounded-md border border-border bg-subtle/60 p-3 text-sm" data-testid="method-advice">
          <p role="status" className="flex flex-wrap items-center gap-2">
            {advice ? (
              <>
                <Badge tone="info">Recommended</Badge>
                <span className="font-semibold">{RECOVERY_METHOD_LABELS[advice.method]}</span>
              </>
            ) : (
              <span className="text-muted">Answer what needs recovering to see the method the runbook recommends, and why.</span>
            )}
          </p>
          {advice && (
            <>
              <p className="text-muted">
                Expected by {facts.environment}&apos;s {RESTORE_METHOD_LABELS[advice.expected.objective]} objectives: RTO{" "}
                {formatMinutesRange(advice.expected.rto.minMinutes, advice.expected.rto.maxMinutes)} · RPO{" "}
                {formatMinutes(advice.expected.rpoMinutes)}
              </p>
              <ul className="list-disc space-y-1 pl-5" aria-label="Why">
                {advice.reasons.map((reason) => (
                  <li key={reason} className="break-words">
                    {reason}
                  </li>
                ))}
              </ul>
              <div className="flex flex-wrap items-center gap-2">
                <ButtonLink variant="primary" href={methodHref(advice.method, where)} icon={<ArrowRight aria-hidden />}>
                  {START_LABELS[advice.method]}
                </ButtonLink>
              </div>
              {advice.alternatives.length > 0 && (
                <div className="flex flex-wrap items-center gap-2">
                  <span className="text-muted">Also acceptable:</span>
                  {advice.alternatives.map((method) => (
                    <ButtonLink key={method} size="sm" href={methodHref(method, where)}>
                      {RECOVERY_METHOD_LABELS[method]}
                    </ButtonLink>
                  ))}
                </div>
              )}
            </>
          )}
        </div>
      </CardBody>
    </Card>
  );
}
