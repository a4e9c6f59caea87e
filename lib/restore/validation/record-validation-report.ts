import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { appendRunEvent } from "../engine/events";
import { isBlockingFailure, isWarning } from "./severity";
import type { ValidationReport } from "./types";

/**
 * Stores a run's validation report with its verdict, an event and the audit record, in one
 * transaction. Validation may run again after a crash: its results are replaced, never doubled.
 * The verdict is written only while `workerId` still holds the run.
 */
export async function recordValidationReport(
  db: Db,
  input: { runId: string; workerId: string; report: ValidationReport; database: string },
): Promise<void> {
  const { runId, report } = input;
  const failed = report.results.filter(isBlockingFailure).map((r) => r.name);
  const warnings = report.results.filter(isWarning).map((r) => r.name);
  await db.$transaction(async (tx) => {
    await tx.validationResult.deleteMany({ where: { runId } });
    await tx.validationResult.createMany({
      data: report.results.map((r, position) => ({
        runId,
        position,
        name: r.name,
        kind: r.kind,
        description: r.description,
        sql: r.sql,
        expectation: r.expectation,
        actual: r.actual,
        rows: r.rows === undefined ? undefined : (r.rows as Prisma.InputJsonValue),
        rowCount: r.rowCount ?? null,
        passed: r.passed,
        severity: r.severity,
        message: r.message,
        durationMs: r.durationMs,
      })),
    });
    await tx.restoreRun.updateMany({ where: { id: runId, leaseOwner: input.workerId }, data: { validationPassed: report.passed } });
    await appendRunEvent(tx, runId, "validation", { passed: report.passed, checks: report.results.length, failed, warnings });
    await recordAuditEvent(tx, {
      actor: SYSTEM,
      action: "restore.validate",
      outcome: report.passed ? "ok" : "failed",
      subject: { type: "restore-run", id: runId },
      payload: { database: input.database, checks: report.results.length, failed, warnings },
      requestId: runId,
    });
  });
}
