import { setTimeout as sleep } from "node:timers/promises";
import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { backupStoreFor, PRIMARY_STORE } from "@/lib/backups/store-for-environment";
import type { EnvironmentConfig, RestoreTargetConfig } from "@/lib/config/schema";
import type { Db } from "@/lib/db/client";
import { BadRequestError, ConflictError } from "@/lib/errors";
import { plural } from "@/lib/format";
import type { Prisma, RestoreRun } from "@/lib/generated/prisma/client";
import { dropDatabase, existingDatabases, isInUse, listSessions, renameDatabases, type AdminTarget } from "@/lib/providers/postgres/admin";
import { loadIntoScratch } from "@/lib/providers/postgres/load-scratch";
import {
  dropLoaderRole,
  loaderRoleName,
  resolveOwnerRole,
  tablesUnreadableBy,
  type OwnerRoleCheck,
} from "@/lib/providers/postgres/loader-role";
import type { GuardReport } from "@/lib/providers/postgres/plain-dump-guard";
import type { RestoreProgress } from "@/lib/providers/postgres/restore-dump";
import { recordValidationReport } from "../validation/record-validation-report";
import { runValidation } from "../validation/run-validation";
import { isBlockingFailure, isWarning } from "../validation/severity";
import { MAX_ROWS, type CheckResult, type ValidationReport } from "../validation/types";
import { beforeRestoreName, beforeRestoreNameUnique, DEFAULT_RESTORE_JOBS, type LogicalRestorePlan, type PreflightReport } from "./plan";
import { runPreflight } from "./preflight";
import type { RestoreProgressView } from "../restore-run-views";
import { appendRunEvent } from "../engine/events";
import { MessageRecorder } from "../engine/messages";
import { StepDeferredError, untilAborted, type FailureWithOutput } from "../engine/step-runner";
import { selectionFilter, type DumpObjectRef } from "@/lib/providers/postgres/dump-toc";
import { DumpTableCatalog, type SelectionPlan } from "@/lib/providers/postgres/dump-toc-model";

// The bodies of a logical restore's steps. Each honours its signal and is written so that running
// it again after a crash is either harmless (preflight, validate, rename check first) or never
// happens (restore: the claim refuses to resume it; the sweeper ends the run instead).

export interface StepContext {
  db: Db;
  run: RestoreRun;
  plan: LogicalRestorePlan;
  environment: EnvironmentConfig;
  target: RestoreTargetConfig;
  admin: AdminTarget;
  /** The lease owner: progress is written only while we still hold the run. */
  workerId: string;
  progressEveryMs: number;
}

export class PreflightFailedError extends BadRequestError implements FailureWithOutput {
  readonly failure: string | undefined;
  readonly stepOutput: Prisma.InputJsonValue;

  constructor(report: PreflightReport) {
    const failed = report.checks.filter((c) => c.status === "failed");
    super(`Preflight failed, nothing was changed: ${failed.map((c) => `${c.title}: ${c.message}`).join(" ")}`);
    this.failure = failed.some((c) => c.name === "reachable")
      ? "connection-failed"
      : failed.some((c) => c.name === "create-privilege" || c.name === "loader-role" || c.name === "owner-role")
        ? "permission-denied"
        : undefined;
    this.stepOutput = report as unknown as Prisma.InputJsonValue;
  }
}

// ---------------------------------------------------------------------------------------------
// Preflight

export async function preflightStep(c: StepContext, signal: AbortSignal): Promise<Prisma.InputJsonValue> {
  const report = await untilAborted(
    runPreflight({
      admin: c.admin,
      mode: c.run.mode === "swap" ? "swap" : "new-database",
      liveDatabase: c.run.targetDatabase,
      scratchDatabase: c.run.scratchDatabase,
      newDatabase: c.run.newDatabaseName,
      source: {
        format: c.plan.source.format,
        size: c.plan.source.size,
        pgVersion: c.plan.source.pgVersion,
        roles: c.plan.source.manifestRoles ?? null,
      },
      ownerRole: c.target.ownerRole,
    }),
    signal,
  );
  if (!report.passed) throw new PreflightFailedError(report);
  return report as unknown as Prisma.InputJsonValue;
}

// ---------------------------------------------------------------------------------------------
// Restore

