import { randomUUID } from "node:crypto";
import type { LogicalRestorePlan } from "./plan";
import { runPreflight } from "./preflight";
import { LogicalRestoreChoice, planOf, resolveLogicalRestore } from "./choice";
import { adminTargetFor } from "../restore-target";
import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";

export const PlanLogicalRestoreInput = LogicalRestoreChoice;
export type PlanLogicalRestoreInput = LogicalRestoreChoice;

export interface LogicalRestorePreview {
  plan: LogicalRestorePlan;
  /** The run holding the target right now, if any: starting would be refused with 409. */
  activeRun: { id: string; status: string; requestedByEmail: string; createdAt: string } | null;
  /** Preflight passed and nothing holds the target. */
  canStart: boolean;
}

/**
 * The plan a person reads before anything runs: source, target (never the password), steps,
 * what is replaced and what is kept, and the preflight checks run now, changing nothing.
 */
export async function planLogicalRestore({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: PlanLogicalRestoreInput;
}): Promise<LogicalRestorePreview> {
  const resolved = await resolveLogicalRestore(ctx, input);
  const { environment, target, source } = resolved;
  // The real run gets its own id; the preview's scratch name shows the pattern.
  const at = new Date();
  const draft = planOf(resolved, randomUUID(), at);
  const preflight = await runPreflight({
    admin: await adminTargetFor(target),
    mode: resolved.mode,
    liveDatabase: target.database,
    scratchDatabase: draft.databases.scratch,
    newDatabase: draft.databases.newDatabase,
    source: { format: source.format, size: source.size, pgVersion: source.pgVersion, roles: source.manifestRoles ?? null },
    ownerRole: target.ownerRole,
  });
  const lock = await ctx.db.restoreTargetLock.findUnique({
    where: { environment_targetName: { environment: environment.name, targetName: target.name } },
    include: { run: { select: { id: true, status: true, requestedByEmail: true, createdAt: true } } },
  });
  const activeRun = lock ? { ...lock.run, createdAt: lock.run.createdAt.toISOString() } : null;
  // Where the dump comes from is checked with the rest: a store that cannot serve it fails the preflight.
  const checks = [resolved.sourceCheck, ...preflight.checks];
  const passed = preflight.passed && resolved.sourceCheck.status !== "failed";
  return { plan: { ...draft, preflight: { ...preflight, checks, passed } }, activeRun, canStart: passed && activeRun === null };
}
