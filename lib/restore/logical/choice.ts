import { z } from "zod";
import { hasRole, type SessionUser } from "@/lib/auth/roles";
import { getBackup } from "@/lib/backups/get-backup";
import { ManifestChecks, ManifestRoles } from "@/lib/backups/manifest";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { EnvironmentConfig, RestoreTargetConfig } from "@/lib/config/schema";
import type { Ctx } from "@/lib/db/ctx";
import { BadRequestError, ForbiddenError } from "@/lib/errors";
import { planSelection } from "@/lib/providers/postgres/dump-toc";
import { DumpTableCatalog, type SelectionPlan } from "@/lib/providers/postgres/dump-toc-model";
import { BackupSourceChoice, decideBackupSource } from "./backup-source";
import {
  buildLogicalPlan,
  RESTORE_MODES,
  type LogicalRestorePlan,
  type PlanSource,
  type PreflightCheck,
  type RestoreMode,
  type RunMode,
} from "./plan";
import { BUILTIN_CHECKS } from "../validation/builtin-checks";
import { findRestoreTarget, planTargetOf } from "../restore-target";

// The same rule as the configuration's database names; the name is quoted as an identifier anyway.
export const DatabaseName = z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, "must be 1–63 characters: letters, digits, _ or -");

export const LogicalRestoreChoice = z.object({
  backupId: z.uuid(),
  targetName: z.string().min(1).max(63),
  /** Defaults to the backup's own environment. */
  environment: z.string().min(1).max(63).optional(),
  mode: z.enum(RESTORE_MODES),
  /** New-database mode: the restored database's name (default `<db>_restored_<yyyymmddhhmm>`). */
  newDatabaseName: DatabaseName.optional(),
  /** New-database mode: restore only these tables (`schema.table`, from the backup's table list). */
  tables: z.array(z.string().min(1).max(300)).min(1, "choose at least one table").max(5000).optional(),
  /** The incident this restore answers: its evidence goes to that incident alone. */
  incidentId: z.uuid().optional(),
  /** "primary" or a replica's name; absent: the primary while it answers, else a replica with an exact copy. */
  source: BackupSourceChoice,
});
export type LogicalRestoreChoice = z.infer<typeof LogicalRestoreChoice>;

const RESERVED_NAMES = new Set(["postgres", "template0", "template1"]);

export interface ResolvedRestore {
  environment: EnvironmentConfig;
  target: RestoreTargetConfig;
  source: PlanSource;
  /** Where the dump is read from and why, as a preflight line (failed: no store can serve it). */
  sourceCheck: PreflightCheck;
  mode: RestoreMode;
  newDatabaseName: string | null;
  /** What a restore of chosen tables brings along and skips; null for the whole database. */
  selection: SelectionPlan | null;
}

/** Operator to restore at all; admin when the environment is protected. */
export function assertMayRestore(user: SessionUser, environment: EnvironmentConfig, action: string): void {
  if (!hasRole(user.role, "operator")) throw new ForbiddenError(`${action} needs the operator role; you are signed in as ${user.role}.`);
  if (environment.protected && !hasRole(user.role, "admin")) {
    throw new ForbiddenError(`${environment.name} is a protected environment: ${action.toLowerCase()} there needs an admin.`);
  }
}

/** What restoring `tables` of the backup brings along, from the backup's table list (read once, on request). */
async function selectionOf(
  ctx: Ctx<SessionUser | null>,
  backupId: string,
  backupName: string,
  tables: readonly string[],
): Promise<SelectionPlan> {
  const row = await ctx.db.backup.findUniqueOrThrow({ where: { id: backupId }, select: { tables: true, tablesState: true } });
  if (row.tablesState !== "ready") {
    throw new BadRequestError(
      `The tables of ${backupName} have not been read yet (${row.tablesState}). Read them from the restore form first, then choose.`,
    );
  }
  return planSelection(DumpTableCatalog.parse(row.tables), tables);
}

/**
 * The backup, environment and target a logical restore would use, with every rule that refuses
 * one: the backup must be restorable (restorability()), belong to the environment, and go to a
 * configured target under a name that is not the target's own or a system database.
 */
