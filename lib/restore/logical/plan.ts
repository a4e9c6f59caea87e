import { z } from "zod";
import { formatBytes, formatUtc, plural } from "@/lib/format";
import { SelectionPlan } from "@/lib/providers/postgres/dump-toc-model";

// The logical restore's plan, as pure data: the steps, the database names, what is replaced and
// what is kept. Built before anything runs (the person reads it) and stored with the run.

/**
 * A restore target's `jobs` when the file does not say. The default is applied where it is used
 * rather than by the configuration's schema, so a parsed target keeps only what its file wrote.
 */
export const DEFAULT_RESTORE_JOBS = 2;

/** What a person chooses in the planner. */
export const RESTORE_MODES = ["swap", "new-database"] as const;
export type RestoreMode = (typeof RESTORE_MODES)[number];
/** What a run may be: a drill restores into a scratch copy, validates it and drops it (lib/restore/drill/). */
export const RUN_MODES = [...RESTORE_MODES, "drill"] as const;
export type RunMode = (typeof RUN_MODES)[number];

export const STEP_NAMES = ["preflight", "restore", "validate", "swap", "rename", "drop", "cleanup"] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** Every phase has a limit, so a run never hangs silently. */
export const STEP_TIMEOUTS_MS: Readonly<Record<StepName, number>> = {
  preflight: 60_000,
  restore: 6 * 60 * 60_000,
  validate: 10 * 60_000,
  swap: 2 * 60_000,
  rename: 2 * 60_000,
  drop: 10 * 60_000,
  cleanup: 10 * 60_000,
};

export const PreflightStatus = z.enum(["passed", "warning", "failed"]);
export type PreflightStatus = z.infer<typeof PreflightStatus>;

