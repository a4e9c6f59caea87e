import { recordAuditEvent, SYSTEM } from "@/lib/audit/record-audit-event";
import type { SessionUser } from "@/lib/auth/roles";
import type { ClientCtx } from "@/lib/db/ctx";
import type { CleanupResult } from "../engine/kind";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { plural } from "@/lib/format";
import { dropDatabase, existingDatabases, listSessions, type AdminTarget } from "@/lib/providers/postgres/admin";
import { dropLoaderRole } from "@/lib/providers/postgres/loader-role";
import { cleanupCandidates, cleanupConfirmationText } from "./plan";
import { assertMayRestore } from "./choice";
import { runStatusOf } from "../restore-run-views";
import { adminTargetFor, findRestoreTarget } from "../restore-target";
import { appendRunEvent } from "../engine/events";
import { isTerminal } from "../engine/state";
import { requireTypedConfirmation } from "../typed-confirmation";

/** The databases a clean-up of this run would drop now: the candidates that still exist. */
export async function leftoverDatabases(admin: AdminTarget, run: Parameters<typeof cleanupCandidates>[0]): Promise<string[]> {
  const candidates = cleanupCandidates(run);
  const existing = await existingDatabases(admin, candidates);
  return candidates.filter((name) => existing.has(name));
}

/**
 * Drops what a finished run left on the server: its scratch database, or the superseded database
 * a swap (or rollback) set aside. Only names this run created; a set-aside database that people
 * are still connected to is refused, never forced. On a protected environment a person types
 * the names dropped (the retention sweep, `user: null`, needs no confirmation).
 */
export async function cleanupLogicalRestore({
  ctx,
  input,
}: {
  ctx: ClientCtx<SessionUser | null>;
  input: { runId: string; confirmation?: string };
}): Promise<CleanupResult> {
  const run = await ctx.db.restoreRun.findUnique({ where: { id: input.runId }, include: { steps: true } });
  if (!run || (run.kind !== "logical" && run.kind !== "drill")) throw new NotFoundError("That restore run does not exist.");
  const environment = resolveEnvironment(run.environment);
  if (ctx.user) assertMayRestore(ctx.user, environment, "Cleaning up after a restore");
  if (!isTerminal(runStatusOf(run.status)))
    throw new ConflictError(`This restore is still ${run.status}; cancel it or let it finish before cleaning up.`);
  const lock = await ctx.db.restoreTargetLock.findUnique({ where: { runId: run.id } });
  if (lock) throw new ConflictError("This run's rollback is in progress; clean up once it has finished.");

  const admin = await adminTargetFor(findRestoreTarget(environment, run.targetName));
  const leftovers = await leftoverDatabases(admin, run);
  if (ctx.user && environment.protected && leftovers.length > 0) {
    requireTypedConfirmation(input.confirmation, cleanupConfirmationText(leftovers), "which databases are dropped");
  }
  const dropped: string[] = [];
  for (const name of leftovers) {
    const scratch = name === run.scratchDatabase;
    if (!scratch) {
      const sessions = await listSessions(admin, name);
      if (sessions.length > 0)
        throw new ConflictError(
          `${plural(sessions.length, "session")} ${sessions.length === 1 ? "is" : "are"} connected to ${name}; end ${sessions.length === 1 ? "it" : "them"} before dropping the database.${dropped.length ? ` Already dropped: ${dropped.join(", ")}.` : ""}`,
        );
    }
    // FORCE only for the scratch database, which we created and nobody should be using.
    await dropDatabase(admin, name, { force: scratch });
    dropped.push(name);
  }
  // A loader role outlives its run only when the server was unreachable at the run's end.
  await dropLoaderRole(admin, run.id);

  const cleanup = run.steps.find((s) => s.name === "cleanup");
  const actor = ctx.user ? { id: ctx.user.id, email: ctx.user.email } : SYSTEM;
  await ctx.db.$transaction(async (tx) => {
    if (cleanup) {
      await tx.restoreStep.update({
        where: { id: cleanup.id },
        data: { status: "succeeded", startedAt: cleanup.startedAt ?? new Date(), finishedAt: new Date(), output: { dropped }, error: null },
      });
    }
    await appendRunEvent(tx, run.id, "cleanup", { by: ctx.user?.email ?? "system (retention)", dropped });
    await recordAuditEvent(tx, {
      actor,
      action: "restore.cleanup",
      subject: { type: "restore-run", id: run.id },
      payload: { environment: run.environment, target: run.targetName, dropped },
      requestId: ctx.requestId,
    });
  });
  return { dropped };
}