/** Writes the latest progress at most every `everyMs` (the last one always), never blocking the stream. */
class ProgressRecorder {
  private latest: RestoreProgress | null = null;
  private written: RestoreProgress | null = null;
  private lastWrite = 0;
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly started = Date.now();

  constructor(
    private readonly c: StepContext,
    private readonly everyMs: number,
  ) {}

  report(progress: RestoreProgress): void {
    this.latest = progress;
    this.schedule();
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.writing;
    if (this.latest !== this.written) this.write();
    await this.writing;
  }

  /** Now if due, else when due: a report that arrives during a write is not lost, only delayed. */
  private schedule(): void {
    if (this.writing || this.timer || this.latest === this.written) return;
    const wait = this.lastWrite + this.everyMs - Date.now();
    if (wait <= 0) this.write();
    else
      this.timer = setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, wait);
  }

  private view(p: RestoreProgress): RestoreProgressView {
    const elapsedMs = Date.now() - this.started;
    const bytesPerSecond = elapsedMs > 0 ? Math.round((p.bytesRead / elapsedMs) * 1000) : null;
    const total = p.totalBytes;
    return {
      step: "restore",
      phase: p.phase,
      bytesRead: p.bytesRead,
      totalBytes: total,
      sqlBytes: p.sqlBytes,
      rows: p.rows,
      tables: p.tables ?? null,
      percent: total ? Math.min(100, Math.round((p.bytesRead / total) * 1000) / 10) : null,
      bytesPerSecond,
      elapsedMs,
      etaMs: total && bytesPerSecond ? Math.max(0, Math.round(((total - p.bytesRead) / bytesPerSecond) * 1000)) : null,
      at: new Date().toISOString(),
    };
  }

  private write(): void {
    const progress = this.latest;
    if (!progress) return;
    this.written = progress;
    this.lastWrite = Date.now();
    const view = this.view(progress);
    const { db, run, workerId } = this.c;
    this.writing = (async () => {
      await db.restoreRun.updateMany({
        where: { id: run.id, leaseOwner: workerId },
        data: { progress: view as unknown as Prisma.InputJsonValue },
      });
      await appendRunEvent(db, run.id, "progress", view as unknown as Record<string, unknown>);
    })()
      .catch((error: unknown) => console.error(`[restore ${run.id}] could not record progress`, error))
      .finally(() => {
        this.writing = null;
        this.schedule();
      });
  }
}

/**
 * Drops this run's scratch database, then its loader role (the database first: the role owns it).
 * A failure to drop is reported, never allowed to hide the original error.
 */
export async function dropScratch(c: Pick<StepContext, "db" | "admin" | "run">): Promise<void> {
  const report = (what: string, error: unknown) =>
    appendRunEvent(c.db, c.run.id, "message", {
      line: `Could not drop ${what}: ${error instanceof Error ? error.message : String(error)}. Use Clean up on the run once the server is reachable.`,
    }).catch(() => undefined);
  await dropDatabase(c.admin, c.run.scratchDatabase, { force: true }).catch((error: unknown) =>
    report(`the scratch database ${c.run.scratchDatabase}`, error),
  );
  await dropLoaderRole(c.admin, c.run.id).catch((error: unknown) => report(`the loader role ${loaderRoleName(c.run.id)}`, error));
}

/** Why the hand-over to the owner role cannot work, and exactly what to grant. */
function ownerProblem(owner: OwnerRoleCheck, user: string): string | null {
  if (!owner.exists)
    return `The role ${owner.owner} that should own the restored database does not exist on the target. Create it, or set ownerRole on the restore target.`;
  if (!owner.usable)
    return `${user} cannot hand the restored objects to ${owner.owner}: run GRANT ${owner.owner} TO ${user}; on the target (or set ownerRole on the restore target).`;
  return null;
}

