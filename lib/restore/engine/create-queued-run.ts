import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { SessionUser } from "@/lib/auth/roles";
import type { Prisma, RestoreRun, RestoreStep } from "@/lib/generated/prisma/client";
import { enqueueJob } from "@/lib/jobs/enqueue-job";
import { reportRunEvidence } from "./report-run-evidence";
import type { ClientCtx } from "@/lib/db/ctx";
import { restoreRunQueue } from "./queue";
import { appendRunEvent } from "./events";
import { acquireTargetLock } from "./target-lock";

/** The columns that differ between kinds of run; identity, status, requester and steps are filled in here. */
export type RunColumns = Omit<
  Prisma.RestoreRunUncheckedCreateInput,
  "id" | "status" | "plan" | "requestedById" | "requestedByEmail" | "steps"
>;

export interface QueuedRunInput {
  runId: string;
  columns: RunColumns;
  plan: { steps: ReadonlyArray<{ position: number; name: string }> };
  audit: { action: string; payload: Record<string, unknown> };
  createdEvent: Record<string, unknown>;
  /** For the environment's open incidents: "Logical restore of … started by …" (null: not theirs, e.g. a drill). */
  evidence: string | null;
}

/**
 * Every kind of restore starts the same way: the run, its steps, the target lock and the audit
 * event in ONE transaction (a held target is a ConflictError naming the run), then the job and
 * the incident evidence after the commit (so never inside a caller's transaction).
 */
export async function createQueuedRun(
  ctx: ClientCtx<SessionUser | null>,
  input: QueuedRunInput,
): Promise<RestoreRun & { steps: RestoreStep[] }> {
  const { runId, columns } = input;
  const run = await ctx.db.$transaction(async (tx) => {
    const created = await tx.restoreRun.create({
      data: {
        ...columns,
        id: runId,
        status: "queued",
        plan: input.plan as unknown as Prisma.InputJsonValue,
        requestedById: ctx.user?.id ?? null,
        requestedByEmail: actorOf(ctx).email,
        steps: { create: input.plan.steps.map((step) => ({ position: step.position, name: step.name })) },
      },
      include: { steps: true },
    });
    await acquireTargetLock(tx, { environment: columns.environment, targetName: columns.targetName, runId });
    await recordAuditEvent(tx, {
      actor: actorOf(ctx),
      action: input.audit.action,
      subject: { type: "restore-run", id: runId },
      payload: input.audit.payload,
      requestId: ctx.requestId,
    });
    await appendRunEvent(tx, runId, "run.created", { by: actorOf(ctx).email, ...input.createdEvent });
    return created;
  });

  // After the commit: a worker must never see a job for a run that does not exist yet. Should
  // this fail, the run stays queued and the sweeper sends it again.
  await enqueueJob(restoreRunQueue, { runId });
  if (input.evidence !== null)
    await reportRunEvidence(ctx.db, { runId, environment: columns.environment, kind: "restore-started", description: input.evidence });
  return run;
}
