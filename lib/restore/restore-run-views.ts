import type { RestoreRun, RestoreStep, RestoreStepAttempt, ValidationResult } from "@/lib/generated/prisma/client";
import type { PitrEndpoint } from "@/lib/providers/pitr";
import type { StepName } from "./logical/plan";
import { pitrCleanupView, type PitrCleanupView } from "./pitr/cleanup-rules";
import { pitrTargetLabel, type PitrStepName } from "./pitr/plan";
import { isRunStatus, type RunStatus, type StepStatus } from "./engine/state";
import type { RestoreMethod } from "@/lib/incidents/measure-objectives";
import { methodOfPlan, readPlan, type RestorePlan } from "./read-plan";
import { severityOf } from "./validation/severity";
import type { Severity } from "./validation/types";

/** What a run was planned as: a logical restore of a dump, or a point-in-time restore (by `kind`). */
export type RunStepName = StepName | PitrStepName;

/** The running step's latest progress, as stored on the run and sent in `progress` events. */
export interface RestoreProgressView {
  step: StepName;
  phase: string;
  bytesRead: number;
  totalBytes: number | null;
  /** Decompressed SQL sent to psql (plain dumps). */
  sqlBytes: number;
  /** COPY rows and INSERTs sent to psql (plain dumps). */
  rows: number;
  /** Custom format: tables whose data pg_restore has started. */
  tables: { started: number; total: number } | null;
  percent: number | null;
  bytesPerSecond: number | null;
  elapsedMs: number;
  etaMs: number | null;
  at: string;
}

export interface RestoreRunView {
  id: string;
  kind: string;
  /** The objective it is measured against: a restore from another region is "crossRegion". */
  method: RestoreMethod;
  environment: string;
  targetName: string;
  targetDatabase: string;
  backupId: string | null;
  backupName: string;
  mode: string;
  newDatabaseName: string | null;
  status: RunStatus;
  /** The step running now, or the one the run waits at. */
  currentStep: RunStepName | null;
  scratchDatabase: string;
  previousDatabase: string | null;
  rolledBackDatabase: string | null;
  requestedByEmail: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** From start to finish (or to now while active). */
  durationMs: number | null;
  /** For people: what happened and what to do next. */
  error: string | null;
  troubleshooting: string | null;
  /** The raw error, secrets filtered. */
  errorDetail: string | null;
  progress: RestoreProgressView | null;
  cancelRequestedAt: string | null;
  swapConfirmedByEmail: string | null;
  swapConfirmedAt: string | null;
  rolledBackAt: string | null;
  validationPassed: boolean | null;
  restorePointAt: string | null;
  /** PITR runs: where the restored server answers, once it does (never a password). */
  endpoint: PitrEndpoint | null;
  /** PITR runs: when a person said traffic moved to the restored server, and who. */
  cutOverAt: string | null;
  cutOverByEmail: string | null;
  /** PITR runs: what clean-up deletes and keeps, what to type, or why it is refused. */
  pitrCleanup: PitrCleanupView | null;
  /** What the person may do now (the verbs still check). */
  actions: { cancel: boolean; confirmSwap: boolean; rollback: boolean; cleanup: boolean; cutOver: boolean };
  /** Typed to confirm the swap: `<backup name> -> <target database>`. */
  swapConfirmation: string | null;
}

export interface RestoreStepView {
  position: number;
  name: RunStepName;
  title: string;
  description: string;
  status: StepStatus;
  automatic: boolean;
  timeoutMs: number;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  output: unknown;
  error: string | null;
  /** Every time a worker ran the step, oldest first; more than one means it was retried (a worker died). */
  attempts: StepAttemptView[];
}

export interface StepAttemptView {
  attempt: number;
  /** `host:pid` of the worker process that ran it. */
  worker: string;
  startedAt: string;
  finishedAt: string | null;
  /** null while running; "abandoned" when its worker stopped and another took the run over. */
  outcome: string | null;
}

/** The worker id is `host:pid:job`; people need the process. */
function workerProcessOf(workerId: string): string {
  return workerId.split(":").slice(0, 2).join(":");
}

export interface ValidationResultView {
  position: number;
  name: string;
  kind: string;
  description: string;
  sql: string;
  expectation: string;
  actual: number | null;
  rows: unknown;
  rowCount: number | null;
  passed: boolean;
  severity: Severity;
  message: string;
  durationMs: number;
  /** An admin accepted this blocking failure: when, who, why. */
  acceptedAt: string | null;
  acceptedByEmail: string | null;
  acceptanceReason: string | null;
}

export function runStatusOf(value: string): RunStatus {
  // Rows are only ever written through the transition table; anything else is a bug worth seeing.
  if (!isRunStatus(value)) throw new Error(`restore run has an unknown status ${JSON.stringify(value)}`);
  return value;
}

function iso(date: Date | null): string | null {
  return date?.toISOString() ?? null;
}

function durationBetween(from: Date | null, to: Date | null, now: Date): number | null {
  if (!from) return null;
  return Math.max(0, (to ?? now).getTime() - from.getTime());
}

