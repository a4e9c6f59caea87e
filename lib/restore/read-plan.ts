import type { RestoreRun } from "@/lib/generated/prisma/client";
import { readStoredPlan } from "./engine/stored-plan";
import { LogicalRestorePlan } from "./logical/plan";
import { PitrRestorePlan } from "./pitr/plan";

// Stored plans are read through their kind's versioned schema, never cast. (The schemas, not the
// kinds: views read plans too, and must not pull in the step bodies.)

export type RestorePlan = LogicalRestorePlan | PitrRestorePlan;

type StoredRun = Pick<RestoreRun, "id" | "kind" | "plan">;

export function readLogicalPlan(run: StoredRun): LogicalRestorePlan {
  return readStoredPlan(run, { kind: "logical", plan: LogicalRestorePlan });
}

export function readPitrPlan(run: StoredRun): PitrRestorePlan {
  return readStoredPlan(run, { kind: "pitr", plan: PitrRestorePlan });
}

/** A stored run's plan, whichever its kind. */
export function readPlan(run: StoredRun): RestorePlan {
  return run.kind === "pitr" ? readPitrPlan(run) : readLogicalPlan(run);
}
