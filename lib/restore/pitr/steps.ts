import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { EnvironmentConfig, PitrSource } from "@/lib/config/schema";
import type { Db } from "@/lib/db/client";
import { BadRequestError } from "@/lib/errors";
import type { Prisma, RestoreRun } from "@/lib/generated/prisma/client";
import { PitrFailedError, type PitrCallContext, type PitrEndpoint, type PitrPreflight, type PitrProvider } from "@/lib/providers/pitr";
import { testConnectivity } from "@/lib/providers/postgres/connectivity-test";
import { restoredDatabaseEndpoint, type DatabaseEndpoint } from "@/lib/providers/postgres/endpoint-connection";
import { MessageRecorder } from "../engine/messages";
import { ValidationFailedError } from "../validation/validation-failed-error";
import { formatUtc } from "@/lib/format";
import { cutoverChecklist, endpointText, recoveryPointOf, type PitrRestorePlan, type PitrStepName } from "./plan";
import { reportRunEvidence } from "../engine/report-run-evidence";
import { untilAborted, type FailureWithOutput } from "../engine/step-runner";
import { recordValidationReport } from "../validation/record-validation-report";
import { runValidation } from "../validation/run-validation";

// The bodies of a point-in-time restore's steps. Every one may run again after a crash and do no
// harm: the providers adopt what this run already created (deterministic identifiers plus a tag
// or marker naming the run), and the later steps only read.

export interface PitrStepContext {
  db: Db;
  run: RestoreRun;
  plan: PitrRestorePlan;
  environment: EnvironmentConfig;
  source: PitrSource;
  provider: PitrProvider;
  /** The lease owner: the run is written only while we still hold it. */
  workerId: string;
  /** The source's password (the restored server has the same roles); never logged. */
  password: string | undefined;
  /** Set by the wait step, or read back from the run when resuming after it. */
  endpoint: PitrEndpoint | null;
  messages: MessageRecorder;
}

/** The wait step hands its own error (which says what to do) a little before the step's limit. */
const WAIT_MARGIN_MS = 5_000;
const CONNECT_TIMEOUT_MS = 15_000;
const CONNECTIVITY_STATEMENT_TIMEOUT_MS = 60_000;

export class PitrPreflightFailedError extends BadRequestError implements FailureWithOutput {
  readonly stepOutput: Prisma.InputJsonValue;

  constructor(preflight: PitrPreflight) {
    const failed = preflight.checks.filter((check) => !check.ok);
    super(`Preflight failed, nothing was created: ${failed.map((check) => `${check.name}: ${check.message}`).join(" ")}`);
    this.stepOutput = preflight as unknown as Prisma.InputJsonValue;
  }
}

function providerCall(c: PitrStepContext, signal: AbortSignal): PitrCallContext {
  return { signal, log: (line) => c.messages.add(line) };
}

function requireEndpoint(c: PitrStepContext): PitrEndpoint {
  if (!c.endpoint)
    throw new PitrFailedError("The restored server's endpoint is not known yet: the wait step has not finished. Start a new restore.");
  return c.endpoint;
}

/** See restoredDatabaseEndpoint: verify-full against the source's CA bundle on RDS/Aurora, plain on loopback. */
function endpointConnection(c: PitrStepContext, endpoint: PitrEndpoint): Promise<DatabaseEndpoint> {
  return restoredDatabaseEndpoint(c.source, endpoint, c.password);
}

export async function pitrPreflightStep(c: PitrStepContext, signal: AbortSignal): Promise<Prisma.InputJsonValue> {
  const preflight = await untilAborted(c.provider.preflight(c.run.id, recoveryPointOf(c.plan.target), providerCall(c, signal)), signal);
  if (!preflight.ok) throw new PitrPreflightFailedError(preflight);
  // The runbook's "Verify backup availability": for PITR, a described window that holds the target.
  await reportRunEvidence(c.db, {
    runId: c.run.id,
    environment: c.run.environment,
    kind: "backup-verified",
    description: `PITR window described and ${c.plan.target.kind === "latest" ? "latest restorable" : formatUtc(c.plan.target.time, "exact")} found restorable`,
  });
  return preflight as unknown as Prisma.InputJsonValue;
}

export async function pitrRestoreStep(c: PitrStepContext, signal: AbortSignal): Promise<Prisma.InputJsonValue> {
  if (c.plan.target.kind === "latest") {
    // The recovery point of "latest" is the window's end as the restore starts (kept if already pinned).
    const { latest } = await c.provider.describeWindow(providerCall(c, signal));
    if (latest)
      await c.db.restoreRun.updateMany({
        where: { id: c.run.id, leaseOwner: c.workerId, restorePointAt: null },
        data: { restorePointAt: latest },
      });
  }
  const { identifier, adopted } = await c.provider.restore(c.run.id, recoveryPointOf(c.plan.target), providerCall(c, signal));
  return { identifier, adopted };
}