/** The step a run is at: the one running, else the first automatic one not yet done. */
export function currentStepOf(status: RunStatus, steps: readonly Pick<RestoreStep, "name" | "status" | "position">[]): RunStepName | null {
  if (status !== "running" && status !== "awaiting-swap" && status !== "queued") return null;
  const ordered = [...steps].sort((a, b) => a.position - b.position);
  const step = ordered.find((s) => s.status === "running") ?? ordered.find((s) => s.status === "pending" || s.status === "failed");
  return (step?.name as RunStepName | undefined) ?? null;
}

export function restoreRunView(
  run: RestoreRun,
  steps: readonly Pick<RestoreStep, "name" | "status" | "position">[],
  now = new Date(),
): RestoreRunView {
  const status = runStatusOf(run.status);
  const plan = readPlan(run);
  const pitrCleanup = plan.kind === "pitr" ? pitrCleanupView(plan.source.provider, plan.identifiers, run) : null;
  const finished = status !== "queued" && status !== "running" && status !== "awaiting-swap";
  const cleanedUp = steps.some((s) => s.name === "cleanup" && s.status === "succeeded");
  // A drill deletes what it restored itself; clean-up is for when it could not.
  const dropped = steps.some((s) => s.name === "drop" && s.status === "succeeded");
  return {
    id: run.id,
    kind: run.kind,
    method: methodOfPlan(plan),
    environment: run.environment,
    targetName: run.targetName,
    targetDatabase: run.targetDatabase,
    backupId: run.backupId,
    backupName: plan.kind === "pitr" ? `PITR to ${pitrTargetLabel(plan.target)}` : plan.source.name,
    mode: run.mode,
    newDatabaseName: run.newDatabaseName,
    status,
    currentStep: currentStepOf(status, steps),
    scratchDatabase: run.scratchDatabase,
    previousDatabase: run.previousDatabase,
    rolledBackDatabase: run.rolledBackDatabase,
    requestedByEmail: run.requestedByEmail,
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    durationMs: durationBetween(run.startedAt ?? run.createdAt, run.finishedAt, now),
    error: run.error,
    troubleshooting: run.troubleshooting,
    errorDetail: run.errorDetail,
    progress: (run.progress as RestoreProgressView | null) ?? null,
    cancelRequestedAt: iso(run.cancelRequestedAt),
    swapConfirmedByEmail: run.swapConfirmedByEmail,
    swapConfirmedAt: iso(run.swapConfirmedAt),
    rolledBackAt: iso(run.rolledBackAt),
    validationPassed: run.validationPassed,
    restorePointAt: iso(run.restorePointAt),
    endpoint: (run.endpoint as PitrEndpoint | null) ?? null,
    cutOverAt: iso(run.cutOverAt),
    cutOverByEmail: run.cutOverByEmail,
    pitrCleanup,
    actions: {
      cancel: (status === "queued" || status === "running" || status === "awaiting-swap") && run.cancelRequestedAt === null,
      confirmSwap: status === "awaiting-swap",
      rollback: status === "succeeded" && run.mode === "swap" && run.previousDatabase !== null,
      cleanup: finished && !pitrCleanup?.refusal && !dropped,
      // A drill's restored server is deleted at its end: nobody cuts over to it.
      cutOver: plan.kind === "pitr" && run.kind !== "drill" && finished && run.endpoint !== null && run.cutOverAt === null && !cleanedUp,
    },
    swapConfirmation: plan.kind === "pitr" ? null : plan.confirmations.swap,
  };
}

export function restoreStepView(
  step: RestoreStep & { attempts?: RestoreStepAttempt[] },
  plan: RestorePlan,
  now = new Date(),
): RestoreStepView {
  const planned = plan.steps.find((s) => s.position === step.position);
  return {
    position: step.position,
    name: step.name as RunStepName,
    title: planned?.title ?? step.name,
    description: planned?.description ?? "",
    status: step.status as StepStatus,
    automatic: planned?.automatic ?? true,
    timeoutMs: planned?.timeoutMs ?? 0,
    startedAt: iso(step.startedAt),
    finishedAt: iso(step.finishedAt),
    durationMs: step.status === "pending" ? null : durationBetween(step.startedAt, step.finishedAt, now),
    output: step.output,
    error: step.error,
    attempts: (step.attempts ?? []).map((a) => ({
      attempt: a.attempt,
      worker: workerProcessOf(a.workerId),
      startedAt: a.startedAt.toISOString(),
      finishedAt: iso(a.finishedAt),
      outcome: a.outcome,
    })),
  };
}

export function validationResultView(result: ValidationResult): ValidationResultView {
  return {
    position: result.position,
    name: result.name,
    kind: result.kind,
    description: result.description,
    sql: result.sql,
    expectation: result.expectation,
    actual: result.actual,
    rows: result.rows,
    rowCount: result.rowCount,
    passed: result.passed,
    severity: severityOf(result.severity),
    message: result.message,
    durationMs: result.durationMs,
    acceptedAt: iso(result.acceptedAt),
    acceptedByEmail: result.acceptedByEmail,
    acceptanceReason: result.acceptanceReason,
  };
}
