import { resolvePitrEnvironment } from "@/lib/config/resolve-pitr-environment";
import { resolveSecret } from "@/lib/config/secrets";
import { ConflictError, ConfigurationError } from "@/lib/errors";
import type { RestoreStep } from "@/lib/generated/prisma/client";
import { createPitrProviderFor } from "@/lib/providers/create-pitr-provider-for";
import type { PitrEndpoint } from "@/lib/providers/pitr";
import type { RunKindDefinition } from "../engine/kind";
import { MessageRecorder } from "../engine/messages";
import { reportRunEvidence } from "../engine/report-run-evidence";
import { cleanupPitrRestore } from "./cleanup-pitr-restore";
import { drRegionText, sourceInPlannedRegion } from "./dr";
import { PITR_STEP_TIMEOUTS_MS, PitrRestorePlan } from "./plan";
import { PITR_STEP_BODIES, type PitrStepContext } from "./steps";

/** What this run may have left behind, for the messages of a run that stopped. */
function leftovers(step: RestoreStep | undefined, plan: PitrRestorePlan): string {
  const created = step !== undefined && step.name !== "preflight";
  return created ? ` What it created (${plan.identifiers.join(", ")}) is kept until you clean it up.` : "";
}

/**
 * A point-in-time restore into a new server. Every step adopts what the run already created, so
 * a worker that stops hands the run back and the next one resumes it. The run ends succeeded,
 * ready for a person's cutover, with the endpoint recorded; the source is never touched.
 */
export const pitrKind: RunKindDefinition<PitrRestorePlan, PitrStepContext> = {
  kind: "pitr",
  auditPrefix: "pitr",
  auditPayload: { kind: "pitr" },
  plan: PitrRestorePlan,
  steps: PITR_STEP_BODIES,
  stepTimeoutsMs: PITR_STEP_TIMEOUTS_MS,

  async prepare({ db, run, plan, owner }) {
    const { environment, source } = resolvePitrEnvironment(run.environment);
    // Every step, and a resumed run, works in the region the plan was made for.
    const provider = createPitrProviderFor(sourceInPlannedRegion(source, plan), plan.region ?? "primary");
    if (provider.kind !== plan.source.provider) {
      throw new ConfigurationError(
        `The PITR source of ${environment.name} changed since this restore was planned (it is now ${provider.kind}, was ${plan.source.provider}). Start a new restore.`,
      );
    }
    const password = source.passwordFrom ? await resolveSecret(source.passwordFrom) : undefined;
    const messages = new MessageRecorder({ db, run });
    const context: PitrStepContext = {
      db,
      run,
      plan,
      environment,
      source,
      provider,
      workerId: owner,
      password,
      endpoint: (run.endpoint as PitrEndpoint | null) ?? null,
      messages,
    };
    return { context, secrets: password ? [password] : [], flush: () => messages.flush() };
  },

  resumable: () => true,

  async beforeStep(db, run, step, plan) {
    if (step.name === "restore") {
      await reportRunEvidence(db, {
        runId: run.id,
        environment: run.environment,
        kind: "restore-running",
        description: `Restoring ${plan.source.description} to a point in time${plan.dr ? ` in ${drRegionText(plan.dr)}` : ""}`,
      });
    }
  },

  async afterStep(db, run, step) {
    if (step.name === "validate") {
      await reportRunEvidence(db, {
        runId: run.id,
        environment: run.environment,
        kind: "validation-passed",
        description: "Validation of the point-in-time restore passed",
      });
    }
  },

  succeededPayload: (_run, context) => ({ kind: "pitr", endpoint: context.endpoint ? { ...context.endpoint } : null }),
  cancelledMessage: (_run, step, plan) =>
    `Cancelled during ${step?.name ?? "start-up"}. The source was not touched.${leftovers(step, plan)}`,
  failureSuffix: leftovers,

  async cleanup({ ctx, input }) {
    // The restored server may be in use after a cutover: only a person removes it.
    if (!ctx.user) throw new ConflictError("A point-in-time restore is cleaned up only when a person asks.");
    return cleanupPitrRestore({ ctx: { ...ctx, user: ctx.user }, input });
  },
  expiresLeftovers: false,
};