export async function pitrWriterStep(c: PitrStepContext, signal: AbortSignal): Promise<Prisma.InputJsonValue> {
  const { identifier, adopted } = await untilAborted(c.provider.createWriter(c.run.id, providerCall(c, signal)), signal);
  return { identifier, adopted };
}

export async function pitrWaitStep(c: PitrStepContext, signal: AbortSignal, timeoutMs: number): Promise<Prisma.InputJsonValue> {
  const endpoint = await c.provider.waitUntilAvailable(c.run.id, {
    ...providerCall(c, signal),
    timeoutMs: Math.max(1_000, timeoutMs - WAIT_MARGIN_MS),
  });
  await c.db.restoreRun.updateMany({ where: { id: c.run.id, leaseOwner: c.workerId }, data: { endpoint: { ...endpoint } } });
  c.endpoint = endpoint;
  c.messages.add(`The restored server is available at ${endpointText(endpoint)}`);
  return { ...endpoint };
}

/** The runbook's `SELECT COUNT(*) FROM loans;` (or the configured query), read-only, on the restored database. */
export async function pitrConnectivityStep(c: PitrStepContext, signal: AbortSignal): Promise<Prisma.InputJsonValue> {
  const endpoint = requireEndpoint(c);
  const query = c.plan.connectivityQuery;
  const connection = await endpointConnection(c, endpoint);
  try {
    const tested = await untilAborted(
      testConnectivity(connection, query, {
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        statementTimeoutMs: CONNECTIVITY_STATEMENT_TIMEOUT_MS,
        signal,
      }),
      signal,
    );
    const output = { query, ...tested };
    c.messages.add(`${query} → ${String(output.result)} (${output.durationMs} ms)`);
    return output;
  } catch (error) {
    if (signal.aborted) throw error;
    throw new PitrFailedError(
      `The connectivity test (${query}) failed on ${endpointText(endpoint)}: ${error instanceof Error ? error.message : String(error)}. The restored server is kept; check it, then clean up.`,
      { cause: error },
    );
  }
}

export async function pitrValidateStep(c: PitrStepContext, signal: AbortSignal): Promise<Prisma.InputJsonValue> {
  const endpoint = requireEndpoint(c);
  const { restorePointAt } = await c.db.restoreRun.findUniqueOrThrow({ where: { id: c.run.id }, select: { restorePointAt: true } });
  const report = await untilAborted(
    runValidation({
      target: await endpointConnection(c, endpoint),
      checks: c.environment.validation.checks,
      // The "recent activity" window ends at the restore point, as it ends at a dump's time.
      context: restorePointAt ? { backupTakenAt: restorePointAt } : {},
    }),
    signal,
  );
  const where = `the restored server ${endpointText(endpoint)}`;
  await recordValidationReport(c.db, { runId: c.run.id, workerId: c.workerId, report, database: endpointText(endpoint) });
  if (!report.passed) throw new ValidationFailedError(report, where, c.plan.source.description);
  return { passed: true, checks: report.results.length, failed: [] };
}

/** Hands over to a person: the endpoint and the cutover checklist. Nothing is repointed here. */
export async function pitrReadyForCutoverStep(c: PitrStepContext): Promise<Prisma.InputJsonValue> {
  const endpoint = requireEndpoint(c);
  const { restorePointAt } = await c.db.restoreRun.findUniqueOrThrow({ where: { id: c.run.id }, select: { restorePointAt: true } });
  const checklist = cutoverChecklist({ endpoint, sourceDescription: c.plan.source.description, incident: c.plan.incident !== null });
  await recordAuditEvent(c.db, {
    actor: SYSTEM,
    action: "pitr.ready-for-cutover",
    subject: { type: "restore-run", id: c.run.id },
    payload: { environment: c.run.environment, endpoint: { ...endpoint }, restorePointAt: restorePointAt?.toISOString() ?? null },
    requestId: c.run.id,
  });
  return { endpoint: { ...endpoint }, restorePointAt: restorePointAt?.toISOString() ?? null, checklist };
}

export const PITR_STEP_BODIES: Record<
  Exclude<PitrStepName, "cleanup" | "drop">,
  (c: PitrStepContext, signal: AbortSignal, timeoutMs: number) => Promise<Prisma.InputJsonValue>
> = {
  preflight: pitrPreflightStep,
  restore: pitrRestoreStep,
  writer: pitrWriterStep,
  wait: pitrWaitStep,
  connectivity: pitrConnectivityStep,
  validate: pitrValidateStep,
  "ready-for-cutover": (c) => pitrReadyForCutoverStep(c),
};