export const PreflightCheck = z.object({
  name: z.enum([
    "reachable",
    "create-privilege",
    "scratch-free",
    "new-name-free",
    "tools",
    "server-version",
    "space",
    "sessions",
    "target-exists",
    "loader-role",
    "owner-role",
    "dump-roles",
    "source-store",
  ]),
  title: z.string(),
  status: PreflightStatus,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type PreflightCheck = z.infer<typeof PreflightCheck>;

export const PreflightReport = z.object({
  /** False when any check failed (warnings do not stop a restore). */
  passed: z.boolean(),
  checkedAt: z.string(),
  checks: z.array(PreflightCheck),
});
export type PreflightReport = z.infer<typeof PreflightReport>;

/** A step as the plan describes it; each kind of run narrows `name` to its own steps. */
export function planStepOf<N extends z.ZodType<string>>(name: N) {
  return z.object({
    position: z.number().int(),
    name,
    title: z.string(),
    description: z.string(),
    timeoutMs: z.number(),
    /** False for the clean-up, which runs only when a person asks. */
    automatic: z.boolean(),
  });
}
export const PlanStep = planStepOf(z.enum(STEP_NAMES));
export type PlanStep = z.infer<typeof PlanStep>;

export const PlanSource = z.object({
  backupId: z.string(),
  name: z.string(),
  key: z.string(),
  takenAt: z.string(),
  size: z.number(),
  format: z.enum(["plain-gzip", "custom"]),
  /** The manifest's sha256, checked as the dump streams; null only with an admin override. */
  sha256: z.string().nullable(),
  verificationState: z.string(),
  manifestTables: z.record(z.string(), z.number()).nullable(),
  /** The manifest's counts for named checks (`checks`); absent in plans stored before it existed. */
  manifestChecks: z.record(z.string(), z.number()).nullable().optional(),
  /** The roles the manifest says the dump names; absent in plans stored before it existed. */
  manifestRoles: z.array(z.string()).nullable().optional(),
  pgVersion: z.string().nullable(),
  /** Restorable only because an admin allowed it without a valid manifest. */
  overridden: z.boolean(),
  /**
   * Read from a replica of the backup store (a regional failure, or chosen), not the primary:
   * its name, where it is, the key there, and why. Absent: the primary (every plan stored before).
   */
  replica: z.object({ name: z.string(), label: z.string(), location: z.string(), key: z.string(), reason: z.string() }).optional(),
});
export type PlanSource = z.infer<typeof PlanSource>;

export const PlanTarget = z.object({
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  database: z.string(),
  user: z.string(),
  maintenanceDatabase: z.string(),
  sslMode: z.string(),
});
export type PlanTarget = z.infer<typeof PlanTarget>;

/**
 * How the restore step loads the dump: over how many connections, and how. Optional in the stored
 * plan: plans stored before it existed read as they were (they loaded a plain dump in one
 * transaction, a custom one with pg_restore -j 2).
 */
export const PlanLoad = z.object({
  jobs: z.number().int().min(1),
  method: z.enum(["one-transaction", "parallel-sections", "pg-restore"]),
});
export type PlanLoad = z.infer<typeof PlanLoad>;

/** What a drill records about itself: who or what started it, and what it was held to. */
export const DrillInfo = z.object({
  trigger: z.enum(["schedule", "person", "token"]),
  /** A person's email, a token's name, or the schedule ("0 3 * * * Europe/Berlin"). */
  startedBy: z.string(),
  /** The configuration's rule for picking the backup (newest-verified, oldest-in-retention). */
  backupChoice: z.string(),
  /** The schedule's fire this drill answers (ISO), or null for one started by hand. */
  scheduledFor: z.string().nullable(),
  /** The longest restore the method's RTO objective allows, in minutes, when the drill started. */
  rtoMaxMinutes: z.number(),
});
export type DrillInfo = z.infer<typeof DrillInfo>;

/** Plans stored before plans carried a version are version 1. */
export const PLAN_VERSION = 1;

/**
 * The stored shape of a logical restore's plan. A change to it adds a version and reads the older
 * ones (see read-plan.ts): runs stored by earlier code must stay readable.
 */
export const LogicalRestorePlan = z.object({
  version: z.literal(PLAN_VERSION).default(PLAN_VERSION),
  kind: z.literal("logical"),
  environment: z.object({ name: z.string(), protected: z.boolean() }),
  source: PlanSource,
  target: PlanTarget,
  mode: z.enum(RUN_MODES),
  databases: z.object({
    live: z.string(),
    /** Where the dump is restored first. Named with the run's id once the run exists. */
    scratch: z.string(),
    /** The live database's name after the swap (swap mode), dated when the swap happens. */
    beforeRestore: z.string().nullable(),
    /** The restored database's final name (new-database mode). */
    newDatabase: z.string().nullable(),
  }),
  steps: z.array(PlanStep),
  replaces: z.array(z.string()),
  keeps: z.array(z.string()),
  /** What the person types: the target database to start, `<backup> -> <target db>` to swap. */
  confirmations: z.object({ start: z.string(), swap: z.string().nullable() }),
  validation: z.object({ builtinChecks: z.number(), configuredChecks: z.number() }),
  load: PlanLoad.optional(),
  /** Null when the plan was stored without running the checks (the run's first step does). */
  preflight: PreflightReport.nullable(),
  /** Only these tables and what belongs to them (new-database mode); absent or null: the whole dump. */
  selection: SelectionPlan.nullable().optional(),
  /** Present on a drill's plan (mode "drill"). */
  drill: DrillInfo.optional(),
});
export type LogicalRestorePlan = z.infer<typeof LogicalRestorePlan>;

const MAX_NAME = 63;

/** `yyyymmddhhmm` in UTC. */
export function timestampForName(at: Date): string {
  return at.toISOString().slice(0, 16).replace(/[-T:]/g, "");
}

export function shortRunId(runId: string): string {
  return runId.replaceAll("-", "").slice(0, 8).toLowerCase();
}

/** `<base><suffix>`, the base cut so the whole fits PostgreSQL's 63-byte names (config names are ASCII). */
function fit(base: string, suffix: string): string {
  return `${base.slice(0, Math.max(1, MAX_NAME - suffix.length))}${suffix}`;
}

export function scratchDatabaseName(database: string, at: Date, runId: string): string {
  return fit(database, `_restore_${timestampForName(at)}_${shortRunId(runId)}`);
}

export function beforeRestoreName(database: string, at: Date): string {
  return fit(database, `_before_restore_${timestampForName(at)}`);
}

/** When the dated name is taken (two swaps in one minute), the run's id makes it unique. */
export function beforeRestoreNameUnique(database: string, at: Date, runId: string): string {
  return fit(database, `_before_restore_${timestampForName(at)}_${shortRunId(runId)}`);
}

export function rolledBackName(database: string, at: Date, runId: string): string {
  return fit(database, `_rolled_back_${timestampForName(at)}_${shortRunId(runId)}`);
}

export function defaultNewDatabaseName(database: string, at: Date): string {
  return fit(database, `_restored_${timestampForName(at)}`);
}

export function swapConfirmationText(backupName: string, targetDatabase: string): string {
  return `${backupName} -> ${targetDatabase}`;
}

export interface DatabaseRename {
  from: string;
  to: string;
}

/**
 * What rolling back a finished swap renames, in order and in one transaction: the restored live
 * database aside, then the kept previous one back to the live name. The aside name is dated by
 * the swap it undoes (the run's end), not by the click, so the dialog names it exactly before
 * the person confirms.
 */
export function rollbackRenames(run: {
  id: string;
  targetDatabase: string;
  previousDatabase: string;
  finishedAt: Date | null;
  createdAt: Date;
}): [DatabaseRename, DatabaseRename] {
  const live = run.targetDatabase;
  return [
    { from: live, to: rolledBackName(live, run.finishedAt ?? run.createdAt, run.id) },
    { from: run.previousDatabase, to: live },
  ];
}

/** Typed on a protected environment to roll back: the database that takes the live name back. */
export function rollbackConfirmationText(previousDatabase: string, targetDatabase: string): string {
  return `${previousDatabase} -> ${targetDatabase}`;
}

/** Typed on a protected environment to clean up: every database dropped. */
export function cleanupConfirmationText(databases: readonly string[]): string {
  return `drop ${databases.join(", ")}`;
}

/** The steps of a run in this mode, in order; positions are stored with the steps. */
export function stepNamesFor(mode: RunMode): StepName[] {
  if (mode === "drill") return ["preflight", "restore", "validate", "drop"];
  return ["preflight", "restore", "validate", mode === "swap" ? "swap" : "rename", "cleanup"];
}

export interface BuildPlanInput {
  environment: { name: string; protected: boolean };
  source: PlanSource;
  target: PlanTarget;
  mode: RunMode;
  newDatabaseName: string | null;
  runId: string;
  at: Date;
  configuredChecks: number;
  builtinChecks: number;
  preflight: PreflightReport | null;
  selection?: SelectionPlan | null;
  /** The target's `jobs` (absent: DEFAULT_RESTORE_JOBS). */
  jobs?: number;
}

/** How a dump of this format is loaded over `jobs` connections. */
export function planLoad(format: PlanSource["format"], jobs: number = DEFAULT_RESTORE_JOBS): PlanLoad {
  if (format === "custom") return { jobs, method: "pg-restore" };
  return { jobs, method: jobs > 1 ? "parallel-sections" : "one-transaction" };
}

/** The restore step's "streams … from the store through sha256 and the statement guard <this>, so the dump can change nothing…". */
function describeLoad(load: PlanLoad): string {
  switch (load.method) {
    case "pg-restore":
      return `into pg_restore -j ${load.jobs}, running as that role`;
    case "one-transaction":
      return "into psql (one connection, inside one transaction, committed only when the checksum matched and the dump's end marker arrived), running as that role";
    case "parallel-sections":
      return (
        `into ${load.jobs} parallel connections (one psql each, every one running as that role), split into pg_dump's sections as it ` +
        "arrives: pre-data first, then the tables' data on every connection, then indexes and constraints in dependency order (a " +
        "table's indexes after its data, a foreign key after both its tables have their keys). The scratch database is kept only when the " +
        "checksum matched and the dump's end marker arrived"
      );
  }
}

export function buildLogicalPlan(input: BuildPlanInput): LogicalRestorePlan {
  const { source, target, mode, at } = input;
  const live = target.database;
  const scratch = scratchDatabaseName(live, at, input.runId);
  const beforeRestore = mode === "swap" ? beforeRestoreName(live, at) : null;
  const newDatabase = mode === "new-database" ? (input.newDatabaseName ?? defaultNewDatabaseName(live, at)) : null;
  const drill = mode === "drill";
  const server = `${target.host}:${target.port}`;
  const load = planLoad(source.format, input.jobs);

  const selection = input.selection ?? null;
  const partial = selection ? ` ${selectionSummary(selection)}` : "";
  const checks = selection
    ? "the runbook's validation queries on the chosen tables it holds (configured checks expect the whole database and are not run on a partial copy)"
    : `the runbook's validation queries and ${plural(input.configuredChecks, "configured check")}`;

  const describe: Record<StepName, { title: string; description: string }> = {
    preflight: {
      title: "Preflight checks",
      description: `Checks ${server} without changing anything: reachable, ${target.user} may create databases and the run's loader role, who will own the restored objects, the scratch name is free, the installed tools can restore this ${source.format} dump, room and sessions.`,
    },
    restore: {
      title: "Restore into the scratch database",
      description: `Creates a loader role for this run alone and the empty scratch database ${scratch}, owned by it; streams ${source.name} (${formatBytes(source.size)}) from the store through sha256 and the statement guard ${describeLoad(load)}; the dump can change nothing outside the scratch database. Then everything restored is handed to the owner role and the loader is dropped. On any failure the scratch database and the loader are dropped; ${live} is never touched.${partial}`,
    },
    validate: {
      title: "Validate",
      description: `Runs ${checks} against the scratch database${source.manifestTables ? ", comparing row counts with the manifest" : ""}. ${
        drill
          ? "A failure fails the drill, with its results kept; the copy is dropped all the same."
          : `A failure stops here: the scratch database is kept for inspection and ${live} is untouched.`
      }`,
    },
    swap: {
      title: "Swap (after your confirmation)",
      description: `Waits for you to confirm. Then, in one transaction, renames ${live} to ${beforeRestore ?? "its before-restore name"} and the scratch database to ${live}. Sessions on ${live} are ended only if you agree after seeing them.`,
    },
    rename: {
      title: `Rename to ${newDatabase ?? "the new name"}`,
      description: `Renames the scratch database to ${newDatabase ?? "the new name"}. ${live} is left alone.`,
    },
    drop: {
      title: "Drop the scratch database",
      description: `Drops the drill's copy and its loader role, keeping the logs, the timings and the validation results. A drill that fails or is cancelled drops its copy too.`,
    },
    cleanup: {
      title: "Clean up (when you ask)",
      description:
        mode === "swap"
          ? `Drops the superseded ${beforeRestore ?? "previous"} database when you no longer need it for rollback.`
          : "Drops the scratch database if the run stopped before renaming it.",
    },
  };
  const steps = stepNamesFor(mode).map((name, position) => ({
    position,
    name,
    ...describe[name],
    timeoutMs: STEP_TIMEOUTS_MS[name],
    automatic: name !== "cleanup",
  }));

  // What a swap loses (the changes made after the backup) is the summary's data loss (plan-facts.ts), not a line here.
  const replaces = drill
    ? [`Nothing: a drill never swaps, and ${live} on ${server} is not touched.`]
    : mode === "swap"
      ? [`${live} on ${server} is replaced by the data of ${source.name} (taken ${formatUtc(source.takenAt)}) once you confirm the swap.`]
      : [`Nothing: ${live} on ${server} is left alone.`];
  const keeps = drill
    ? [
        `${live}, untouched.`,
        "The drill's timings, logs and validation results; the restored copy is dropped at the end, pass or fail.",
        "The backup in the store: it is only read.",
      ]
    : mode === "swap"
      ? [
          `The current ${live}, renamed ${beforeRestore ?? "<db>_before_restore_<time>"}, until you clean it up: one-click rollback puts it back.`,
          "The scratch database, if validation fails, for inspection.",
          "The backup in the store: it is only read.",
        ]
      : [`${live}, untouched.`, `The restored data as ${newDatabase ?? "the new database"}.`, "The backup in the store: it is only read."];

  return {
    version: PLAN_VERSION,
    kind: "logical",
    environment: input.environment,
    source,
    target,
    mode,
    databases: { live, scratch, beforeRestore, newDatabase },
    steps,
    replaces,
    keeps,
    confirmations: { start: live, swap: mode === "swap" ? swapConfirmationText(source.name, live) : null },
    validation: { builtinChecks: input.builtinChecks, configuredChecks: input.configuredChecks },
    load,
    preflight: input.preflight,
    selection,
  };
}

/** One sentence for the plan: how many tables, what comes along, what is left out. */
function selectionSummary(selection: SelectionPlan): string {
  const keys = selection.constraints.length + selection.foreignKeys.length;
  const along = [
    selection.sequences.length ? plural(selection.sequences.length, "owned sequence") : null,
    selection.indexes.length ? plural(selection.indexes.length, "index", "indexes") : null,
    keys ? plural(keys, "key or constraint", "keys and constraints") : null,
    selection.triggers.length ? plural(selection.triggers.length, "trigger") : null,
  ].filter((part): part is string => part !== null);
  const skippedKeys = selection.skippedForeignKeys.length;
  const skipped = skippedKeys
    ? ` ${plural(skippedKeys, "foreign key")} to or from tables not chosen ${skippedKeys === 1 ? "is" : "are"} skipped (${selection.skippedForeignKeys.map((k) => k.name).join(", ")}).`
    : "";
  return `Only ${plural(selection.tables.length, "chosen table")} (${selection.tables.join(", ")})${along.length ? ` with their ${along.join(", ")}` : ""}; everything else in the dump is left out.${skipped}`;
}

/**
 * The databases a finished run may drop on request: only names it created, and never the one
 * now serving as the target or the new database (after a rollback the previous one is live again).
 */
export function cleanupCandidates(run: {
  status: string;
  targetDatabase: string;
  newDatabaseName: string | null;
  scratchDatabase: string;
  previousDatabase: string | null;
  rolledBackDatabase: string | null;
}): string[] {
  const names = [run.scratchDatabase];
  if (run.status === "succeeded" && run.previousDatabase) names.push(run.previousDatabase);
  if (run.status === "rolled-back" && run.rolledBackDatabase) names.push(run.rolledBackDatabase);
  return names.filter((name) => name !== run.targetDatabase && name !== run.newDatabaseName);
}