/** What the load set aside, as lines for the run's events. */
function guardLines(guard: GuardReport, owner: string): string[] {
  const lines: string[] = [];
  if (guard.ownerChangesSkipped > 0)
    lines.push(
      `${plural(guard.ownerChangesSkipped, "ownership change")} in the dump ${guard.ownerChangesSkipped === 1 ? "was" : "were"} not run; everything restored now belongs to ${owner}.`,
    );
  if (guard.missingRoles.length > 0)
    lines.push(
      `Grants to roles this target does not have were skipped: ${guard.missingRoles.join(", ")}. Create the roles and re-grant if the application needs them.`,
    );
  const defaults = guard.skipped.filter((s) => s.reason === "default-privileges");
  if (defaults.length > 0)
    lines.push(
      `${plural(defaults.length, "ALTER DEFAULT PRIVILEGES statement")} for other roles ${defaults.length === 1 ? "was" : "were"} not run (${defaults.length === 1 ? "line" : "lines"} ${defaults.map((s) => s.line).join(", ")}).`,
    );
  if (guard.largeObjectBlocks > 0)
    lines.push(`${plural(guard.largeObjectBlocks, "large-object block")} ${guard.largeObjectBlocks === 1 ? "was" : "were"} loaded.`);
  return lines;
}

/**
 * Loads the dump into a new scratch database as this run's loader role (owner of that database
 * and of nothing else), then hands everything to the owner role and drops the loader.
 */
/** For a restore of chosen tables: which of the dump's objects to load, from the backup's table list. */
async function selectionOf(c: StepContext, selection: SelectionPlan): Promise<(entry: DumpObjectRef) => boolean> {
  const backup = await c.db.backup.findUnique({ where: { id: c.plan.source.backupId }, select: { tables: true, tablesState: true } });
  if (backup?.tablesState !== "ready") {
    throw new BadRequestError(
      "The backup's table list is no longer available, so the chosen tables cannot be picked out of the dump. Read its tables again and start a new restore.",
    );
  }
  return selectionFilter(DumpTableCatalog.parse(backup.tables), selection);
}

export async function restoreStep(c: StepContext, signal: AbortSignal): Promise<Prisma.InputJsonValue> {
  const { source } = c.plan;
  // A replica's copy when the plan chose one (a regional failure), read under its own key.
  const store = await backupStoreFor(c.environment, source.replica?.name ?? PRIMARY_STORE);
  const owner = await resolveOwnerRole(c.admin, c.target.ownerRole, c.run.targetDatabase);
  const problem = ownerProblem(owner, c.admin.connection.user);
  if (problem) throw new BadRequestError(`${problem} Nothing was changed.`);
  const keepEntry = c.plan.selection ? await selectionOf(c, c.plan.selection) : undefined;
  const progress = new ProgressRecorder(c, c.progressEveryMs);
  const messages = new MessageRecorder(c);
  try {
    const result = await loadIntoScratch({
      ...(keepEntry ? { keepEntry } : {}),
      admin: c.admin,
      runId: c.run.id,
      scratchDatabase: c.run.scratchDatabase,
      // The scratch database takes the live one's encoding and locale, so the data compares as it did.
      like: c.run.targetDatabase,
      owner: owner.owner,
      format: source.format,
      open: (openSignal) => store.read(source.replica?.key ?? source.key, { signal: openSignal }),
      expectedSha256: source.sha256,
      totalBytes: source.size,
      // The target's setting as configured now (like its owner role), else what the plan showed.
      jobs: c.target.jobs ?? c.plan.load?.jobs ?? DEFAULT_RESTORE_JOBS,
      signal,
      onProgress: (p) => progress.report(p),
      onMessage: (line) => messages.add(line),
    });
    for (const line of guardLines(result.guard, owner.owner)) messages.add(line);
    const { guard, ...counts } = result;
    return { ...counts, scratchDatabase: c.run.scratchDatabase, owner: owner.owner, guard: { ...guard } };
  } catch (error) {
    // Whatever went wrong, nothing partial survives: the target was never touched.
    await dropScratch(c);
    throw error;
  } finally {
    await Promise.all([progress.flush(), messages.flush()]);
  }
}

// ---------------------------------------------------------------------------------------------
// Validate

/**
 * The application keeps working after the swap only if the role that owns the database can read
 * it: each table is really read as that role (the hand-over and the dump's grants are what is checked).
 */
