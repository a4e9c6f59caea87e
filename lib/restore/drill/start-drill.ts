import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { SessionUser } from "@/lib/auth/roles";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { DrillsConfig, EnvironmentConfig } from "@/lib/config/schema";
import type { ClientCtx } from "@/lib/db/ctx";
import type { DbOrTx } from "@/lib/db/client";
import { BadRequestError } from "@/lib/errors";
import { createQueuedRun } from "../engine/create-queued-run";
import { assertSourceServes, planOf, resolveLogicalRestore } from "../logical/choice";
import type { DrillInfo } from "../logical/plan";
import { restoreRunView, type RestoreRunView } from "../restore-run-views";
import { resolvePitrEnvironment } from "@/lib/config/resolve-pitr-environment";
import { createPitrProviderFor } from "@/lib/providers/create-pitr-provider-for";
import { buildPitrPlan, PITR_MODE, pitrWindowView, type PitrWindowView } from "../pitr/plan";
import { BUILTIN_CHECKS } from "../validation/builtin-checks";
import { DRILL_METHODS } from "./plan";

/** A PITR drill's lock: apart from the environment's real PITR restores ("pitr"). */
export const PITR_DRILL_TARGET_NAME = "pitr-drill";

export const StartDrillInput = z.object({
  environment: z.string().min(1).max(63),
  /** A dump restored, or the PITR source restored to a random point of its window (default: logical where a target is configured). */
  method: z.enum(DRILL_METHODS).optional(),
});
export type StartDrillInput = z.input<typeof StartDrillInput>;

/** The environment's drill configuration, or a clear refusal. */
export function drillsOf(environment: EnvironmentConfig): DrillsConfig {
  if (!environment.drills)
    throw new BadRequestError(
      `${environment.name} has no drills configured: add a drills section (schedule, timeZone, target) to its environment in the configuration.`,
    );
  return environment.drills;
}

/** The backup a drill restores: verified, with its manifest, still in the store; the newest or the oldest kept. */
export async function pickDrillBackup(db: DbOrTx, environment: string, choice: DrillsConfig["backup"]) {
  return db.backup.findFirst({
    where: { environment, removedAt: null, manifestState: "present", verificationState: "verified" },
    orderBy: { takenAt: choice === "oldest-in-retention" ? "asc" : "desc" },
  });
}

function triggerOf(user: SessionUser | null, drills: DrillsConfig): Pick<DrillInfo, "trigger" | "startedBy"> {
  if (!user) return { trigger: "schedule", startedBy: `schedule ${drills.schedule} (${drills.timeZone})` };
  return user.via === "token" ? { trigger: "token", startedBy: user.name ?? user.email } : { trigger: "person", startedBy: user.email };
}

/** A time drawn uniformly from the window, to the second: a drill proves every point restores, not only the latest. */
export function randomPointIn(window: PitrWindowView, random: () => number = Math.random): string {
  if (!window.earliest || !window.latest)
    throw new BadRequestError(
      `The PITR window has no ${window.latest ? "earliest" : "latest"} restorable time yet${window.notes.length ? ` (${window.notes.join(" ")})` : ""}.`,
    );
  const from = new Date(window.earliest).getTime();
  const to = new Date(window.latest).getTime();
  const at = Math.ceil((from + random() * Math.max(0, to - from)) / 1000) * 1000;
  return new Date(Math.min(at, to)).toISOString();
}

interface StartArgs {
  ctx: ClientCtx<SessionUser | null>;
  environment: EnvironmentConfig;
  drills: DrillsConfig;
  scheduledFor: Date | null;
}

function drillInfo(args: StartArgs, rtoMaxMinutes: number): DrillInfo {
  return {
    ...triggerOf(args.ctx.user, args.drills),
    backupChoice: args.drills.backup,
    scheduledFor: args.scheduledFor?.toISOString() ?? null,
    rtoMaxMinutes,
  };
}

