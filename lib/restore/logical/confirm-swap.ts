import { z } from "zod";
import { approvalAudit, requireFourEyes, type ApprovalGrant } from "@/lib/approvals/require-four-eyes";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { plural } from "@/lib/format";
import { enqueueJob } from "@/lib/jobs/enqueue-job";
import { databaseExists, listSessions } from "@/lib/providers/postgres/admin";
import { readLogicalPlan } from "../read-plan";
import { swapConfirmationText } from "./plan";
import { assertMayRestore } from "./choice";
import type { ClientCtx } from "@/lib/db/ctx";
import { restoreRunQueue } from "../engine/queue";
import { restoreRunView, type RestoreRunView } from "../restore-run-views";
import { adminTargetFor, findRestoreTarget } from "../restore-target";
import { appendRunEvent } from "../engine/events";
import { transitionRun } from "../engine/transition-run";
import { requireTypedConfirmation } from "../typed-confirmation";
import { findUnacceptedBlockingFailures, namesOf } from "../validation/blocking-failures";

export const ConfirmSwapInput = z.object({
  runId: z.uuid(),
  /** Typed by the person: `<backup name> -> <target database>`. */
  confirmation: z.string(),
  /** Agreed after seeing the sessions connected to the live database: end them at the swap. */
  terminateSessions: z.boolean().default(false),
  /** Why, when the environment needs a second person to approve the swap (four-eyes). */
  reason: z.string().max(2000).optional(),
});
export type ConfirmSwapInput = z.input<typeof ConfirmSwapInput>;

/**
 * The person's go-ahead for the swap, naming source and target. Sessions on the live database
 * are ended only when `terminateSessions` is passed; without it, connected sessions make this a
 * ConflictError that lists them (details.sessions) so they can be shown before agreeing.
 */
export async function confirmSwap({
  ctx,
  input,
  approval,
}: {
  ctx: ClientCtx;
  input: ConfirmSwapInput;
  approval?: ApprovalGrant;
}): Promise<RestoreRunView> {
  const parsed = ConfirmSwapInput.parse(input);
  const run = await ctx.db.restoreRun.findUnique({ where: { id: parsed.runId } });
  if (!run) throw new NotFoundError("That restore run does not exist.");
  const environment = resolveEnvironment(run.environment);
  assertMayRestore(ctx.user, environment, "Confirming a swap");
  if (run.status !== "awaiting-swap") throw new ConflictError(`This restore is ${run.status}, not waiting for a swap confirmation.`);
  if (run.mode !== "swap")
    throw new ConflictError(`This restore goes into a new database (${run.newDatabaseName ?? "a new name"}); there is nothing to swap.`);
  const blocking = await findUnacceptedBlockingFailures(ctx.db, run.id);
  if (blocking.length > 0) {
    throw new ConflictError(
      `Validation failed blocking ${blocking.length === 1 ? "check" : "checks"} ${namesOf(blocking)}: the swap is refused until an admin accepts ${blocking.length === 1 ? "that failure" : "those failures"} with a reason. Otherwise cancel this run.`,
      { details: { blockingFailures: blocking.map((f) => f.name) } },
    );
  }
  const plan = readLogicalPlan(run);
  const expected = swapConfirmationText(plan.source.name, run.targetDatabase);
  requireTypedConfirmation(parsed.confirmation, expected, "which backup replaces which database");

  const admin = await adminTargetFor(findRestoreTarget(environment, run.targetName));
  if (!(await databaseExists(admin, run.scratchDatabase))) {
    throw new ConflictError(
      `The restored database ${run.scratchDatabase} no longer exists; nothing can be swapped in. Cancel this run and start a new restore.`,
    );
  }
  const sessions = await listSessions(admin, run.targetDatabase);
  if (sessions.length > 0 && !parsed.terminateSessions) {
    const apps = [...new Set(sessions.map((s) => s.applicationName || "(unnamed)"))].join(", ");
    throw new ConflictError(
      `${plural(sessions.length, "session")} ${sessions.length === 1 ? "is" : "are"} connected to ${run.targetDatabase} (${apps}). The swap ends ${sessions.length === 1 ? "it" : "them"}: confirm again with "end these sessions" ticked, or stop those clients first.`,
      { details: { sessions } },
    );
  }

  // Four-eyes: on an environment that asks for it, this records a request instead (202).
  await requireFourEyes({
    ctx,
    environment,
    run,
    action: "swap",
    parameters: { confirmation: parsed.confirmation, terminateSessions: parsed.terminateSessions },
    reason: parsed.reason,
    approval,
  });

  const actor = { id: ctx.user.id, email: ctx.user.email };
  const updated = await ctx.db.$transaction(async (tx) => {
    await transitionRun(tx, run.id, ["awaiting-swap"], "running", {
      swapConfirmedByEmail: ctx.user.email,
      swapConfirmedAt: new Date(),
      swapTerminateSessions: parsed.terminateSessions,
      error: null,
      // Free for the next worker to claim.
      leaseOwner: null,
      leaseExpiresAt: null,
    });
    await appendRunEvent(tx, run.id, "swap", {
      confirmedBy: ctx.user.email,
      terminateSessions: parsed.terminateSessions,
      sessions: sessions.length,
      ...(approval ? { requestedBy: approval.requestedBy.email, approvedBy: approval.approvedBy.email } : {}),
    });
    await recordAuditEvent(tx, {
      actor,
      action: "restore.swap.confirm",
      subject: { type: "restore-run", id: run.id },
      payload: {
        environment: run.environment,
        target: run.targetName,
        live: run.targetDatabase,
        backup: plan.source.name,
        terminateSessions: parsed.terminateSessions,
        sessions: sessions.map((s) => ({ pid: s.pid, user: s.user, applicationName: s.applicationName })),
        ...approvalAudit(approval),
      },
      requestId: ctx.requestId,
    });
    return tx.restoreRun.findUniqueOrThrow({ where: { id: run.id }, include: { steps: true } });
  });
  await enqueueJob(restoreRunQueue, { runId: run.id });
  return restoreRunView(updated, updated.steps);
}
