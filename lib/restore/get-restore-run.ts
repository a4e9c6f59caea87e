import { z } from "zod";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { DbOrTx } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import type { ValidationResult } from "@/lib/generated/prisma/client";
import { listSessions, type DatabaseSession } from "@/lib/providers/postgres/admin";
import { restoreRunView, restoreStepView, validationResultView, type RestorePlan, type RestoreRunView, type RestoreStepView, type ValidationResultView } from "./restore-run-views";
import { adminTargetFor, findRestoreTarget } from "./restore-target";
import type { RunEventView } from "./run-events";
import { compareReports, type ReportComparison } from "./validation/compare-reports";
import type { CheckResult, ValidationReport } from "./validation/types";

export const GetRestoreRunInput = z.object({
  runId: z.uuid(),
  /** How many of the newest events to include (the live feed continues from the last id). */
  events: z.coerce.number().int().min(0).max(1000).default(200),
});
export type GetRestoreRunInput = z.input<typeof GetRestoreRunInput>;

export interface PreviousValidation {
  runId: string;
  finishedAt: string | null;
  passed: boolean;
  results: ValidationResultView[];
  comparison: ReportComparison;
}

export interface RestoreRunDetail {
  run: RestoreRunView;
  plan: RestorePlan;
  steps: RestoreStepView[];
  validation: { passed: boolean | null; results: ValidationResultView[] };
  /** The last validated run of the same target, and how each check's number moved since. */
  previousValidation: PreviousValidation | null;
  /** Oldest first; `id` is the Last-Event-ID to resume the live feed from. */
  events: RunEventView[];
  /** While waiting for the swap: who is connected to the live database now (null if not asked or unreachable). */
  liveSessions: DatabaseSession[] | null;
}

function asReport(results: readonly ValidationResult[]): ValidationReport {
  const checks: CheckResult[] = results.map((r) => ({
    name: r.name,
    kind: r.kind === "configured" ? "configured" : "builtin",
    description: r.description,
    sql: r.sql,
    expectation: r.expectation,
    actual: r.actual,
    passed: r.passed,
    message: r.message,
    durationMs: r.durationMs,
  }));
  const at = results[0]?.createdAt.toISOString() ?? new Date(0).toISOString();
  return { passed: checks.every((c) => c.passed), startedAt: at, finishedAt: at, results: checks };
}

async function sessionsOnLive(environment: string, targetName: string, database: string): Promise<DatabaseSession[] | null> {
  try {
    const admin = await adminTargetFor(findRestoreTarget(resolveEnvironment(environment), targetName));
    return await listSessions(admin, database);
  } catch {
    // The page still renders; the swap itself checks again.
    return null;
  }
}

/** One run as its page shows it: plan, timeline, validation (with the previous run's for comparison), recent events. */
export async function getRestoreRun({ ctx, input }: { ctx: { db: DbOrTx }; input: GetRestoreRunInput }): Promise<RestoreRunDetail> {
  const parsed = GetRestoreRunInput.parse(input);
  const run = await ctx.db.restoreRun.findUnique({
    where: { id: parsed.runId },
    include: { steps: { orderBy: { position: "asc" } }, validationResults: { orderBy: { position: "asc" } } },
  });
  if (!run) throw new NotFoundError("That restore run does not exist.");
  const plan = run.plan as unknown as RestorePlan;

  const [events, previous, liveSessions] = await Promise.all([
    ctx.db.restoreRunEvent.findMany({ where: { runId: run.id }, orderBy: { id: "desc" }, take: parsed.events }),
    ctx.db.restoreRun.findFirst({
      where: { environment: run.environment, targetName: run.targetName, id: { not: run.id }, createdAt: { lt: run.createdAt }, validationPassed: { not: null } },
      orderBy: { createdAt: "desc" },
      include: { validationResults: { orderBy: { position: "asc" } } },
    }),
    run.status === "awaiting-swap" ? sessionsOnLive(run.environment, run.targetName, run.targetDatabase) : Promise.resolve(null),
  ]);

  const previousValidation: PreviousValidation | null =
    previous && previous.validationResults.length > 0
      ? {
          runId: previous.id,
          finishedAt: previous.finishedAt?.toISOString() ?? null,
          passed: previous.validationPassed ?? false,
          results: previous.validationResults.map(validationResultView),
          comparison: compareReports(asReport(previous.validationResults), asReport(run.validationResults)),
        }
      : null;

  return {
    run: restoreRunView(run, run.steps),
    plan,
    steps: run.steps.map((s) => restoreStepView(s, plan)),
    validation: { passed: run.validationPassed, results: run.validationResults.map(validationResultView) },
    previousValidation,
    events: events.reverse().map((e) => ({ id: e.id.toString(), runId: e.runId, at: e.at.toISOString(), type: e.type, payload: e.payload })),
    liveSessions,
  };
}