async function startLogicalDrill(args: StartArgs): Promise<RestoreRunView> {
  const { ctx, environment, drills } = args;
  if (!drills.target) throw new BadRequestError(`${environment.name}'s drills have no target, so only point-in-time drills run there.`);
  const backup = await pickDrillBackup(ctx.db, environment.name, drills.backup);
  if (!backup)
    throw new BadRequestError(
      `${environment.name} has no verified backup with a manifest to drill: refresh the catalog and verify a backup first.`,
    );
  const resolved = await resolveLogicalRestore(ctx, {
    backupId: backup.id,
    environment: environment.name,
    targetName: drills.target,
    mode: "new-database",
  });
  // A drill no store can serve (the primary down, no replica copy) is a drill that did not start.
  assertSourceServes(resolved);
  const runId = randomUUID();
  const drill = drillInfo(args, environment.objectives.rto.logical.maxMinutes);
  const plan = { ...planOf(resolved, runId, new Date(), "drill"), drill };
  const { target, source } = resolved;
  const run = await createQueuedRun(ctx, {
    runId,
    columns: {
      kind: "drill",
      environment: environment.name,
      targetName: target.name,
      targetDatabase: target.database,
      backupId: source.backupId,
      mode: "drill",
      newDatabaseName: null,
      scratchDatabase: plan.databases.scratch,
      restorePointAt: new Date(source.takenAt),
    },
    plan,
    audit: {
      action: "drill.start",
      payload: {
        environment: environment.name,
        method: "logical",
        target: target.name,
        backup: source.name,
        backupId: source.backupId,
        backupChoice: drills.backup,
        trigger: drill.trigger,
        scheduledFor: drill.scheduledFor,
        scratchDatabase: plan.databases.scratch,
      },
    },
    createdEvent: { backup: source.name, target: target.name, mode: "drill", trigger: drill.trigger },
    // A drill recovers nothing: the environment's incidents are not told.
    evidence: null,
  });
  return restoreRunView(run, run.steps);
}

async function startPitrDrill(args: StartArgs): Promise<RestoreRunView> {
  const { ctx, environment } = args;
  if (!args.drills.pitr)
    throw new BadRequestError(
      `${environment.name}'s drills do not include point-in-time drills: set pitr: true under drills (it needs a pitr source).`,
    );
  const { source } = resolvePitrEnvironment(environment.name);
  const provider = createPitrProviderFor(source);
  const window = pitrWindowView(await provider.describeWindow());
  const time = randomPointIn(window);
  const runId = randomUUID();
  const drill = drillInfo(args, environment.objectives.rto.pitr.maxMinutes);
  const plan = {
    ...buildPitrPlan({
      environment: { name: environment.name, protected: environment.protected },
      source,
      providerKind: provider.kind,
      identifiers: provider.resourceIdentifiers(runId),
      choice: { kind: "time", time },
      window,
      incident: null,
      now: new Date(),
      configuredChecks: environment.validation.checks.length,
      builtinChecks: BUILTIN_CHECKS.length,
      preflight: null,
      drill: true,
    }),
    drill,
  };
  const run = await createQueuedRun(ctx, {
    runId,
    columns: {
      kind: "drill",
      environment: environment.name,
      // Its own lock: a drill never holds up a real point-in-time restore of the environment.
      targetName: PITR_DRILL_TARGET_NAME,
      targetDatabase: source.database,
      mode: PITR_MODE,
      scratchDatabase: plan.identifiers[0] ?? "",
      restorePointAt: new Date(time),
    },
    plan,
    audit: {
      action: "drill.start",
      payload: {
        environment: environment.name,
        method: "pitr",
        provider: provider.kind,
        time,
        window: { earliest: window.earliest, latest: window.latest },
        identifiers: plan.identifiers,
        trigger: drill.trigger,
        scheduledFor: drill.scheduledFor,
      },
    },
    createdEvent: { kind: "pitr", target: time, provider: provider.kind, mode: "drill", trigger: drill.trigger },
    evidence: null,
  });
  return restoreRunView(run, run.steps);
}

/**
 * Starts a drill of an environment: its configured backup restored into a scratch copy on its
 * drill target (never the target's database), or its PITR source restored to a random point of
 * the window into a new server; validated, measured and deleted. A person or a token asks for one
 * ("Run drill now"); the schedule starts them at each fire (`scheduledFor`).
 */
export async function startDrill({
  ctx,
  input,
  scheduledFor = null,
}: {
  ctx: ClientCtx<SessionUser | null>;
  input: StartDrillInput;
  scheduledFor?: Date | null;
}): Promise<RestoreRunView> {
  const parsed = StartDrillInput.parse(input);
  const environment = resolveEnvironment(parsed.environment);
  const args = { ctx, environment, drills: drillsOf(environment), scheduledFor };
  const method = parsed.method ?? (args.drills.target ? "logical" : "pitr");
  return method === "pitr" ? startPitrDrill(args) : startLogicalDrill(args);
}
