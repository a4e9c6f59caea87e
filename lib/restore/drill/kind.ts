import type { Db } from "@/lib/db/client";
import type { RestoreRun } from "@/lib/generated/prisma/client";
import type { LapsedOutcome, PreparedRun, RunKindDefinition, StepBody } from "../engine/kind";
import { appendRunEvent } from "../engine/events";
import { finishRun } from "../engine/settlement";
import { ADVICE } from "../engine/troubleshooting";
import { logicalKind } from "../logical/kind";
import { STEP_TIMEOUTS_MS } from "../logical/plan";
import { preflightStep, restoreStep, type StepContext } from "../logical/steps";
import { pitrKind } from "../pitr/kind";
import { PITR_STEP_TIMEOUTS_MS } from "../pitr/plan";
import { PITR_STEP_BODIES, type PitrStepContext } from "../pitr/steps";
import { readDrillPlan } from "../read-plan";
import { DrillPlan } from "./plan";
import { drillDropStep, drillValidateStep, dropAfterStop, pitrDrillDropStep, type DrillContext } from "./steps";

const INTERRUPTED_MESSAGE =
  "The worker stopped during the drill's restore, which cannot resume; what it restored is deleted. Run the drill again.";

/** A step both methods have, or one only one of them has (null for the other). */
function step(logical: StepBody<StepContext> | null, pitr: StepBody<PitrStepContext> | null, name: string): StepBody<DrillContext> {
  return (context, signal, timeoutMs) => {
    if (context.method === "logical" && logical) return logical(context.c, signal, timeoutMs);
    if (context.method === "pitr" && pitr) return pitr(context.c, signal, timeoutMs);
    throw new Error(`A ${context.method} drill has no ${name} step.`);
  };
}

async function prepareDrill(args: { db: Db; run: RestoreRun; plan: DrillPlan; owner: string }): Promise<PreparedRun<DrillContext>> {
  const { plan } = args;
  if (plan.kind === "logical") {
    const prepared = await logicalKind.prepare({ ...args, plan });
    return { ...prepared, context: { method: "logical", c: prepared.context } };
  }
  const prepared = await pitrKind.prepare({ ...args, plan });
  return { ...prepared, context: { method: "pitr", c: prepared.context } };
}

/**
 * A restore drill: a backup restored into a scratch copy on a non-production target (or the PITR
 * source restored to a random point into a new server), validated, measured (its steps' times)
 * and dropped. It is never swapped or cut over, always drops what it restored (on failure and
 * cancel too, after its results are kept), and tells no incident anything. Its restore step does
 * not resume: a drill that lost its worker there ends interrupted and is simply run again.
 */
export const drillKind: RunKindDefinition<DrillPlan, DrillContext> = {
  kind: "drill",
  auditPrefix: "drill",
  auditPayload: { kind: "drill" },
  plan: DrillPlan,
  steps: {
    preflight: step(preflightStep, PITR_STEP_BODIES.preflight, "preflight"),
    restore: step(restoreStep, PITR_STEP_BODIES.restore, "restore"),
    writer: step(null, PITR_STEP_BODIES.writer, "writer"),
    wait: step(null, PITR_STEP_BODIES.wait, "wait"),
    connectivity: step(null, PITR_STEP_BODIES.connectivity, "connectivity"),
    validate: step(drillValidateStep, PITR_STEP_BODIES.validate, "validate"),
    drop: step(
      (c) => drillDropStep(c),
      (c, signal) => pitrDrillDropStep(c, signal),
      "drop",
    ),
  },
  // Each method's limits; the names they share (preflight, restore, validate) take the longer.
  stepTimeoutsMs: {
    ...STEP_TIMEOUTS_MS,
    ...PITR_STEP_TIMEOUTS_MS,
    restore: Math.max(STEP_TIMEOUTS_MS.restore, PITR_STEP_TIMEOUTS_MS.restore),
    validate: Math.max(STEP_TIMEOUTS_MS.validate, PITR_STEP_TIMEOUTS_MS.validate),
  },
  prepare: prepareDrill,
  resumable: (name) => name !== "restore",
  interruptedMessage: INTERRUPTED_MESSAGE,
  onStopped: (context) => dropAfterStop(context),
  succeededPayload: (run) => ({ kind: "drill", backupId: run.backupId, restored: run.scratchDatabase }),
  cancelledMessage: (_run, current) =>
    `Cancelled during ${current?.name ?? "start-up"}. What the drill restored is deleted; nothing else was touched.`,
  failureSuffix: (current) => (current?.name === "drop" ? "" : " What the drill restored is deleted."),

  // Dead during the restore: what it restored is deleted and the drill ends interrupted; elsewhere it resumes.
  async settleLapsed(db, run, current, owner): Promise<LapsedOutcome | null> {
    if (current.status !== "running" || current.name !== "restore") return null;
    const { context } = await prepareDrill({ db, run, plan: readDrillPlan(run), owner });
    await db.restoreStep.update({
      where: { id: current.id },
      data: { status: "failed", finishedAt: new Date(), error: INTERRUPTED_MESSAGE },
    });
    await dropAfterStop(context);
    await appendRunEvent(db, run.id, "sweeper", { action: "interrupted", step: current.name });
    await finishRun(db, run, owner, {
      to: "interrupted",
      data: { error: INTERRUPTED_MESSAGE, troubleshooting: ADVICE.interrupted },
      action: "drill.interrupted",
      payload: { kind: "drill", step: current.name, reason: "lease expired" },
    });
    return "interrupted";
  },

  // Only needed when the drill could not delete what it restored (its server was unreachable then).
  async cleanup(args) {
    const run = await args.ctx.db.restoreRun.findUniqueOrThrow({ where: { id: args.input.runId } });
    return readDrillPlan(run).kind === "pitr" ? pitrKind.cleanup(args) : logicalKind.cleanup(args);
  },
  expiresLeftovers: true,
};
