import { resolveSecret } from "@/lib/config/secrets";
import type { Db } from "@/lib/db/client";
import { ConfigurationError } from "@/lib/errors";
import type { RestoreRun, RestoreStep } from "@/lib/generated/prisma/client";
import { createPitrProviderFor } from "@/lib/providers/create-pitr-provider-for";
import type { PitrEndpoint } from "@/lib/providers/pitr";
import { MessageRecorder } from "../logical/steps";
import { resolvePitrEnvironment } from "../../config/resolve-pitr-environment";
import { PITR_STEP_TIMEOUTS_MS, type PitrRestorePlan, type PitrStepName } from "./plan";
import { PITR_STEP_BODIES, type PitrStepContext } from "./steps";
import { reportRunEvidence } from "../engine/report-run-evidence";
import { finishRun, runWithLease, type RunnerOptions, type RunOutcome } from "../engine/run-with-lease";
import { RunAbortedError, runStep } from "../engine/step-runner";
import { describeFailure } from "../engine/troubleshooting";

/**
 * The worker's side of a point-in-time restore: claims the run with a lease and runs its steps
 * in order (a succeeded step never runs again). Every step is safe to repeat, so a worker that
 * stops hands the run back and the next one resumes it. The run ends succeeded, ready for a
 * person's cutover, with the endpoint recorded; the source is never touched.
 */
export async function runPitrRestore({ ctx, input, options }: { ctx: { db: Db }; input: { runId: string }; options: RunnerOptions }): Promise<RunOutcome> {
  return runWithLease(ctx.db, input.runId, options, drivePitr);
}

async function contextFor(db: Db, run: RestoreRun, owner: string): Promise<PitrStepContext> {
  const plan = run.plan as unknown as PitrRestorePlan;
  const { environment, source } = resolvePitrEnvironment(run.environment);
  const provider = createPitrProviderFor(source);
  if (provider.kind !== plan.source.provider) {
    throw new ConfigurationError(`The PITR source of ${environment.name} changed since this restore was planned (it is now ${provider.kind}, was ${plan.source.provider}). Start a new restore.`);
  }
  return {
    db,
    run,
    plan,
    environment,
    source,
    provider,
    workerId: owner,
    password: source.passwordFrom ? await resolveSecret(source.passwordFrom) : undefined,
    endpoint: (run.endpoint as PitrEndpoint | null) ?? null,
    messages: new MessageRecorder({ db, run }),
  };
}

async function drivePitr(db: Db, runId: string, owner: string, signal: AbortSignal, options: RunnerOptions): Promise<RunOutcome> {
  const run = await db.restoreRun.findUniqueOrThrow({ where: { id: runId }, include: { steps: { orderBy: { position: "asc" } } } });
  let context: PitrStepContext;
  try {
    context = await contextFor(db, run, owner);
  } catch (error) {
    const described = describeFailure(error);
    await finishRun(db, run, owner, { to: "failed", data: { error: described.error, errorDetail: described.detail, troubleshooting: described.troubleshooting }, action: "pitr.failed" });
    return "failed";
  }
  const secrets = context.password ? [context.password] : [];

  let current: RestoreStep | undefined;
  try {
    for (const step of run.steps) {
      if (step.name === "cleanup" || step.status === "succeeded") continue;
      current = step;
      const name = step.name as Exclude<PitrStepName, "cleanup">;
      if (name === "restore") {
        await reportRunEvidence(db, { runId, environment: run.environment, kind: "restore-running", description: `Restoring ${context.plan.source.description} to a point in time` });
      }
      const timeoutMs = options.stepTimeoutsMs?.[name] ?? PITR_STEP_TIMEOUTS_MS[name];
      await runStep({ db, runId, step, timeoutMs, signal, secrets, execute: (stepSignal) => PITR_STEP_BODIES[name](context, stepSignal, timeoutMs) });
      if (name === "validate") {
        await reportRunEvidence(db, { runId, environment: run.environment, kind: "validation-passed", description: "Validation of the point-in-time restore passed" });
      }
    }
    await context.messages.flush();
    await finishRun(db, run, owner, {
      to: "succeeded",
      data: { error: null, errorDetail: null, troubleshooting: null },
      action: "pitr.succeeded",
      payload: { kind: "pitr", endpoint: context.endpoint ? { ...context.endpoint } : null },
    });
    return "succeeded";
  } catch (error) {
    await context.messages.flush();
    return settlePitrFailure(db, run, owner, current, error, secrets, context.plan);
  }
}

/** What this run may have left behind, for the messages of a run that stopped. */
function leftovers(step: RestoreStep | undefined, plan: PitrRestorePlan): string {
  const created = step !== undefined && step.name !== "preflight";
  return created ? ` What it created (${plan.identifiers.join(", ")}) is kept until you clean it up.` : "";
}

async function settlePitrFailure(db: Db, run: RestoreRun, owner: string, step: RestoreStep | undefined, error: unknown, secrets: readonly string[], plan: PitrRestorePlan): Promise<RunOutcome> {
  if (error instanceof RunAbortedError) {
    if (error.kind === "lease-lost") return "lease-lost";
    if (error.kind === "shutdown") {
      // Every PITR step adopts what it started: hand the run back, and the sweeper re-sends it.
      await db.$executeRaw`UPDATE restore_runs SET lease_owner = NULL, lease_expires_at = now() WHERE id = ${run.id}::uuid AND lease_owner = ${owner}`;
      return "released";
    }
    await finishRun(db, run, owner, {
      to: "cancelled",
      data: { error: `Cancelled during ${step?.name ?? "start-up"}. The source was not touched.${leftovers(step, plan)}` },
      action: "pitr.cancelled",
      payload: { kind: "pitr", step: step?.name ?? null },
    });
    return "cancelled";
  }
  const described = describeFailure(error, secrets);
  await finishRun(db, run, owner, {
    to: "failed",
    data: { error: `${described.error}${leftovers(step, plan)}`, errorDetail: described.detail, troubleshooting: described.troubleshooting },
    action: "pitr.failed",
    payload: { kind: "pitr", step: step?.name ?? null, error: described.error },
  });
  return "failed";
}
