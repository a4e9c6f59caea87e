import type { RestoreRun } from "@/lib/generated/prisma/client";
import type { RestoreMethod } from "@/lib/incidents/measure-objectives";
import { DrillPlan } from "./drill/plan";
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

export function readDrillPlan(run: StoredRun): DrillPlan {
  return readStoredPlan(run, { kind: "drill", plan: DrillPlan });
}

/** A stored run's plan, whichever its kind (a drill's is a logical plan in mode "drill"). */
export function readPlan(run: StoredRun): RestorePlan {
  if (run.kind === "pitr") return readPitrPlan(run);
  return run.kind === "drill" ? readDrillPlan(run) : readLogicalPlan(run);
}

/**
 * The objective a run is measured against: a logical restore read from a replica in another
 * region, and a point-in-time restore in the DR region, are cross-region restores.
 */
export function recoveryMethodOf(run: StoredRun): RestoreMethod {
  return methodOfPlan(readPlan(run));
}

/** recoveryMethodOf for a plan already read. */
export function methodOfPlan(plan: RestorePlan): RestoreMethod {
  if (plan.kind === "pitr") return plan.region === "dr" ? "crossRegion" : "pitr";
  return plan.source.replica ? "crossRegion" : "logical";
}