async function ownerReadsEveryTable(c: StepContext): Promise<CheckResult> {
  const started = performance.now();
  const { owner } = await resolveOwnerRole(c.admin, c.target.ownerRole, c.run.targetDatabase);
  const unreadable = await tablesUnreadableBy(c.admin, c.run.scratchDatabase, owner);
  return {
    name: "owner_reads_tables",
    kind: "builtin",
    description: `The owning role ${owner} can read every table, as the application will after the swap.`,
    sql: `SET ROLE ${owner}; SELECT 1 FROM <each table> LIMIT 0`,
    expectation: "every table readable",
    actual: unreadable.length,
    ...(unreadable.length > 0 ? { rows: unreadable.slice(0, MAX_ROWS), rowCount: unreadable.length } : {}),
    passed: unreadable.length === 0,
    severity: "block",
    message:
      unreadable.length === 0
        ? `${owner} reads every table.`
        : `${owner} cannot read ${plural(unreadable.length, "table")}: ${unreadable
            .slice(0, 5)
            .map((u) => u.table)
            .join(", ")}${unreadable.length > 5 ? ", …" : ""}.`,
    durationMs: Math.round(performance.now() - started),
  };
}

export async function validateStep(c: StepContext, signal: AbortSignal): Promise<Prisma.InputJsonValue> {
  const { db, run } = c;
  const checked = await untilAborted(
    runValidation({
      // The target server's connection, on the scratch database ("prefer" tries TLS, then plain).
      target: { ...c.admin.connection, database: run.scratchDatabase },
      // Configured checks expect the whole database: a copy of chosen tables runs only the built-ins that apply.
      checks: c.plan.selection ? [] : c.environment.validation.checks,
      context: {
        ...(c.plan.source.manifestTables ? { manifestTables: c.plan.source.manifestTables } : {}),
        ...(c.plan.source.manifestChecks ? { manifestChecks: c.plan.source.manifestChecks } : {}),
        backupTakenAt: new Date(c.plan.source.takenAt),
        ...(c.plan.selection ? { restoredTables: c.plan.selection.tables } : {}),
      },
    }),
    signal,
  );
  const ownerCheck = await untilAborted(ownerReadsEveryTable(c), signal);
  const report: ValidationReport = { ...checked, passed: checked.passed && ownerCheck.passed, results: [...checked.results, ownerCheck] };
  await recordValidationReport(db, { runId: run.id, workerId: c.workerId, report, database: run.scratchDatabase });
  // A blocking failure does not end the run: it waits before the swap (or rename) until an admin
  // accepts the failures with a reason, or someone cancels (the logical kind's holdBefore, logical/kind.ts, holds the gate).
  return {
    passed: report.passed,
    checks: report.results.length,
    failed: report.results.filter(isBlockingFailure).map((r) => r.name),
    warnings: report.results.filter(isWarning).map((r) => r.name),
  };
}

// ---------------------------------------------------------------------------------------------
// Swap and rename

export type SwapState = "done" | "ready" | "scratch-missing";

/**
 * Where a swap stands, from the databases that exist. The renames run in one transaction, so
 * only "done" (previous and live exist, scratch gone) or "ready" (scratch still there) are
 * possible; anything else means someone changed the databases by hand.
 */
export async function inspectSwap(
  admin: AdminTarget,
  names: { live: string; scratch: string; previous: string | null },
): Promise<{ state: SwapState; existing: Set<string> }> {
  const existing = await existingDatabases(admin, [names.live, names.scratch, ...(names.previous ? [names.previous] : [])]);
  if (existing.has(names.scratch)) return { state: "ready", existing };
  const done = existing.has(names.live) && (names.previous === null || existing.has(names.previous));
  return { state: done ? "done" : "scratch-missing", existing };
}

async function renameWithRetries(
  admin: AdminTarget,
  renames: ReadonlyArray<readonly [string, string]>,
  terminateSessionsOf: readonly string[],
  onBusy: () => never,
): Promise<{ terminated: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await renameDatabases(admin, renames, { terminateSessionsOf });
    } catch (error) {
      // A client may reconnect between the termination and the rename: end it and try again.
      if (!isInUse(error)) throw error;
      if (attempt >= 3) onBusy();
      await sleep(500);
    }
  }
}

function describeSessions(sessions: ReadonlyArray<{ applicationName: string }>): string {
  const apps = [...new Set(sessions.map((s) => s.applicationName || "(unnamed)"))];
  return `${plural(sessions.length, "session")} (${apps.join(", ")})`;
}

