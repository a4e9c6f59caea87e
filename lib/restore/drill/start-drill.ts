import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { SessionUser } from "@/lib/auth/roles";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { DrillsConfig, EnvironmentConfig } from "@/lib/config/schema";
import type { ClientCtx } from "@/lib/db/ctx";
import type { DbOrTx } from "@/lib/db/client";
import { BadRequestError } from "@/lib/errors";
import { createQueuedRun } from "../engine/create-queued-run";
import { planOf, resolveLogicalRestore } from "../logical/choice";
import type { DrillInfo } from "../logical/plan";
import { restoreRunView, type RestoreRunView } from "../restore-run-views";

export const StartDrillInput = z.object({ environment: z.string().min(1).max(63) });
export type StartDrillInput = z.infer<typeof StartDrillInput>;

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

/**
 * Starts a drill of an environment: its configured backup restored into a scratch copy on its
 * drill target (never the target's database), validated and dropped. A person or a token asks
 * for one ("Run drill now"); the schedule starts one at each fire (`scheduledFor`).
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
  const environment = resolveEnvironment(StartDrillInput.parse(input).environment);
  const drills = drillsOf(environment);
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
  const runId = randomUUID();
  const drill: DrillInfo = {
    ...triggerOf(ctx.user, drills),
    backupChoice: drills.backup,
    scheduledFor: scheduledFor?.toISOString() ?? null,
    rtoMaxMinutes: environment.objectives.rto.logical.maxMinutes,
  };
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
