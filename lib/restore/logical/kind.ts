import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { ConfigurationError } from "@/lib/errors";
import { reportRunEvidence } from "../engine/report-run-evidence";
import type { RunKindDefinition } from "../engine/kind";
import { PROGRESS_EVERY_MS } from "../engine/drive-run";
import { adminTargetFor, findRestoreTarget, secretsOf } from "../restore-target";
import { findUnacceptedBlockingFailures } from "../validation/blocking-failures";
import { cleanupLogicalRestore } from "./cleanup-logical-restore";
import { LogicalRestorePlan, STEP_TIMEOUTS_MS } from "./plan";
import { INTERRUPTED_MESSAGE, settleLapsedLogicalRun } from "./settle-lapsed";
import { preflightStep, renameStep, restoreStep, swapStep, validateStep, type StepContext } from "./steps";

/**
 * A logical restore: a dump streamed into a scratch database, validated, then swapped in (after a
 * person confirms) or renamed. Its restore step cannot resume mid-stream; every other step can.
 */
export const logicalKind: RunKindDefinition<LogicalRestorePlan, StepContext> = {
  kind: "logical",
  auditPrefix: "restore",
  plan: LogicalRestorePlan,
  steps: {
    preflight: preflightStep,
    restore: restoreStep,
    validate: validateStep,
    swap: swapStep,
    rename: (context) => renameStep(context),
  },
  stepTimeoutsMs: STEP_TIMEOUTS_MS,

  async prepare({ db, run, plan, owner }) {
    const environment = resolveEnvironment(run.environment);
    const target = findRestoreTarget(environment, run.targetName);
    if (target.database !== run.targetDatabase || target.host !== plan.target.host || target.port !== plan.target.port) {
      throw new ConfigurationError(
        `The configuration of target ${target.name} changed since this restore was planned (it now points at ${target.host}:${target.port}/${target.database}). Start a new restore.`,
      );
    }
    const admin = await adminTargetFor(target);
    return {
      context: { db, run, plan, environment, target, admin, workerId: owner, progressEveryMs: PROGRESS_EVERY_MS },
      secrets: secretsOf(admin),
    };
  },

  resumable: (step) => step !== "restore",
  interruptedMessage: INTERRUPTED_MESSAGE,

  // Blocking validation failures hold the copy back from the target name (swap) and from its new
  // name alike, until an admin accepts them with a reason; a swap also waits for its confirmation.
  async holdBefore(db, run, step) {
    if (step.name !== "swap" && step.name !== "rename") return null;
    const blocking = await findUnacceptedBlockingFailures(db, run.id);
    if (blocking.length > 0 || (step.name === "swap" && !run.swapConfirmedAt)) return { blockingFailures: blocking.map((f) => f.name) };
    return null;
  },

  async beforeStep(db, run, step) {
    if (step.name === "restore") {
      await reportRunEvidence(db, {
        runId: run.id,
        environment: run.environment,
        kind: "restore-running",
        description: `Restoring into ${run.scratchDatabase}`,
      });
    }
  },

  async afterStep(db, run, step) {
    if (step.name !== "validate") return;
    const { validationPassed } = await db.restoreRun.findUniqueOrThrow({ where: { id: run.id }, select: { validationPassed: true } });
    if (validationPassed)
      await reportRunEvidence(db, {
        runId: run.id,
        environment: run.environment,
        kind: "validation-passed",
        description: "Validation of the restored copy passed",
      });
  },

  succeededPayload: (run) => ({ mode: run.mode, newDatabaseName: run.newDatabaseName }),

  cancelledMessage(run, step) {
    const keptScratch = step?.name === "validate" || step?.name === "swap" || step?.name === "rename";
    return `Cancelled during ${step?.name ?? "start-up"}. The target was not touched.${keptScratch ? ` The restored copy ${run.scratchDatabase} is kept until you clean it up.` : ""}`;
  },

  settleLapsed: settleLapsedLogicalRun,
  cleanup: cleanupLogicalRestore,
  expiresLeftovers: true,
};
