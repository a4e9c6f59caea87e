"use client";

import { FlaskConical } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import type { DrillsOverview } from "@/lib/restore/drill/drill-model";
import { periodOfOverview, type DrillPeriod } from "@/lib/restore/drill/drill-period";
import { DrillEnvironmentCard } from "./drill-environment-card";
import { useDrills } from "@/lib/client/use-drills";

/** Every environment's drills of the period, live from the server's first render. */
export function DrillsBoard({ initial, period, canRun }: { initial: DrillsOverview; period: DrillPeriod; canRun: boolean }) {
  const drills = useDrills(period, initial);
  const overview = drills.data;
  // The days the server actually read, so the strip and the chart match the data.
  const shown = periodOfOverview(overview);

  return (
    <div className="space-y-6">
      {drills.isError && (
        <ErrorState
          title="Could not refresh the drills"
          message={`${drills.error.message} What is shown below may be out of date.`}
          action={<Button onClick={() => void drills.refetch()}>Try again</Button>}
        />
      )}
      {overview.environments.length === 0 ? (
        <EmptyState icon={<FlaskConical />} title="No drills configured">
          <p>
            Add a <code className="font-mono">drills:</code> section (schedule, timeZone, target) to an environment in the configuration;
            see the README. Drills then run on their schedule, and operators can start one from here.
          </p>
        </EmptyState>
      ) : (
        overview.environments.map((view) => <DrillEnvironmentCard key={view.environment} view={view} period={shown} canRun={canRun} />)
      )}
    </div>
  );
}
