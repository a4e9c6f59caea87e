"use client";

import { FlaskConical } from "lucide-react";
import Link from "next/link";
import { useId } from "react";
import { Button } from "@/components/ui/button";
import type { DrillView } from "@/lib/restore/drill/drill-model";
import { useStartDrill } from "@/lib/client/use-drills";

type DrillMethod = DrillView["method"];

/** One method's "Run drill now"; what it led to (a link to the run, or the server's refusal) is announced below it. */
function RunDrillButton({
  environment,
  method,
  disabledReasonId,
}: {
  environment: string;
  method: DrillMethod;
  disabledReasonId?: string;
}) {
  const start = useStartDrill(environment, method);
  return (
    <div className="flex max-w-xs flex-col items-end gap-1 text-right">
      <Button
        variant="primary"
        icon={<FlaskConical aria-hidden />}
        loading={start.isPending}
        disabled={disabledReasonId !== undefined}
        aria-describedby={disabledReasonId}
        onClick={() => start.mutate()}
      >
        {method === "pitr" ? "Run point-in-time drill now" : "Run drill now"}
      </Button>
      {/* Always present, so screen readers announce what appears in it. */}
      <div aria-live="polite" className="text-xs">
        {start.isSuccess && (
          <p className="text-success-text">
            Drill started.{" "}
            <Link href={`/restores/${start.data.id}`} className="font-medium underline underline-offset-2">
              Follow it live
            </Link>
          </p>
        )}
        {start.isError && <p className="text-danger-text">{start.error.message}</p>}
      </div>
    </div>
  );
}

/**
 * "Run drill now" for each method the environment's drills use. Operators and admins start one;
 * viewers see the buttons disabled, with the reason said once.
 */
export function RunDrillActions({
  environment,
  methods,
  canRun,
}: {
  environment: string;
  methods: readonly DrillMethod[];
  canRun: boolean;
}) {
  const reasonId = useId();
  return (
    <div className="flex flex-col items-end gap-1 text-right">
      {/* Stacked on phones: a card header's actions never shrink, so side by side they could overflow. */}
      <div className="flex flex-col items-end gap-2 sm:flex-row sm:items-start">
        {methods.map((method) => (
          <RunDrillButton key={method} environment={environment} method={method} disabledReasonId={canRun ? undefined : reasonId} />
        ))}
      </div>
      {!canRun && (
        <p id={reasonId} className="text-xs text-muted">
          Starting a drill needs the operator role.
        </p>
      )}
    </div>
  );
}
