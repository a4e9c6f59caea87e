import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { Ctx } from "@/lib/db/ctx";
import type { ApprovalView } from "./approval-views";

/** Audits a decision refused to this person (their own request, or a role too low); the request stays pending. */
export async function refuseDecision(ctx: Ctx, approval: ApprovalView, why: "self-approval" | "role"): Promise<void> {
  await recordAuditEvent(ctx.db, {
    actor: ctx.user,
    action: "approval.approve",
    outcome: "denied",
    subject: { type: "approval", id: approval.id },
    payload: {
      runId: approval.runId,
      environment: approval.environment,
      action: approval.action,
      requestedBy: approval.requestedByEmail,
      why,
      role: ctx.user.role,
      approverRole: approval.approverRole,
    },
    requestId: ctx.requestId,
  });
}
