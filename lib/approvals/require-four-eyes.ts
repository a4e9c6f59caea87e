import type { EnvironmentConfig, FourEyesAction, GuardedAction } from "@/lib/config/schema";
import { isPerson } from "@/lib/auth/roles";
import { BadRequestError, ConflictError, ForbiddenError } from "@/lib/errors";
import type { Ctx } from "@/lib/db/ctx";
import { ApprovalRequested } from "./approval-requested";
import { fourEyesRule, type FourEyesRule } from "./four-eyes-rule";
import { requestApproval } from "./request-approval";

/** Why an API token is refused in four-eyes: the point is two people. */
export const TOKEN_DECISION =
  "A four-eyes request is asked for and approved by people: an API token can do neither. Sign in and do it yourself.";

/** An approved request, handed by approveApproval to the action it lets through. */
export interface ApprovalGrant {
  id: string;
  runId: string;
  action: FourEyesAction;
  requestedBy: { id: string | null; email: string };
  approvedBy: { id: string; email: string };
  reason: string;
}

/** What an action's audit record says about its approval: both people, and why it was asked for. */
export function approvalAudit(grant: ApprovalGrant | undefined): Record<string, unknown> {
  if (!grant) return {};
  return { approval: { id: grant.id, requestedBy: grant.requestedBy.email, approvedBy: grant.approvedBy.email, reason: grant.reason } };
}

/** A request for a second person says why, so they can judge it: otherwise a 400 naming the terms. */
export function requireApprovalReason(
  environment: EnvironmentConfig,
  rule: FourEyesRule,
  action: GuardedAction,
  reason: string | undefined,
): asserts reason is string {
  if (!reason || reason.trim().length < 10) {
    throw new BadRequestError(
      `${environment.name} needs a second person (${rule.approverRole} or above) to approve this. Say why it is needed (a reason of at least 10 characters) and ask again; it then waits up to ${rule.windowMinutes} minutes for approval.`,
      { details: { fourEyes: { action, approverRole: rule.approverRole, windowMinutes: rule.windowMinutes } } },
    );
  }
}

/**
 * The four-eyes gate, called by a guarded action once every one of its own checks passed and
 * before it changes anything. Returns when the action may go ahead: four-eyes is off for it, or a
 * matching approval is handed over. Otherwise it records a pending request (the action's confirmed
 * `parameters` and the requester's `reason`) and throws ApprovalRequested; the route answers 202.
 */
export async function requireFourEyes({
  ctx,
  environment,
  run,
  action,
  parameters,
  reason,
  approval,
}: {
  ctx: Ctx;
  environment: EnvironmentConfig;
  run: { id: string; targetName: string };
  action: FourEyesAction;
  parameters: Record<string, unknown>;
  reason: string | undefined;
  approval: ApprovalGrant | undefined;
}): Promise<void> {
  const rule = fourEyesRule(environment, action, run.targetName);
  if (!rule) return;
  if (!approval && !isPerson(ctx.user)) throw new ForbiddenError(TOKEN_DECISION);
  if (approval) {
    if (approval.runId !== run.id || approval.action !== action) throw new ConflictError("That approval is for another run or action.");
    return;
  }
  requireApprovalReason(environment, rule, action, reason);
  const view = await requestApproval({
    ctx,
    input: {
      runId: run.id,
      environment: environment.name,
      action,
      parameters,
      reason,
      windowMinutes: rule.windowMinutes,
      approverRole: rule.approverRole,
    },
  });
  throw new ApprovalRequested(view);
}
