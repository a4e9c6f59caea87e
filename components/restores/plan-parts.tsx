import { CircleAlert, CircleCheck, CircleX, TriangleAlert } from "lucide-react";
import { Fragment, type ReactNode } from "react";
import { cx } from "@/components/ui/cx";
import { Time } from "@/components/ui/time";
import { formatDuration, plural } from "@/lib/format";
import type { LogicalRestorePlan, PlanStep, PreflightStatus } from "@/lib/restore/logical/plan";
import type { PitrRestorePlan } from "@/lib/restore/pitr/plan";
import { planFacts, type FactText, type PlanFactKey } from "@/lib/restore/plan-facts";

function FactLine({ text }: { text: FactText }) {
  return text.map((part, i) => (
    <Fragment key={i}>{typeof part === "string" ? part : <Time value={part.instant} relative={part.ago} />}</Fragment>
  ));
}

const LABEL_TONE: Partial<Record<PlanFactKey, string>> = { replaces: "text-danger-text", keeps: "text-success-text" };

/**
 * The plan's key values, label beside value from sm up and stacked below it, so a person reads
 * what happens before how. Long names break anywhere rather than push the page sideways.
 */
export function PlanSummary({ plan }: { plan: LogicalRestorePlan | PitrRestorePlan }) {
  return (
    <dl className="grid gap-y-3 text-sm sm:grid-cols-[max-content_minmax(0,1fr)] sm:gap-x-6 sm:gap-y-2" data-testid="plan-summary">
      {planFacts(plan).map((fact) => (
        <div key={fact.key} data-fact={fact.key} className="min-w-0 sm:col-span-2 sm:grid sm:grid-cols-subgrid">
          <dt className={cx("font-medium", LABEL_TONE[fact.key] ?? "text-muted")}>{fact.label}</dt>
          <dd className="min-w-0 [overflow-wrap:anywhere]">
            {fact.values.length === 1 ? (
              <p className={cx(fact.literal && "font-mono")}>
                <FactLine text={fact.values[0] ?? []} />
              </p>
            ) : (
              <ul className={cx("list-disc pl-5", fact.literal && "font-mono")}>
                {fact.values.map((value, i) => (
                  <li key={i}>
                    <FactLine text={value} />
                  </li>
                ))}
              </ul>
            )}
            {fact.note && (
              <p className="text-muted">
                <FactLine text={fact.note} />
              </p>
            )}
            {fact.warning && (
              <p className="flex gap-1.5 text-warning-text">
                <TriangleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
                <span>{fact.warning}</span>
              </p>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

type StepLine = Pick<PlanStep, "position" | "title" | "description" | "automatic" | "timeoutMs">;

/** A plan's explanation, closed until asked for: the summary already says what happens. */
export function PlanDisclosure({ summary, children }: { summary: string; children: ReactNode }) {
  return (
    <details className="rounded-md border border-border text-sm">
      <summary className="cursor-pointer px-3 py-2 font-medium">{summary}</summary>
      <div className="space-y-4 border-t border-border px-3 py-3">{children}</div>
    </details>
  );
}

/** The steps, and whatever else a kind of plan explains (the PITR cutover), one click away. */
export function HowItWorks({ steps, children }: { steps: readonly StepLine[]; children?: ReactNode }) {
  return (
    <PlanDisclosure summary={`How it works — ${plural(steps.length, "step")}`}>
      <PlanSteps steps={steps} />
      {children}
    </PlanDisclosure>
  );
}

/** The steps of a plan, each with what it does and its time limit. */
function PlanSteps({ steps }: { steps: readonly StepLine[] }) {
  return (
    <ol className="space-y-2 text-sm" aria-label="Planned steps">
      {steps.map((s) => (
        <li key={s.position}>
          <span className="font-medium">
            {s.position}. {s.title}
          </span>{" "}
          <span className="text-muted">
            — {s.description} {s.automatic ? `(time limit ${formatDuration(s.timeoutMs)})` : "(only when you ask)"}
          </span>
        </li>
      ))}
    </ol>
  );
}

const PREFLIGHT_ICON: Record<PreflightStatus, { icon: typeof CircleCheck; className: string }> = {
  passed: { icon: CircleCheck, className: "text-success" },
  warning: { icon: CircleAlert, className: "text-warning" },
  failed: { icon: CircleX, className: "text-danger" },
};

export interface PreflightLine {
  key: string;
  title: string;
  status: PreflightStatus;
  message: string;
}

/** The preflight checks, run just now, changing nothing. */
export function PreflightList({ checks }: { checks: readonly PreflightLine[] }) {
  return (
    <div>
      <h3 className="mb-1 text-sm font-semibold">Preflight checks (run just now)</h3>
      <ul className="space-y-1 text-sm">
        {checks.map((c) => {
          const { icon: Icon, className } = PREFLIGHT_ICON[c.status];
          return (
            <li key={c.key} className="flex gap-2" data-preflight={c.key} data-status={c.status}>
              <Icon aria-hidden className={`mt-0.5 size-4 shrink-0 ${className}`} />
              <span>
                <span className="font-medium">{c.title}:</span> {c.message}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
