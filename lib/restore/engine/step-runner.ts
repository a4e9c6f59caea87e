import type { Db } from "@/lib/db/client";
import type { Prisma, RestoreStep } from "@/lib/generated/prisma/client";
import { UnavailableError } from "@/lib/errors";
import { formatDuration } from "@/lib/format";
import { appendRunEvent } from "./events";
import { holdsLease, RunAbortedError } from "./lease";
import { describeFailure } from "./troubleshooting";

export { RunAbortedError, type AbortKind } from "./lease";

export class StepTimeoutError extends UnavailableError {
  constructor(
    readonly step: string,
    readonly timeoutMs: number,
  ) {
    super(`The ${step} step did not finish within ${formatDuration(timeoutMs)} and was stopped.`);
  }
}

/** A step that cannot go on without a person (e.g. sessions to end before a swap): it goes back to pending. */
export class StepDeferredError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "StepDeferredError";
  }
}

/** A failure that still produced something worth keeping on the step (a preflight or validation report). */
export interface FailureWithOutput {
  stepOutput: Prisma.InputJsonValue;
}

function hasStepOutput(error: unknown): error is FailureWithOutput {
  return typeof error === "object" && error !== null && "stepOutput" in error;
}

export interface RunStepArgs<T extends Prisma.InputJsonValue> {
  db: Db;
  runId: string;
  step: RestoreStep;
  /** The lease holder: the step starts only while it still holds the run, and its attempt names it. */
  owner: string;
  timeoutMs: number;
  /** The run's signal: cancel, shutdown or a lost lease. */
  signal: AbortSignal;
  /** Literal secrets to mask in a stored error. */
  secrets?: readonly string[];
  /** Must honour the signal it is given (kill the tool, stop waiting) and reject when it fires. */
  execute: (signal: AbortSignal) => Promise<T>;
}

/** How an attempt ended; null stays on an attempt whose worker died (the sweeper marks it abandoned). */
type AttemptOutcome = "succeeded" | "failed" | "cancelled" | "deferred" | "stopped";

/**
 * Marks the step running and records a new attempt, in one transaction and only while `owner`
 * holds a live lease: a worker that lost the run (and does not know yet) never starts a step.
 * A step that succeeded meanwhile (another worker) is not started again.
 */
async function startAttempt(db: Db, runId: string, step: RestoreStep, owner: string): Promise<string> {
  return db.$transaction(async (tx) => {
    if (!(await holdsLease(tx, runId, owner))) throw new RunAbortedError("lease-lost");
    const started = await tx.restoreStep.updateMany({
      where: { id: step.id, status: { not: "succeeded" } },
      data: { status: "running", startedAt: new Date(), finishedAt: null, error: null },
    });
    if (started.count === 0) throw new RunAbortedError("lease-lost");
    const attempt = (await tx.restoreStepAttempt.count({ where: { stepId: step.id } })) + 1;
    const row = await tx.restoreStepAttempt.create({ data: { stepId: step.id, runId, attempt, workerId: owner }, select: { id: true } });
    return row.id;
  });
}

async function endAttempt(db: Db, attemptId: string, outcome: AttemptOutcome): Promise<void> {
  await db.restoreStepAttempt.update({ where: { id: attemptId }, data: { outcome, finishedAt: new Date() } });
}

/**
 * Runs one persisted step: a step that already succeeded returns its stored output and never
 * runs again; otherwise it is marked running, its attempt recorded, given its own timeout, and
 * its outcome (output or error, timings) is stored. A step stopped by a lost lease is left
 * `running` on purpose, and one stopped by a shutdown too: the sweeper decides what happens next.
 */
export async function runStep<T extends Prisma.InputJsonValue>(args: RunStepArgs<T>): Promise<T> {
  const { db, runId, step } = args;
  if (step.status === "succeeded") return step.output as T;
  if (args.signal.aborted) throw args.signal.reason;

  const attemptId = await startAttempt(db, runId, step, args.owner);
  await appendRunEvent(db, runId, "step.started", { step: step.name, position: step.position, timeoutMs: args.timeoutMs });

  const controller = new AbortController();
  const forward = () => controller.abort(args.signal.reason);
  args.signal.addEventListener("abort", forward, { once: true });
  const timer = setTimeout(() => controller.abort(new StepTimeoutError(step.name, args.timeoutMs)), args.timeoutMs);
  try {
    const output = await args.execute(controller.signal);
    await db.$transaction([
      db.restoreStep.update({ where: { id: step.id }, data: { status: "succeeded", finishedAt: new Date(), output } }),
      db.restoreStepAttempt.update({ where: { id: attemptId }, data: { outcome: "succeeded", finishedAt: new Date() } }),
    ]);
    await appendRunEvent(db, runId, "step.succeeded", { step: step.name, position: step.position });
    return output;
  } catch (thrown) {
    // The abort's reason says why, whatever the step threw while stopping.
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : thrown;
    if (reason instanceof RunAbortedError && reason.kind !== "cancelled") {
      // A lost lease leaves the attempt open: the process that took the run over settles it.
      if (reason.kind === "shutdown") await endAttempt(db, attemptId, "stopped");
      throw reason;
    }
    const finishedAt = new Date();
    const output = hasStepOutput(thrown) ? thrown.stepOutput : undefined;
    if (reason instanceof RunAbortedError) {
      await db.restoreStep.update({ where: { id: step.id }, data: { status: "cancelled", finishedAt, error: reason.message, output } });
      await endAttempt(db, attemptId, "cancelled");
      await appendRunEvent(db, runId, "step.cancelled", { step: step.name, position: step.position });
    } else if (reason instanceof StepDeferredError) {
      await db.restoreStep.update({
        where: { id: step.id },
        data: { status: "pending", startedAt: null, finishedAt: null, error: reason.message },
      });
      await endAttempt(db, attemptId, "deferred");
    } else {
      const described = describeFailure(reason, args.secrets);
      await db.restoreStep.update({ where: { id: step.id }, data: { status: "failed", finishedAt, error: described.error, output } });
      await endAttempt(db, attemptId, "failed");
      await appendRunEvent(db, runId, "step.failed", { step: step.name, position: step.position, error: described.error });
    }
    throw reason;
  } finally {
    clearTimeout(timer);
    args.signal.removeEventListener("abort", forward);
  }
}

/** Resolves with `work`, or rejects with the signal's reason as soon as it fires (for work that cannot be interrupted, and changes nothing). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
