import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { hasRole, isPerson } from "@/lib/auth/roles";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { FourEyesAction } from "@/lib/config/schema";
import { withTransaction, type ClientCtx } from "@/lib/db/ctx";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { announceApproval } from "@/lib/incidents/announce-approval";
import { assertMayRestore } from "@/lib/restore/logical/choice";
import type { RestoreRunView } from "@/lib/restore/restore-run-views";
import { appendRunEvent } from "@/lib/restore/engine/events";
import { approvalView, type ApprovalView } from "./approval-views";
import { executeApprovedAction } from "./execute-approved-action";
import { expireApprovals } from "./expire-approvals";
import { refuseDecision } from "./refuse-decision";
import { TOKEN_DECISION, type ApprovalGrant } from "./require-four-eyes";

export const ApproveApprovalInput = z.object({ approvalId: z.uuid() });
export type ApproveApprovalInput = z.infer<typeof ApproveApprovalInput>;

export interface ApprovedAction {
  approval: ApprovalView;
  run: RestoreRunView;
}

/**
 * A second person's go-ahead: the request must be pending and within its window, and the approver
 * a different person with the required role (a self-approval or a too-low role is refused and
 * audited). The request is claimed with a guarded update, so of two people approving at once one
 * wins and the action runs exactly once; it then runs with the recorded parameters as the
 * approver, both people in its audit record. A failure of the action marks the request failed.
 * Commits in steps (the claim, the action, the outcome), so it runs on the client, never inside
 * another transaction: a failed action's "failed" mark must survive the failure.
 */
export async function approveApproval({ ctx, input }: { ctx: ClientCtx; input: ApproveApprovalInput }): Promise<ApprovedAction> {
  const { approvalId } = ApproveApprovalInput.parse(input);
  if (!isPerson(ctx.user)) throw new ForbiddenError(TOKEN_DECISION);
  await expireApprovals({ ctx, input: {} });
  const row = await ctx.db.approval.findUnique({ where: { id: approvalId } });
  if (!row) throw new NotFoundError("That approval request does not exist.");
  const view = approvalView(row);
  if (row.status !== "pending")
    throw new ConflictError(
      `This request is ${row.status}${row.decidedByEmail ? ` (by ${row.decidedByEmail})` : ""}; there is nothing left to approve.`,
    );

  if (row.requestedById === ctx.user.id || row.requestedByEmail === ctx.user.email) {
    await refuseDecision(ctx, view, "self-approval");
    throw new ForbiddenError("You asked for this yourself: a different person must approve it (four-eyes).");
  }
  if (!hasRole(ctx.user.role, view.approverRole)) {
    await refuseDecision(ctx, view, "role");
    throw new ForbiddenError(`Approving this needs the ${view.approverRole} role; you are signed in as ${ctx.user.role}.`);
  }
  // The approver runs the action, so they must be allowed to do it themselves (admin on a protected environment).
  const environment = resolveEnvironment(row.environment);
  try {
    assertMayRestore(ctx.user, environment, "Approving this action");
  } catch (error) {
    await refuseDecision(ctx, view, "role");
    throw error;
  }

  const decidedAt = new Date();
  const claimed = await withTransaction(ctx, async ({ db: tx }) => {
    const { count } = await tx.approval.updateMany({
      where: { id: row.id, status: "pending", expiresAt: { gt: decidedAt } },
      data: { status: "approved", pendingKey: null, decidedById: ctx.user.id, decidedByEmail: ctx.user.email, decidedAt },
    });
    if (count === 0) return null;
    await appendRunEvent(tx, row.runId, "approval", {
      approvalId: row.id,
      action: row.action,
      status: "approved",
      requestedBy: row.requestedByEmail,
      approvedBy: ctx.user.email,
    });
    const incidentIds = await announceApproval(tx, {
      type: "approval-approved",
      approvalId: row.id,
      runId: row.runId,
      environment: row.environment,
      actorEmail: ctx.user.email,
      at: decidedAt,
      action: row.action,
      actionLabel: view.actionLabel,
      requestedByEmail: row.requestedByEmail,
      reason: row.reason,
    });
    await recordAuditEvent(tx, {
      actor: ctx.user,
      action: "approval.approve",
      subject: { type: "approval", id: row.id },
      payload: {
        runId: row.runId,
        environment: row.environment,
        action: row.action,
        requestedBy: row.requestedByEmail,
        approvedBy: ctx.user.email,
        reason: row.reason,
        incidentIds,
      },
      requestId: ctx.requestId,
    });
    return true;
  });
  if (!claimed) {
    const now = await ctx.db.approval.findUnique({ where: { id: row.id }, select: { status: true, decidedByEmail: true } });
    const status = now?.status === "pending" ? "expired" : (now?.status ?? "gone");
    throw new ConflictError(
      `This request was ${status}${now?.decidedByEmail ? ` by ${now.decidedByEmail}` : ""} meanwhile; nothing was done twice.`,
    );
  }

  const grant: ApprovalGrant = {
    id: row.id,
    runId: row.runId,
    action: row.action as FourEyesAction,
    requestedBy: { id: row.requestedById, email: row.requestedByEmail },
    approvedBy: { id: ctx.user.id, email: ctx.user.email },
    reason: row.reason,
  };
  let run: RestoreRunView;
  try {
    run = await executeApprovedAction(ctx, grant, view.parameters);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await withTransaction(ctx, async ({ db: tx }) => {
      await tx.approval.update({ where: { id: row.id }, data: { status: "failed", error: message } });
      await appendRunEvent(tx, row.runId, "approval", { approvalId: row.id, action: row.action, status: "failed", error: message });
      await recordAuditEvent(tx, {
        actor: ctx.user,
        action: "approval.execute",
        outcome: "failed",
        subject: { type: "approval", id: row.id },
        payload: { runId: row.runId, action: row.action, requestedBy: row.requestedByEmail, approvedBy: ctx.user.email, error: message },
        requestId: ctx.requestId,
      });
    });
    throw error;
  }
  const done = await withTransaction(ctx, async ({ db: tx }) => {
    const updated = await tx.approval.update({ where: { id: row.id }, data: { status: "executed" } });
    await appendRunEvent(tx, row.runId, "approval", {
      approvalId: row.id,
      action: row.action,
      status: "executed",
      requestedBy: row.requestedByEmail,
      approvedBy: ctx.user.email,
    });
    return updated;
  });
  return { approval: approvalView(done), run };
}