export async function swapStep(c: StepContext, signal: AbortSignal): Promise<Prisma.InputJsonValue> {
  const { db, admin } = c;
  const run = await db.restoreRun.findUniqueOrThrow({ where: { id: c.run.id } });
  const live = run.targetDatabase;
  const scratch = run.scratchDatabase;
  const inspected = await inspectSwap(admin, { live, scratch, previous: run.previousDatabase });
  if (inspected.state === "done") return { previousDatabase: run.previousDatabase, terminatedSessions: 0, alreadyDone: true };
  if (inspected.state === "scratch-missing") {
    throw new ConflictError(
      `The restored database ${scratch} no longer exists, so there is nothing to swap in; ${live} was not changed. Start a new restore.`,
    );
  }
  const liveExists = inspected.existing.has(live);

  let previous = run.previousDatabase;
  if (liveExists && previous === null) {
    const now = new Date();
    const dated = beforeRestoreName(live, now);
    const taken = (await existingDatabases(admin, [dated])).has(dated);
    previous = taken ? beforeRestoreNameUnique(live, now, run.id) : dated;
    // Stored BEFORE renaming: after a crash, this is how the sweeper knows where the live one went.
    const { count } = await db.restoreRun.updateMany({
      where: { id: run.id, leaseOwner: c.workerId },
      data: { previousDatabase: previous },
    });
    if (count === 0) throw new ConflictError("This worker no longer holds the run; the swap was not started.");
  }

  if (liveExists && !run.swapTerminateSessions) {
    const sessions = await listSessions(admin, live);
    if (sessions.length > 0) {
      throw new StepDeferredError(
        `${describeSessions(sessions)} are connected to ${live}, and the swap needs them ended. Nothing was changed. Confirm the swap again, agreeing to end them.`,
        { sessions },
      );
    }
  }
  if (signal.aborted) throw signal.reason;

  const renames: Array<readonly [string, string]> =
    liveExists && previous
      ? [
          [live, previous],
          [scratch, live],
        ]
      : [[scratch, live]];
  const terminate = [scratch, ...(liveExists && run.swapTerminateSessions ? [live] : [])];
  const { terminated } = await renameWithRetries(admin, renames, terminate, () => {
    throw new StepDeferredError(
      `Sessions kept connecting to ${live}, so it could not be renamed. Nothing was changed. Stop the clients, then confirm the swap again.`,
    );
  });
  const swappedAt = new Date().toISOString();
  await appendRunEvent(db, run.id, "swap", { live, previous, scratch, terminatedSessions: terminated });
  await recordAuditEvent(db, {
    actor: SYSTEM,
    action: "restore.swap",
    subject: { type: "restore-run", id: run.id },
    payload: {
      environment: run.environment,
      target: run.targetName,
      live,
      previous,
      restoredFrom: scratch,
      confirmedBy: run.swapConfirmedByEmail,
      terminatedSessions: terminated,
    },
    requestId: run.id,
  });
  return { previousDatabase: previous, terminatedSessions: terminated, swappedAt };
}

export async function renameStep(c: StepContext): Promise<Prisma.InputJsonValue> {
  const { db, admin, run } = c;
  const name = run.newDatabaseName;
  if (!name) throw new Error(`restore run ${run.id} is in new-database mode without a new database name`);
  const existing = await existingDatabases(admin, [run.scratchDatabase, name]);
  if (!existing.has(run.scratchDatabase) && existing.has(name)) return { database: name, alreadyDone: true };
  if (existing.has(name)) {
    throw new ConflictError(
      `A database named ${name} appeared on the server meanwhile; the restored copy stays as ${run.scratchDatabase}. Rename or drop one of them, or clean up.`,
    );
  }
  if (!existing.has(run.scratchDatabase))
    throw new ConflictError(`The restored database ${run.scratchDatabase} no longer exists; start a new restore.`);
  await renameDatabases(admin, [[run.scratchDatabase, name]], { terminateSessionsOf: [run.scratchDatabase] });
  await appendRunEvent(db, run.id, "swap", { renamed: run.scratchDatabase, to: name });
  await recordAuditEvent(db, {
    actor: SYSTEM,
    action: "restore.rename",
    subject: { type: "restore-run", id: run.id },
    payload: { environment: run.environment, target: run.targetName, from: run.scratchDatabase, to: name },
    requestId: run.id,
  });
  return { database: name };
}
