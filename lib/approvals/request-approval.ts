import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { FOUR_EYES_ACTIONS } from "@/lib/config/schema";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { ConflictError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { announceApproval } from "@/lib/incidents/announce-approval";
import { appendRunEvent } from "@/lib/restore/engine/events";
import { approvalView, pendingKeyOf, type ApprovalView } from "./approval-views";
import { expireApprovals } from "./expire-approvals";

export const ApprovalReason = z.string().trim().min(10, "say why, in at least 10 characters, so the second person can judge").max(2000);

export const RequestApprovalInput = z.object({
  runId: z.uuid(),
  environment: z.string().min(1),
  action: z.enum(FOUR_EYES_ACTIONS),
  /** The action's own input as the requester confirmed it (no run id, no reason). */
  parameters: z.record(z.string(), z.unknown()),
  reason: ApprovalReason,
  windowMinutes: z.int().positive(),
  approverRole: z.enum(["operator", "admin"]),
});
export type RequestApprovalInput = z.input<typeof RequestApprovalInput>;

/**
 * Records a pending four-eyes request: who asked, why, and exactly what (the run, the action, its
 * confirmed parameters), expiring after the window. One pending request per run and action (the
 * database's unique pending key); a second is a ConflictError naming the first. Audited, announced
 * on the run's feed and on linked incidents' timelines, in one transaction.
 */
export async function requestApproval({ ctx, input }: { ctx: Ctx; input: RequestApprovalInput }): Promise<ApprovalView> {
  const parsed = RequestApprovalInput.parse(input);
  const requestedAt = new Date();
  const expiresAt = new Date(requestedAt.getTime() + parsed.windowMinutes * 60_000);
  try {
    return await withTransaction(ctx, async (txCtx) => {
      const tx = txCtx.db;
      await expireApprovals({ ctx: txCtx, input: { runId: parsed.runId, now: requestedAt } });
      const existing = await tx.approval.findUnique({ where: { pendingKey: pendingKeyOf(parsed.runId, parsed.action) } });
      if (existing) throw alreadyPending(existing.requestedByEmail, existing.expiresAt);
      const row = await tx.approval.create({
        data: {
          runId: parsed.runId,
          environment: parsed.environment,
          action: parsed.action,
          parameters: parsed.parameters as Prisma.InputJsonValue,
          reason: parsed.reason,
          pendingKey: pendingKeyOf(parsed.runId, parsed.action),
          approverRole: parsed.approverRole,
          requestedById: ctx.user.id,
          requestedByEmail: ctx.user.email,
          requestedAt,
          expiresAt,
        },
      });
      const view = approvalView(row);
      await appendRunEvent(tx, parsed.runId, "approval", {
        approvalId: row.id,
        action: row.action,
        status: "pending",
        requestedBy: ctx.user.email,
        reason: parsed.reason,
        expiresAt,
      });
      const incidentIds = await announceApproval(tx, {
        type: "approval-requested",
        approvalId: row.id,
        runId: parsed.runId,
        environment: parsed.environment,
        actorEmail: ctx.user.email,
        at: requestedAt,
        action: row.action,
        actionLabel: view.actionLabel,
        requestedByEmail: ctx.user.email,
        reason: parsed.reason,
      });
      await recordAuditEvent(tx, {
        actor: ctx.user,
        action: "approval.request",
        subject: { type: "approval", id: row.id },
        payload: {
          runId: parsed.runId,
          environment: parsed.environment,
          action: parsed.action,
          parameters: parsed.parameters,
          reason: parsed.reason,
          approverRole: parsed.approverRole,
          expiresAt,
          incidentIds,
        },
        requestId: ctx.requestId,
      });
      return view;
    });
  } catch (error) {
    // Two requests at the same moment: the database's unique key lets one in.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const other = await ctx.db.approval.findUnique({ where: { pendingKey: pendingKeyOf(parsed.runId, parsed.action) } });
      throw alreadyPending(other?.requestedByEmail ?? "someone", other?.expiresAt ?? expiresAt);
    }
    throw error;
  }
}

function alreadyPending(by: string, expiresAt: Date): ConflictError {
  return new ConflictError(
    `${by} already asked for this and it waits for approval until ${expiresAt.toISOString()}; approve or refuse that request, or wait for it to expire.`,
    {
      details: { pendingApproval: true },
    },
  );
}
