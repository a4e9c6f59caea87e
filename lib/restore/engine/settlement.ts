import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { Db } from "@/lib/db/client";
import type { Prisma, RestoreRun, RestoreStep } from "@/lib/generated/prisma/client";
import { appendRunEvent } from "./events";
import type { KindSettlement, PersonHold } from "./kind";
import { releaseLease, RunAbortedError } from "./lease";
import { reportRunEvidence } from "./report-run-evidence";
import { StepDeferredError } from "./step-runner";
import { transitionRun } from "./transition-run";
import { ADVICE, describeFailure } from "./troubleshooting";

// How a run ends, for every kind: the last status move with its audit record, and what a stop
// (cancel, shutdown, lost lease, failure, a step that needs a person) means for the run.

export type RunOutcome = "not-claimed" | "awaiting-swap" | "succeeded" | "failed" | "cancelled" | "interrupted" | "released" | "lease-lost";

export interface Finish {
  to: "succeeded" | "failed" | "cancelled" | "interrupted";
  data?: Omit<Prisma.RestoreRunUpdateManyMutationInput, "status">;
  action: string;
  payload?: Record<string, unknown>;
}

/** The run's last move, its lock released, remaining steps marked skipped, and the audit record, in one transaction. */
export async function finishRun(db: Db, run: RestoreRun, owner: string, finish: Finish): Promise<void> {
  await db.$transaction(async (tx) => {
    await transitionRun(tx, run.id, ["running"], finish.to, finish.data, { leaseOwner: owner });
    if (finish.to !== "succeeded") {
      await tx.restoreStep.updateMany({
        where: { runId: run.id, status: "pending", name: { not: "cleanup" } },
        data: { status: "skipped" },
      });
    }
    await recordAuditEvent(tx, {
      actor: SYSTEM,
      action: finish.action,
      outcome: finish.to === "succeeded" ? "ok" : "failed",
      subject: { type: "restore-run", id: run.id },
      payload: { environment: run.environment, target: run.targetName, targetDatabase: run.targetDatabase, ...finish.payload },
      requestId: run.id,
    });
  });
  await reportRunEvidence(db, {
    runId: run.id,
    environment: run.environment,
    kind: "restore-finished",
    outcome: finish.to === "succeeded" ? "succeeded" : "failed",
    description: `Restore of ${run.targetName} ${finish.to}`,
  });
}

/** Fails a run before any step ran (its configuration could not be resolved). */
export async function failBeforeSteps(
  db: Db,
  run: RestoreRun,
  owner: string,
  kind: Pick<KindSettlement, "auditPrefix">,
  error: unknown,
): Promise<RunOutcome> {
  const described = describeFailure(error);
  await finishRun(db, run, owner, {
    to: "failed",
    data: { error: described.error, errorDetail: described.detail, troubleshooting: described.troubleshooting },
    action: `${kind.auditPrefix}.failed`,
  });
  return "failed";
}

/**
 * Moves the run to awaiting-swap and lets go of its lease, as its lease holder: a person's
 * confirmation (or an admin's acceptance) sends it back. `forgetConfirmation`: a confirmation
 * given earlier no longer counts (sessions or failures may differ by the time they look again).
 */
export async function awaitPerson(
  tx: Prisma.TransactionClient,
  runId: string,
  owner: string,
  options: { forgetConfirmation: boolean; error?: string },
): Promise<void> {
  await transitionRun(
    tx,
    runId,
    ["running"],
    "awaiting-swap",
    {
      leaseOwner: null,
      leaseExpiresAt: null,
      leaseJobId: null,
      ...(options.error !== undefined ? { error: options.error } : {}),
      ...(options.forgetConfirmation ? { swapConfirmedAt: null, swapConfirmedByEmail: null, swapTerminateSessions: false } : {}),
    },
    { leaseOwner: owner },
  );
}

