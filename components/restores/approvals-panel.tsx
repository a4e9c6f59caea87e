"use client";

import { UsersRound } from "lucide-react";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { useApprovals } from "@/lib/client/use-approvals";
import { ApprovalItem, type ApprovalViewer } from "./approval-item";
import type { FourEyesTerms } from "./four-eyes-context";

/** The run's four-eyes requests, live: pending ones with approve/refuse, then the latest decisions. */
export function ApprovalsPanel({ runId, viewer, terms }: { runId: string; viewer: ApprovalViewer; terms: FourEyesTerms | null }) {
  const { data: approvals = [], isError } = useApprovals({ runId });
  if (!terms && approvals.length === 0) return null;
  const pending = approvals.filter((a) => a.status === "pending");
  const decided = approvals.filter((a) => a.status !== "pending").slice(0, 5);

  return (
    <Card padding="none">
      <section aria-label="Approvals" data-testid="approvals-panel">
        <CardHeader
          title="Approvals"
          description={
            terms
              ? `Four-eyes: ${terms.actions.join(", ")} on this run need a second person (${terms.approverRole} or above) within ${terms.windowMinutes} minutes.`
              : "Requests made while this environment needed a second person."
          }
        />
        <CardBody className="space-y-3">
          {isError && <p className="text-sm text-danger-text">Could not load the approval requests; retrying.</p>}
          <div aria-live="polite">
            {pending.length === 0 ? (
              <p className="flex items-center gap-2 text-sm text-muted">
                <UsersRound aria-hidden className="size-4" /> Nothing is waiting for approval.
              </p>
            ) : (
              <ul className="space-y-2" aria-label="Waiting for approval">
                {pending.map((approval) => (
                  <ApprovalItem key={approval.id} approval={approval} viewer={viewer} />
                ))}
              </ul>
            )}
          </div>
          {decided.length > 0 && (
            <details>
              <summary className="cursor-pointer text-sm">Earlier requests ({decided.length})</summary>
              <ul className="mt-2 space-y-2" aria-label="Earlier requests">
                {decided.map((approval) => (
                  <ApprovalItem key={approval.id} approval={approval} viewer={viewer} />
                ))}
              </ul>
            </details>
          )}
        </CardBody>
      </section>
    </Card>
  );
}
