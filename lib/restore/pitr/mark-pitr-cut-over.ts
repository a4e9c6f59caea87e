import { z } from "zod";
import { fourEyesRule } from "@/lib/approvals/four-eyes-rule";
import { approvalAudit, requireFourEyes, type ApprovalGrant } from "@/lib/approvals/require-four-eyes";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { ConflictError, NotFoundError } from "@/lib/errors";
import type { PitrEndpoint } from "@/lib/providers/pitr";
import { lockRestoreRun } from "../engine/lock-restore-run";
import { cutOverRefusal } from "./cleanup-rules";
import { resolvePitrEnvironment } from "@/lib/config/resolve-pitr-environment";
import { endpointText } from "./plan";
import { assertMayRestore } from "../logical/choice";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { restoreRunView, runStatusOf, type RestoreRunView } from "../restore-run-views";
import { appendRunEvent } from "../engine/events";
import { isTerminal } from "../engine/state";

export const MarkPitrCutOverInput = z.object({
  runId: z.uuid(),
  /** Why, when the environment needs a second person to approve the cut-over (four-eyes). */
  reason: z.string().max(2000).optional(),
});
export type MarkPitrCutOverInput = z.input<typeof MarkPitrCutOverInput>;

/**
 * Records that a person moved traffic to a PITR run's restored server: from now on it may be
 * production, and clean-up refuses to delete it. Set once, never cleared here (a server that
 * serves an application is retired in the provider's console, deliberately, not with one click).
 */
export async function markPitrCutOver({
  ctx,
  input,
  approval,
}: {
  ctx: Ctx;
  input: MarkPitrCutOverInput;
  approval?: ApprovalGrant;
}): Promise<{ run: RestoreRunView }> {
  const found = await ctx.db.restoreRun.findUnique({
    where: { id: input.runId },
    select: { kind: true, environment: true, targetName: true },
  });
  if (!found || found.kind !== "pitr") throw new NotFoundError("That point-in-time restore run does not exist.");
  const { environment } = resolvePitrEnvironment(found.environment);
  assertMayRestore(ctx.user, environment, "Marking a restore as cut over");
  // Four-eyes: the checks below run first, then a request is recorded instead of the cut-over.
  const gated = !approval && fourEyesRule(environment, "pitr-cut-over", found.targetName) !== null;

  const now = new Date();
  await withTransaction(ctx, async ({ db: tx }) => {
    // Under the run's row lock: a clean-up that claimed the run first is seen here, and one that
    // comes after sees the cut-over.
    await lockRestoreRun(tx, input.runId);
    const run = await tx.restoreRun.findUniqueOrThrow({ where: { id: input.runId }, include: { steps: true } });
    const already = cutOverRefusal(run);
    if (already) throw new ConflictError(`Already cut over: ${already}`);
    if (!isTerminal(runStatusOf(run.status)))
      throw new ConflictError(`This restore is still ${run.status}; let it finish (validation included) before cutting over to it.`);
    const endpoint = run.endpoint as PitrEndpoint | null;
    if (!endpoint) throw new ConflictError("No restored server answered for this run, so there is nothing to cut over to.");
    const cleanup = run.steps.find((s) => s.name === "cleanup");
    if (cleanup?.status === "succeeded")
      throw new ConflictError("This run's restored server was already cleaned up (deleted), so there is nothing to cut over to.");
    if (cleanup?.status === "running")
      throw new ConflictError("A clean-up of this run is deleting its restored server right now; it cannot be cut over to.");
    if (gated) return;

    await tx.restoreRun.update({ where: { id: run.id }, data: { cutOverAt: now, cutOverByEmail: ctx.user.email } });
    await appendRunEvent(tx, run.id, "cut-over", {
      by: ctx.user.email,
      at: now.toISOString(),
      endpoint: endpointText(endpoint),
      identifier: endpoint.identifier,
    });
    await appendRunEvent(tx, run.id, "message", {
      line: `${ctx.user.email} marked the run as cut over: ${endpointText(endpoint)} serves the application now; clean-up is refused`,
    });
    await recordAuditEvent(tx, {
      actor: { id: ctx.user.id, email: ctx.user.email },
      action: "pitr.cut-over",
      subject: { type: "restore-run", id: run.id },
      payload: {
        environment: run.environment,
        status: run.status,
        endpoint: endpointText(endpoint),
        identifier: endpoint.identifier,
        ...approvalAudit(approval),
      },
      requestId: ctx.requestId,
    });
  });
  // Outside the run's row lock (the request's row refers to the run): records it and answers 202.
  if (gated)
    await requireFourEyes({
      ctx,
      environment,
      run: { id: input.runId, targetName: found.targetName },
      action: "pitr-cut-over",
      parameters: {},
      reason: input.reason,
      approval,
    });
  const updated = await ctx.db.restoreRun.findUniqueOrThrow({ where: { id: input.runId }, include: { steps: true } });
  return { run: restoreRunView(updated, updated.steps) };
}
