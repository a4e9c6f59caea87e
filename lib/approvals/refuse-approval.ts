import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { hasRole, isPerson } from "@/lib/auth/roles";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { announceApproval } from "@/lib/incidents/announce-approval";
import { appendRunEvent } from "@/lib/restore/engine/events";
import { TOKEN_DECISION } from "./require-four-eyes";
import { approvalView, type ApprovalView } from "./approval-views";
import { expireApprovals } from "./expire-approvals";

export const RefuseApprovalInput = z.object({
  approvalId: z.uuid(),
  reason: z.string().trim().min(5, "say why, in at least 5 characters, so the requester knows what to change").max(2000),
});
export type RefuseApprovalInput = z.input<typeof RefuseApprovalInput>;

/**
 * Says no to a pending request, with a reason: nothing is done, the run and action are free for a
 * new request. Anyone with the approver role may refuse (the requester included, which withdraws
 * it). Audited, on the run's feed and on linked incidents' timelines, in one transaction.
 */
export async function refuseApproval({ ctx, input }: { ctx: Ctx; input: RefuseApprovalInput }): Promise<ApprovalView> {
  const parsed = RefuseApprovalInput.parse(input);
  if (!isPerson(ctx.user)) throw new ForbiddenError(TOKEN_DECISION);
  await expireApprovals({ ctx, input: {} });
  const row = await ctx.db.approval.findUnique({ where: { id: parsed.approvalId } });
  if (!row) throw new NotFoundError("That approval request does not exist.");
  const view = approvalView(row);
  const own = row.requestedById === ctx.user.id;
  if (!own && !hasRole(ctx.user.role, view.approverRole)) {
    throw new ForbiddenError(`Refusing this needs the ${view.approverRole} role; you are signed in as ${ctx.user.role}.`);
  }
  const decidedAt = new Date();
  return withTransaction(ctx, async ({ db: tx }) => {
    const { count } = await tx.approval.updateMany({
      where: { id: row.id, status: "pending", expiresAt: { gt: decidedAt } },
      data: {
        status: "refused",
        pendingKey: null,
        decidedById: ctx.user.id,
        decidedByEmail: ctx.user.email,
        decidedAt,
        decisionReason: parsed.reason,
      },
    });
    if (count === 0) {
      const now = await tx.approval.findUnique({ where: { id: row.id }, select: { status: true } });
      throw new ConflictError(
        `This request is ${now?.status === "pending" ? "expired" : (now?.status ?? "gone")}; there is nothing left to refuse.`,
      );
    }
    await appendRunEvent(tx, row.runId, "approval", {
      approvalId: row.id,
      action: row.action,
      status: "refused",
      requestedBy: row.requestedByEmail,
      refusedBy: ctx.user.email,
      reason: parsed.reason,
    });
    const incidentIds = await announceApproval(tx, {
      type: "approval-refused",
      approvalId: row.id,
      runId: row.runId,
      environment: row.environment,
      actorEmail: ctx.user.email,
      at: decidedAt,
      action: row.action,
      actionLabel: view.actionLabel,
      requestedByEmail: row.requestedByEmail,
      reason: parsed.reason,
    });
    await recordAuditEvent(tx, {
      actor: ctx.user,
      action: "approval.refuse",
      subject: { type: "approval", id: row.id },
      payload: {
        runId: row.runId,
        environment: row.environment,
        action: row.action,
        requestedBy: row.requestedByEmail,
        requestReason: row.reason,
        reason: parsed.reason,
        withdrawn: own,
        incidentIds,
      },
      requestId: ctx.requestId,
    });
    return approvalView(await tx.approval.findUniqueOrThrow({ where: { id: row.id } }));
  });
}
