"use client";

import { UsersRound } from "lucide-react";
import { ApprovalItem, type ApprovalViewer } from "@/components/restores/approval-item";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import type { ApprovalListItem } from "@/lib/approvals/list-approvals";
import { useApprovals } from "@/lib/client/use-approvals";

/** Every four-eyes request waiting for a second person, live, with approve/refuse for eligible people. */
export function PendingApprovalsCard({ initial, viewer }: { initial: ApprovalListItem[]; viewer: ApprovalViewer }) {
  const { data: approvals = initial } = useApprovals({ status: "pending" }, initial);
  return (
    <Card padding="none">
      <section aria-label="Pending approvals" data-testid="pending-approvals">
        <CardHeader
          title="Pending approvals"
          description="Swaps, rollbacks, cut-overs and clean-ups on four-eyes environments, waiting for a second person."
          actions={
            <Badge tone={approvals.length > 0 ? "warning" : "neutral"}>
              {approvals.length > 0 ? `${approvals.length} waiting` : "none waiting"}
            </Badge>
          }
        />
        <CardBody>
          <div aria-live="polite">
            {approvals.length === 0 ? (
              <p className="flex items-center gap-2 text-sm text-muted">
                <UsersRound aria-hidden className="size-4" /> Nothing is waiting for approval.
              </p>
            ) : (
              <ul className="space-y-2">
                {approvals.map((approval) => (
                  <ApprovalItem key={approval.id} approval={approval} viewer={viewer} showRun />
                ))}
              </ul>
            )}
          </div>
        </CardBody>
      </section>
    </Card>
  );
}