/** Hands the run to a person (awaiting-swap) and lets go of it: a confirmation or an admin's acceptance sends it back. */
export async function holdForPerson(
  db: Db,
  run: RestoreRun,
  owner: string,
  kind: Pick<KindSettlement, "auditPrefix">,
  hold: PersonHold,
): Promise<RunOutcome> {
  const blocking = hold.blockingFailures.length > 0;
  await db.$transaction(async (tx) => {
    await awaitPerson(tx, run.id, owner, { forgetConfirmation: blocking });
    await recordAuditEvent(tx, {
      actor: SYSTEM,
      action: `${kind.auditPrefix}.awaiting-swap`,
      subject: { type: "restore-run", id: run.id },
      payload: {
        environment: run.environment,
        target: run.targetName,
        scratchDatabase: run.scratchDatabase,
        blockingFailures: hold.blockingFailures,
      },
      requestId: run.id,
    });
  });
  return "awaiting-swap";
}

export interface StopArgs<P> {
  db: Db;
  run: RestoreRun;
  owner: string;
  kind: KindSettlement<P>;
  plan: P;
  /** The step that was running (or about to), if any. */
  step: RestoreStep | undefined;
  error: unknown;
  secrets: readonly string[];
  /** Runs just before the run is ended (not when it is handed back): a drill drops its copy here. */
  beforeEnd?: (to: "failed" | "cancelled" | "interrupted") => Promise<void>;
}

/**
 * What a stopped run becomes. A lost lease: nothing (the new holder settles it). A shutdown: the
 * run is handed back to be resumed, unless its step cannot resume (then interrupted). A cancel:
 * cancelled, saying what is kept. A step that needs a person: awaiting-swap. Anything else: failed,
 * with the troubleshooting advice for what went wrong.
 */
export async function settleStop<P>({ db, run, owner, kind, plan, step, error, secrets, beforeEnd }: StopArgs<P>): Promise<RunOutcome> {
  if (error instanceof RunAbortedError) {
    if (error.kind === "lease-lost") return "lease-lost";
    if (error.kind === "shutdown") {
      if (!step || kind.resumable(step.name)) {
        await releaseLease(db, run.id, owner);
        return "released";
      }
      const message =
        kind.interruptedMessage ?? `The worker stopped during the ${step.name} step, which cannot resume. Start the run again.`;
      await db.restoreStep.update({ where: { id: step.id }, data: { status: "failed", finishedAt: new Date(), error: message } });
      await beforeEnd?.("interrupted");
      await finishRun(db, run, owner, {
        to: "interrupted",
        data: { error: message, troubleshooting: ADVICE.interrupted },
        action: `${kind.auditPrefix}.interrupted`,
        payload: { ...kind.auditPayload, step: step.name, reason: "worker shutdown" },
      });
      return "interrupted";
    }
    await beforeEnd?.("cancelled");
    await finishRun(db, run, owner, {
      to: "cancelled",
      data: { error: kind.cancelledMessage(run, step, plan) },
      action: `${kind.auditPrefix}.cancelled`,
      payload: { ...kind.auditPayload, step: step?.name ?? null },
    });
    return "cancelled";
  }
  if (error instanceof StepDeferredError) {
    await db.$transaction(async (tx) => {
      await awaitPerson(tx, run.id, owner, { forgetConfirmation: true, error: error.message });
      await appendRunEvent(tx, run.id, "swap", { deferred: true, message: error.message, ...error.details });
    });
    return "awaiting-swap";
  }
  const described = describeFailure(error, secrets);
  // The failure's kind (e.g. dump-refused) makes a refused dump findable in the audit log.
  const failure = (error as { failure?: unknown } | null)?.failure;
  await beforeEnd?.("failed");
  await finishRun(db, run, owner, {
    to: "failed",
    data: {
      error: `${described.error}${kind.failureSuffix?.(step, plan) ?? ""}`,
      errorDetail: described.detail,
      troubleshooting: described.troubleshooting,
    },
    action: `${kind.auditPrefix}.failed`,
    payload: {
      ...kind.auditPayload,
      step: step?.name ?? null,
      error: described.error,
      ...(typeof failure === "string" ? { failure } : {}),
    },
  });
  return "failed";
}
