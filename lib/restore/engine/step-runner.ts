import type { Db } from "@/lib/db/client";
import type { Prisma, RestoreStep } from "@/lib/generated/prisma/client";
import { UnavailableError } from "@/lib/errors";
import { formatDuration } from "../logical/plan";
import { appendRunEvent } from "./events";
import { describeFailure } from "./troubleshooting";

/** Why a run's work was stopped from outside a step. */
export type AbortKind = "cancelled" | "shutdown" | "lease-lost";

export class RunAbortedError extends Error {
  constructor(readonly kind: AbortKind) {
    super(
      kind === "cancelled"
        ? "The restore was cancelled."
        : kind === "shutdown"
          ? "The worker is shutting down."
          : "Another process took over this run (its lease lapsed).",
    );
    this.name = "RunAbortedError";
  }
}

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
  timeoutMs: number;
  /** The run's signal: cancel, shutdown or a lost lease. */
  signal: AbortSignal;
  /** Literal secrets to mask in a stored error. */
  secrets?: readonly string[];
  /** Must honour the signal it is given (kill the tool, stop waiting) and reject when it fires. */
  execute: (signal: AbortSignal) => Promise<T>;
}

/**
 * Runs one persisted step: a step that already succeeded returns its stored output and never
 * runs again; otherwise it is marked running, given its own timeout, and its outcome (output
 * or error, timings) is stored. A step stopped by a shutdown or a lost lease is left `running`
 * on purpose: the sweeper decides what happens next from what it finds.
 */
export async function runStep<T extends Prisma.InputJsonValue>(args: RunStepArgs<T>): Promise<T> {
  const { db, runId, step } = args;
  if (step.status === "succeeded") return step.output as T;
  if (args.signal.aborted) throw args.signal.reason;

  await db.restoreStep.updateMany({
    where: { id: step.id, status: { not: "succeeded" } },
    data: { status: "running", startedAt: new Date(), finishedAt: null, error: null },
  });
  await appendRunEvent(db, runId, "step.started", { step: step.name, position: step.position, timeoutMs: args.timeoutMs });

  const controller = new AbortController();
  const forward = () => controller.abort(args.signal.reason);
  args.signal.addEventListener("abort", forward, { once: true });
  const timer = setTimeout(() => controller.abort(new StepTimeoutError(step.name, args.timeoutMs)), args.timeoutMs);
  try {
    const output = await args.execute(controller.signal);
    await db.restoreStep.update({ where: { id: step.id }, data: { status: "succeeded", finishedAt: new Date(), output } });
    await appendRunEvent(db, runId, "step.succeeded", { step: step.name, position: step.position });
    return output;
  } catch (thrown) {
    // The abort's reason says why, whatever the step threw while stopping.
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : thrown;
    if (reason instanceof RunAbortedError && reason.kind !== "cancelled") throw reason;
    const finishedAt = new Date();
    const output = hasStepOutput(thrown) ? thrown.stepOutput : undefined;
    if (reason instanceof RunAbortedError) {
      await db.restoreStep.update({ where: { id: step.id }, data: { status: "cancelled", finishedAt, error: reason.message, output } });
      await appendRunEvent(db, runId, "step.cancelled", { step: step.name, position: step.position });
    } else if (reason instanceof StepDeferredError) {
      await db.restoreStep.update({ where: { id: step.id }, data: { status: "pending", startedAt: null, finishedAt: null, error: reason.message } });
    } else {
      const described = describeFailure(reason, args.secrets);
      await db.restoreStep.update({ where: { id: step.id }, data: { status: "failed", finishedAt, error: described.error, output } });
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