export async function resolveLogicalRestore(ctx: Ctx<SessionUser | null>, choice: LogicalRestoreChoice): Promise<ResolvedRestore> {
  const detail = await getBackup({ ctx, input: { backupId: choice.backupId } });
  const { backup } = detail;
  const environment = resolveEnvironment(choice.environment ?? backup.environment);
  if (backup.environment !== environment.name) {
    throw new BadRequestError(
      `Backup ${backup.name} belongs to ${backup.environment}, not ${environment.name}; restore it to one of ${backup.environment}'s targets.`,
    );
  }
  if (!detail.restorable.allowed) throw new BadRequestError(`Backup ${backup.name} cannot be restored: ${detail.restorable.reason}`);
  if (backup.format !== "plain-gzip" && backup.format !== "custom")
    throw new BadRequestError(`Backup ${backup.name} has an unknown format (${backup.format}).`);
  const target = findRestoreTarget(environment, choice.targetName);

  let newDatabaseName: string | null = null;
  if (choice.mode === "new-database") {
    newDatabaseName = choice.newDatabaseName ?? null;
    if (
      newDatabaseName !== null &&
      (newDatabaseName === target.database || newDatabaseName === target.maintenanceDatabase || RESERVED_NAMES.has(newDatabaseName))
    ) {
      throw new BadRequestError(
        `${newDatabaseName} cannot be the new database's name: it is the target's own, its maintenance database, or a system database.`,
      );
    }
  } else if (choice.newDatabaseName !== undefined) {
    throw new BadRequestError("A new database name only applies to the new-database mode.");
  }
  if (choice.tables && choice.mode !== "new-database") {
    throw new BadRequestError(
      "Chosen tables are restored into a new database only: a partial copy is never swapped over a target. Choose the new-database mode.",
    );
  }
  const selection = choice.tables ? await selectionOf(ctx, backup.id, backup.name, choice.tables) : null;

  const manifest =
    backup.manifestState === "present"
      ? (backup.manifest as { tables?: Record<string, number>; checks?: unknown; roles?: unknown; pg_version?: string } | null)
      : null;
  const catalogued = { backupId: backup.id, name: backup.name, key: backup.key, size: backup.size, sha256: backup.expectedSha256 };
  const decision = await decideBackupSource(ctx.db, environment, catalogued, choice.source);
  const source: PlanSource = {
    backupId: backup.id,
    name: backup.name,
    key: backup.key,
    takenAt: backup.takenAt,
    size: backup.size,
    format: backup.format,
    sha256: decision.sha256,
    verificationState: backup.verificationState,
    manifestTables: manifest?.tables ?? null,
    // Catalog rows cached before the field existed hold it unparsed: read it through the schema.
    manifestChecks: ManifestChecks.parse(manifest?.checks) ?? null,
    manifestRoles: ManifestRoles.parse(manifest?.roles) ?? null,
    pgVersion: manifest?.pg_version ?? null,
    overridden: backup.manifestState !== "present",
    ...(decision.replica ? { replica: decision.replica } : {}),
  };
  return { environment, target, source, sourceCheck: decision.check, mode: choice.mode, newDatabaseName, selection };
}

/** Refuses to start what no store can serve: the plan's preflight would have said why. */
export function assertSourceServes(resolved: ResolvedRestore): void {
  if (resolved.sourceCheck.status === "failed") throw new BadRequestError(`${resolved.sourceCheck.message} Nothing was started.`);
}

/** The plan of a resolved restore, as the person reads it and the run stores it (without preflight: the run's first step checks). */
export function planOf(resolved: ResolvedRestore, runId: string, at: Date, mode: RunMode = resolved.mode): LogicalRestorePlan {
  const { environment, target } = resolved;
  return buildLogicalPlan({
    environment: { name: environment.name, protected: environment.protected },
    source: resolved.source,
    target: planTargetOf(target),
    mode,
    newDatabaseName: resolved.newDatabaseName,
    selection: resolved.selection,
    jobs: target.jobs,
    runId,
    at,
    configuredChecks: environment.validation.checks.length,
    builtinChecks: BUILTIN_CHECKS.length,
    preflight: null,
  });
}
