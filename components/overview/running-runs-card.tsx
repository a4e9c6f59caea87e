import { Play } from "lucide-react";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button-link";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ProgressBar } from "@/components/ui/progress-bar";
import { Time } from "@/components/ui/time";
import type { RunningRunView } from "@/lib/overview/triage-model";

const KIND_LABELS: Readonly<Record<string, string>> = { logical: "Restore", pitr: "Point-in-time restore", drill: "Drill" };

/** Restores and drills queued or running now: what, where, which step, how far. */
export function RunningRunsCard({ runs }: { runs: readonly RunningRunView[] }) {
  return (
    <Card padding="none">
      <CardHeader
        title="Running now"
        description="Restores and drills queued or running, with their step and progress."
        actions={
          <ButtonLink href="/restores" size="sm" icon={<Play aria-hidden />}>
            Restores
          </ButtonLink>
        }
      />
      <CardBody>
        {runs.length === 0 ? (
          <p className="text-sm text-muted">No restore or drill is running.</p>
        ) : (
          <ul className="divide-y divide-border" aria-label="Running restores and drills">
            {runs.map((run) => (
              <li key={run.id} className="space-y-1.5 py-3 text-sm">
                <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                  <Badge tone="info">{run.status === "queued" ? "queued" : (run.currentStep ?? "running")}</Badge>
                  <Link href={`/restores/${run.id}`} className="min-w-0 font-medium text-accent-text underline-offset-2 hover:underline">
                    {KIND_LABELS[run.kind] ?? run.kind}: {run.what}
                  </Link>
                  <span className="text-xs text-muted">
                    onto <span className="font-mono">{run.targetName}</span> in <span className="font-mono">{run.environment}</span> ·
                    started <Time value={run.startedAt} relative /> by {run.requestedByEmail}
                  </span>
                </div>
                <ProgressBar
                  label={`Progress of ${run.what}`}
                  value={run.percent}
                  valueText={
                    run.percent === null
                      ? `${run.currentStep ?? run.status}`
                      : `${run.percent}% of the ${run.currentStep ?? "current"} step`
                  }
                />
              </li>
            ))}
          </ul>
        )}
      </CardBody>
    </Card>
  );
}
