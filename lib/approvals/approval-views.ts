import type { FourEyesAction } from "@/lib/config/schema";

export const APPROVAL_STATUSES = ["pending", "approved", "executed", "failed", "refused", "expired"] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** How each guarded action reads to a person. */
export const ACTION_LABELS: Readonly<Record<FourEyesAction, string>> = {
  swap: "Swap databases",
  rollback: "Roll back the swap",
  "pitr-cut-over": "Mark as cut over",
  "pitr-cleanup": "Clean up the restored server",
  "row-repair": "Write a row repair to live",
};

/** One approval request as every caller sees it (dates as ISO strings, safe to send to a browser). */
export interface ApprovalView {
  id: string;
  runId: string;
  environment: string;
  action: FourEyesAction;
  actionLabel: string;
  /** What the requester confirmed, replayed on approval (typed confirmation, options). */
  parameters: Record<string, unknown>;
  reason: string;
  status: ApprovalStatus;
  approverRole: "operator" | "admin";
  requestedById: string | null;
  requestedByEmail: string;
  requestedAt: string;
  expiresAt: string;
  decidedByEmail: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  error: string | null;
}

export interface ApprovalRow {
  id: string;
  runId: string;
  environment: string;
  action: string;
  parameters: unknown;
  reason: string;
  status: string;
  approverRole: string;
  requestedById: string | null;
  requestedByEmail: string;
  requestedAt: Date;
  expiresAt: Date;
  decidedByEmail: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  error: string | null;
}

export function approvalView(row: ApprovalRow): ApprovalView {
  const action = row.action as FourEyesAction;
  const parameters =
    row.parameters && typeof row.parameters === "object" && !Array.isArray(row.parameters)
      ? (row.parameters as Record<string, unknown>)
      : {};
  return {
    id: row.id,
    runId: row.runId,
    environment: row.environment,
    action,
    actionLabel: ACTION_LABELS[action] ?? row.action,
    parameters,
    reason: row.reason,
    status: row.status as ApprovalStatus,
    approverRole: row.approverRole === "admin" ? "admin" : "operator",
    requestedById: row.requestedById,
    requestedByEmail: row.requestedByEmail,
    requestedAt: row.requestedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    decidedByEmail: row.decidedByEmail,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    decisionReason: row.decisionReason,
    error: row.error,
  };
}

/** `<runId>:<action>`: the unique key a pending request holds, so a second one is refused. */
export function pendingKeyOf(runId: string, action: string): string {
  return `${runId}:${action}`;
}
