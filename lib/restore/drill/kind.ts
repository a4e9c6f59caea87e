import type { RunKindDefinition } from "../engine/kind";
import { logicalKind } from "../logical/kind";
import { STEP_TIMEOUTS_MS } from "../logical/plan";
import { preflightStep, restoreStep, type StepContext } from "../logical/steps";
import { INTERRUPTED_MESSAGE, settleLapsedLogicalRun } from "../logical/settle-lapsed";
import { DrillPlan } from "./plan";
import { drillDropStep, drillValidateStep, dropAfterStop } from "./steps";

/**
 * A restore drill: a backup restored into a scratch copy on a non-production target, validated,
 * measured (its steps' times) and dropped. It is never swapped, always drops its copy (on
 * failure and cancel too, after its results are kept), and tells no incident anything.
 */
export const drillKind: RunKindDefinition<DrillPlan, StepContext> = {
  kind: "drill",
  auditPrefix: "drill",
  auditPayload: { kind: "drill" },
  plan: DrillPlan,
  steps: {
    preflight: preflightStep,
    restore: restoreStep,
    validate: drillValidateStep,
    drop: (context) => drillDropStep(context),
  },
  stepTimeoutsMs: STEP_TIMEOUTS_MS,
  // The same configuration and target as a logical restore of the plan.
  prepare: (args) => logicalKind.prepare(args),
  resumable: (step) => step !== "restore",
  interruptedMessage: INTERRUPTED_MESSAGE,
  onStopped: (context) => dropAfterStop(context),
  succeededPayload: (run) => ({ kind: "drill", backupId: run.backupId, scratchDatabase: run.scratchDatabase }),
  cancelledMessage: (_run, step) => `Cancelled during ${step?.name ?? "start-up"}. The drill's copy is dropped; nothing else was touched.`,
  failureSuffix: (step) => (step?.name === "drop" ? "" : " The drill's copy is dropped."),
  // Dead during the restore: the partial copy is dropped and the drill ends interrupted; elsewhere it resumes.
  settleLapsed: settleLapsedLogicalRun,
  cleanup: (args) => logicalKind.cleanup(args),
  expiresLeftovers: true,
};
