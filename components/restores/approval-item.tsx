"use client";

import { Check, X } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { Badge, type Tone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ReasonField } from "@/components/ui/reason-field";
import { Time } from "@/components/ui/time";
import type { ApprovalStatus } from "@/lib/approvals/approval-views";
import type { ApprovalListItem } from "@/lib/approvals/list-approvals";
import { hasRole, type Role } from "@/lib/auth/roles";
import { useApprovalDecision } from "@/lib/client/use-approvals";
import { useIncidentClock } from "@/lib/client/use-incident-clock";

export interface ApprovalViewer {
  id: string;
  email: string;
  role: Role;
}

const STATUS_TONES: Readonly<Record<ApprovalStatus, Tone>> = {
  pending: "warning",
  approved: "info",
  executed: "success",
  failed: "danger",
  refused: "danger",
  expired: "neutral",
};

function timeLeft(expiresAt: string, now: number | null): string {
  if (now === null) return "";
  const ms = Date.parse(expiresAt) - now;
  if (ms <= 0) return "expiring now";
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return minutes > 0 ? `${minutes} min ${seconds.toString().padStart(2, "0")} s left` : `${seconds} s left`;
}

/** One four-eyes request: what, who asked and why, time left, and approve/refuse for eligible people. */
export function ApprovalItem({
  approval,
  viewer,
  showRun = false,
}: {
  approval: ApprovalListItem;
  viewer: ApprovalViewer;
  showRun?: boolean;
}) {
  const now = useIncidentClock();
  const [refusing, setRefusing] = useState(false);
  const [reason, setReason] = useState("");
  const approve = useApprovalDecision(approval.id, approval.runId, "approve");
  const refuse = useApprovalDecision(approval.id, approval.runId, "refuse");
  const pending = approval.status === "pending";
  const own = approval.requestedById === viewer.id || approval.requestedByEmail === viewer.email;
  const eligible = hasRole(viewer.role, approval.approverRole);
  const error = approve.error ?? refuse.error;
  const titleId = `approval-${approval.id}-title`;

  return (
    <li
      aria-labelledby={titleId}
      className="space-y-2 rounded-md border border-border bg-surface p-3 text-sm"
      data-approval-id={approval.id}
      data-approval-status={approval.status}
      data-action={approval.action}
    >
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={STATUS_TONES[approval.status] ?? "neutral"}>{approval.status}</Badge>
        <span id={titleId} className="font-semibold">
          {approval.actionLabel}
        </span>
        {showRun && (
          <Link className="underline" href={`/restores/${approval.runId}`}>
            {approval.environment} ·{" "}
            {approval.run.kind === "pitr" ? "point-in-time restore" : `${approval.run.targetName} (${approval.run.targetDatabase})`}
          </Link>
        )}
        {pending && (
          <span className="tabular-nums text-muted" data-testid="approval-time-left">
            {timeLeft(approval.expiresAt, now)}
          </span>
        )}
      </div>
      <p>
        Asked by <span className="font-medium">{approval.requestedByEmail}</span> <Time value={approval.requestedAt} relative />: “
        {approval.reason}”
      </p>
      {approval.status !== "pending" && approval.decidedByEmail && (
        <p className="text-muted">
          {approval.status === "refused" ? "Refused" : "Approved"} by {approval.decidedByEmail}
          {approval.decidedAt && (
            <>
              {" "}
              <Time value={approval.decidedAt} relative />
            </>
          )}
          {approval.decisionReason ? `: “${approval.decisionReason}”` : ""}
        </p>
      )}
      {approval.status === "failed" && approval.error && (
        <p className="text-danger-text">The approved action did not go through: {approval.error}</p>
      )}
      {approval.status === "expired" && (
        <p className="text-muted">Nobody approved it in time; nothing was done. Ask again if it is still needed.</p>
      )}

      {pending && own && (
        <p className="text-muted">Waiting for a second person ({approval.approverRole} or above): you cannot approve your own request.</p>
      )}
      {pending && !own && !eligible && <p className="text-muted">Approving needs the {approval.approverRole} role.</p>}
      {pending && (eligible || own) && (
        <div className="space-y-2">
          {refusing ? (
            <form
              className="space-y-2"
              onSubmit={(event) => {
                event.preventDefault();
                if (!refuse.isPending) refuse.mutate({ reason: reason.trim() });
              }}
            >
              <ReasonField
                id={`refuse-${approval.id}`}
                label={own ? "Why withdraw it?" : "Why refuse?"}
                value={reason}
                onChange={setReason}
              />
              <div className="flex gap-2">
                <Button type="button" variant="ghost" size="sm" onClick={() => setRefusing(false)}>
                  Back
                </Button>
                <Button
                  type="submit"
                  variant="danger"
                  size="sm"
                  loading={refuse.isPending}
                  disabled={reason.trim().length < 5}
                  icon={<X aria-hidden />}
                >
                  {own ? "Withdraw request" : "Refuse"}
                </Button>
              </div>
            </form>
          ) : (
            <div className="flex flex-wrap gap-2">
              {!own && eligible && (
                <Button
                  variant="primary"
                  size="sm"
                  loading={approve.isPending}
                  icon={<Check aria-hidden />}
                  onClick={() => approve.mutate(undefined)}
                >
                  Approve and run
                </Button>
              )}
              <Button variant="ghost" size="sm" icon={<X aria-hidden />} onClick={() => setRefusing(true)}>
                {own ? "Withdraw…" : "Refuse…"}
              </Button>
            </div>
          )}
        </div>
      )}
      {error && (
        <p role="alert" className="text-danger-text">
          {error.message}
        </p>
      )}
    </li>
  );
}
