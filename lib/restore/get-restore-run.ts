import { z } from "zod";
import { NotFoundError } from "@/lib/errors";
import type { ValidationResult } from "@/lib/generated/prisma/client";
import { listSessions, type DatabaseSession } from "@/lib/providers/postgres/admin";
import { readPlan, type RestorePlan } from "./read-plan";
import {
  restoreRunView,
  restoreStepView,
  validationResultView,
  type RestoreRunView,
  type RestoreStepView,
  type ValidationResultView,
} from "./restore-run-views";
import type { RestoreRun } from "@/lib/generated/prisma/client";
import { leftoverDatabases } from "./logical/cleanup-logical-restore";
import { cleanupCandidates, cleanupConfirmationText, rollbackConfirmationText, rollbackRenames, type DatabaseRename } from "./logical/plan";
import { adminTargetForRun } from "./restore-target";
import type { RunEventView } from "./engine/events";
import { compareReports, type ReportComparison } from "./validation/compare-reports";
import { severityOf, unacceptedBlockingFailures } from "./validation/severity";
import type { CheckResult, ValidationReport } from "./validation/types";
import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";

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

/** What Roll back and Clean up of a logical run would do, named for their dialogs. */
export interface DestructiveActions {
  /** A protected environment: both need the typed text, checked by the server. */
  protected: boolean;
  rollback: { renames: DatabaseRename[]; confirmation: string } | null;
  /** `drops` is null when the server could not be asked; `candidates` are the names this run may drop at most. */
  cleanup: { drops: string[] | null; candidates: string[]; confirmation: string | null } | null;
}

export interface RestoreRunDetail {
  run: RestoreRunView;
  plan: RestorePlan;
  steps: RestoreStepView[];
  /** `unaccepted`: the blocking failures no admin has accepted yet; the swap waits for them. */
  validation: { passed: boolean | null; results: ValidationResultView[]; unaccepted: string[] };
  destructive: DestructiveActions | null;
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
    severity: severityOf(r.severity),
    message: r.message,
    durationMs: r.durationMs,
  }));
  const at = results[0]?.createdAt.toISOString() ?? new Date(0).toISOString();
  return { passed: checks.every((c) => c.passed), startedAt: at, finishedAt: at, results: checks };
}

/** Roll back and Clean up of a logical run, as their dialogs name them; the verbs decide again. */
async function destructiveActions(run: RestoreRun, view: RestoreRunView, plan: RestorePlan): Promise<DestructiveActions | null> {
  if (plan.kind !== "logical") return null;
  const isProtected = plan.environment.protected;
  const rollback =
    view.actions.rollback && run.previousDatabase
      ? {
          renames: rollbackRenames({ ...run, previousDatabase: run.previousDatabase }),
          confirmation: rollbackConfirmationText(run.previousDatabase, run.targetDatabase),
        }
      : null;
  let cleanup: DestructiveActions["cleanup"] = null;
  if (view.actions.cleanup) {
    // The page still renders when the server (or the environment's configuration) cannot be reached.
    const drops = await (async () => leftoverDatabases(await adminTargetForRun(run), run))().catch(() => null);
    cleanup = {
      drops,
      candidates: cleanupCandidates(run),
      confirmation: drops && drops.length > 0 ? cleanupConfirmationText(drops) : null,
    };
  }
  return { protected: isProtected, rollback, cleanup };
}

async function sessionsOnLive(environment: string, targetName: string, database: string): Promise<DatabaseSession[] | null> {
  try {
    const admin = await adminTargetForRun({ environment, targetName });
    return await listSessions(admin, database);
  } catch {
    // The page still renders; the swap itself checks again.
    return null;
  }
}

/** One run as its page shows it: plan, timeline, validation (with the previous run's for comparison), recent events. */
export async function getRestoreRun({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: GetRestoreRunInput;
}): Promise<RestoreRunDetail> {
  const parsed = GetRestoreRunInput.parse(input);
  const run = await ctx.db.restoreRun.findUnique({
    where: { id: parsed.runId },
    include: {
      steps: { orderBy: { position: "asc" }, include: { attempts: { orderBy: { attempt: "asc" } } } },
      validationResults: { orderBy: { position: "asc" } },
    },
  });
  if (!run) throw new NotFoundError("That restore run does not exist.");
  const plan = readPlan(run);

  const [events, previous, liveSessions] = await Promise.all([
    ctx.db.restoreRunEvent.findMany({ where: { runId: run.id }, orderBy: { id: "desc" }, take: parsed.events }),
    ctx.db.restoreRun.findFirst({
      where: {
        environment: run.environment,
        targetName: run.targetName,
        id: { not: run.id },
        createdAt: { lt: run.createdAt },
        validationPassed: { not: null },
      },
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

  const view = restoreRunView(run, run.steps);
  return {
    run: view,
    plan,
    steps: run.steps.map((s) => restoreStepView(s, plan)),
    validation: {
      passed: run.validationPassed,
      results: run.validationResults.map(validationResultView),
      unaccepted: unacceptedBlockingFailures(run.validationResults.map((r) => ({ ...r, severity: severityOf(r.severity) }))).map(
        (r) => r.name,
      ),
    },
    destructive: await destructiveActions(run, view, plan),
    previousValidation,
    events: events
      .reverse()
      .map((e) => ({ id: e.id.toString(), runId: e.runId, at: e.at.toISOString(), type: e.type, payload: e.payload })),
    liveSessions,
  };
}
