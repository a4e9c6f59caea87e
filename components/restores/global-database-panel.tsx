"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Globe, ShieldAlert, UsersRound } from "lucide-react";
import { useState } from "react";
import { Badge, type Tone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { ReasonField } from "@/components/ui/reason-field";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { apiFetch } from "@/lib/client/api";
import { queryKeys } from "@/lib/client/query-keys";
import { useGlobalDatabase } from "@/lib/client/use-global-database";
import type { GlobalDatabaseConfigView } from "@/lib/restore/pitr/dr";
import type { GlobalDatabaseStateView } from "@/lib/restore/pitr/global/describe-global-database";
import {
  ACTIVE_PROMOTION_STATUSES,
  GLOBAL_FAILOVER_MODE_LABELS,
  GLOBAL_FAILOVER_MODES,
  type GlobalFailoverMode,
  type GlobalPromotionView,
  type PromotionStatus,
} from "@/lib/restore/pitr/global/global-promotion-views";
import { endpointText } from "@/lib/restore/pitr/plan";

const STATUS_TONES: Record<PromotionStatus, Tone> = {
  "awaiting-approval": "warning",
  queued: "info",
  running: "info",
  succeeded: "success",
  failed: "danger",
  refused: "neutral",
  expired: "neutral",
};

const ACTIVE: readonly string[] = ACTIVE_PROMOTION_STATUSES;

/** "loanserve-dr (us-west-2)" from a member's ARN: the cluster's name is its last part. */
function memberName(arn: string, region: string | null): string {
  return `${arn.slice(arn.lastIndexOf(":") + 1)}${region ? ` (${region})` : ""}`;
}

function GlobalDatabaseState({ state }: { state: GlobalDatabaseStateView }) {
  const { transition } = state;
  return (
    <div className="space-y-3">
      <p className="text-sm">
        <span className="font-medium">Status: </span>
        {state.status}
        {transition &&
          ` — ${transition.status}${transition.toArn ? ` to ${transition.toArn}` : ""}${transition.dataLossAllowed ? " (data loss allowed)" : ""}`}
        <span className="ml-2 text-xs text-muted">
          described <Time value={state.describedAt} relative />
        </span>
      </p>
      <Table caption="Members of the global database" captionHidden>
        <THead>
          <Tr>
            <Th>Cluster</Th>
            <Th>Role</Th>
            <Th>Replication</Th>
          </Tr>
        </THead>
        <TBody>
          {state.members.map((member) => (
            <Tr key={member.arn}>
              <Td mono>
                {memberName(member.arn, member.region)}
                {member.arn === state.drMember?.arn && (
                  <Badge tone="info" className="ml-2">
                    DR cluster
                  </Badge>
                )}
              </Td>
              <Td>{member.isWriter ? "writer" : "reader"}</Td>
              <Td>{member.synchronization ?? "not reported"}</Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      <p className="text-sm" data-testid="global-writer">
        <span className="font-medium">Writer: </span>
        {state.writer ? memberName(state.writer.arn, state.writer.region) : "none right now (a switchover or failover is under way?)"}
      </p>
      {!state.drMember && <p className="text-sm text-warning-text">The configured DR cluster is not a member of the global database.</p>}
      {state.notes.length > 0 && (
        <ul className="list-disc pl-5 text-xs text-muted">
          {state.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function PromotionItem({
  promotion,
  canDecide,
  onApprove,
  onRefuse,
  pending,
}: {
  promotion: GlobalPromotionView;
  canDecide: { approve: boolean; refuse: boolean };
  onApprove: () => void;
  onRefuse: () => void;
  pending: boolean;
}) {
  return (
    <li
      className="space-y-1 border-b border-border py-2 text-sm last:border-0"
      data-testid="global-promotion"
      data-status={promotion.status}
    >
      <p className="flex flex-wrap items-center gap-2">
        <Badge tone={STATUS_TONES[promotion.status]}>{promotion.status}</Badge>
        <span>{GLOBAL_FAILOVER_MODE_LABELS[promotion.mode]}</span>
        <span className="text-muted">
          asked for by {promotion.requestedByEmail} <Time value={promotion.createdAt} relative />
        </span>
      </p>
      {promotion.reason && <p className="text-muted">Why: {promotion.reason}</p>}
      {promotion.status === "awaiting-approval" && promotion.approval && (
        <p className="flex items-start gap-2">
          <UsersRound aria-hidden className="mt-0.5 size-4 shrink-0" />
          <span>
            Waits for a different person ({promotion.approval.approverRole} or above, and admin to set it going) until{" "}
            <Time value={promotion.approval.expiresAt} />.
          </span>
        </p>
      )}
      {promotion.decidedByEmail && (
        <p className="text-muted">
          {promotion.status === "refused" ? "Refused" : "Approved"} by {promotion.decidedByEmail}
          {promotion.decisionReason ? `: ${promotion.decisionReason}` : ""}
        </p>
      )}
      {promotion.endpoint && (
        <p data-testid="global-promotion-endpoint">
          <span className="font-medium">The DR cluster accepts writes at </span>
          <span className="font-mono">{endpointText(promotion.endpoint)}</span>
          {promotion.sent === false ? " (it was already under way or done: nothing was sent)" : ""}. Repointing the application is yours to
          do.
        </p>
      )}
      {promotion.error && <p className="text-danger-text">{promotion.error}</p>}
      {promotion.log.length > 0 && (
        <details>
          <summary className="cursor-pointer text-muted">What the worker did ({promotion.log.length})</summary>
          <ul className="mt-1 list-disc pl-5 font-mono text-xs">
            {promotion.log.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </details>
      )}
      {(canDecide.approve || canDecide.refuse) && (
        <div className="flex gap-2">
          {canDecide.approve && (
            <Button size="sm" variant="danger" loading={pending} onClick={onApprove}>
              Approve the promotion
            </Button>
          )}
          {canDecide.refuse && (
            <Button size="sm" variant="ghost" disabled={pending} onClick={onRefuse}>
              Refuse
            </Button>
          )}
        </div>
      )}
    </li>
  );
}

/**
 * An environment whose DR is an Aurora global database: its state as RDS describes it from the
 * DR region, the promotions asked for and their outcomes, and, set apart, the guarded action that
 * makes the DR cluster the writer (admin only, the global database's identifier typed, four-eyes
 * when the environment asks for it). Nothing is restored: this is a failover.
 */
export function GlobalDatabasePanel({
  environment,
  config,
  canAdmin,
  viewerEmail,
}: {
  environment: string;
  config: GlobalDatabaseConfigView;
  canAdmin: boolean;
  viewerEmail: string;
}) {
  const queryClient = useQueryClient();
  const { data, error } = useGlobalDatabase(environment);
  const [mode, setMode] = useState<GlobalFailoverMode | null>(null);
  const [typed, setTyped] = useState("");
  const [reason, setReason] = useState("");
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.pitrGlobalDatabase(environment) });
  const promote = useMutation({
    mutationFn: () =>
      apiFetch<GlobalPromotionView>("/api/pitr/global-database/promotions", {
        method: "POST",
        body: { environment, mode, confirmation: typed, ...(reason.trim() ? { reason } : {}) },
      }),
    onSuccess: () => {
      setTyped("");
      setReason("");
      void refresh();
    },
  });
  const decide = useMutation({
    mutationFn: ({ id, decision }: { id: string; decision: "approve" | "refuse" }) =>
      apiFetch<GlobalPromotionView>(`/api/pitr/global-database/promotions/${id}/${decision}`, { method: "POST", body: {} }),
    onSettled: () => void refresh(),
  });
  const active = data?.promotions.find((promotion) => ACTIVE.includes(promotion.status)) ?? null;
  const fourEyes = data?.fourEyes ?? null;
  const ready = mode !== null && typed === config.globalClusterIdentifier && (!fourEyes || reason.trim().length >= 10);

  return (
    <Card as="section" padding="none">
      <CardHeader
        title="Regional failure: the Aurora global database"
        description={`${config.globalClusterIdentifier}: its DR cluster ${config.secondaryClusterIdentifier} in ${config.region} can be made the writer. Nothing is restored; this is a failover.`}
      />
      <CardBody className="space-y-5">
        {error && <p className="text-sm text-danger-text">{error.message}</p>}
        {!data && !error && <p className="text-sm text-muted">Describing the global database from {config.region}…</p>}
        {data?.problem && <p className="text-sm text-danger-text">RDS did not describe it: {data.problem}</p>}
        {data?.state && <GlobalDatabaseState state={data.state} />}

        {data && data.promotions.length > 0 && (
          <div>
            <h3 className="text-sm font-semibold">Promotions</h3>
            {decide.error && <p className="text-sm text-danger-text">{decide.error.message}</p>}
            <ul>
              {data.promotions.map((promotion) => {
                const waiting = promotion.status === "awaiting-approval" && canAdmin;
                return (
                  <PromotionItem
                    key={promotion.id}
                    promotion={promotion}
                    canDecide={{ approve: waiting && promotion.requestedByEmail !== viewerEmail, refuse: waiting }}
                    onApprove={() => decide.mutate({ id: promotion.id, decision: "approve" })}
                    onRefuse={() => decide.mutate({ id: promotion.id, decision: "refuse" })}
                    pending={decide.isPending}
                  />
                );
              })}
            </ul>
          </div>
        )}

        <section aria-labelledby="promote-heading" className="space-y-3 rounded-md border border-danger/40 bg-danger-soft/40 p-4">
          <h3 id="promote-heading" className="flex items-center gap-2 text-sm font-semibold">
            <ShieldAlert aria-hidden className="size-4" /> Promote the DR cluster
          </h3>
          <p className="text-sm">
            Moves the database&apos;s writes to {config.region}. Applications keep writing to the old writer until you repoint them; Restore
            Console repoints nothing.
          </p>
          {!canAdmin ? (
            <p className="text-sm text-muted">Promoting the DR cluster needs the admin role.</p>
          ) : active ? (
            <p className="text-sm text-muted">
              A promotion is {active.status}: wait for its outcome above{active.status === "awaiting-approval" ? ", or refuse it" : ""}.
            </p>
          ) : (
            <form
              className="space-y-3"
              onSubmit={(event) => {
                event.preventDefault();
                if (ready && !promote.isPending) promote.mutate();
              }}
            >
              <fieldset className="space-y-2">
                <legend className="text-sm font-medium">How</legend>
                {GLOBAL_FAILOVER_MODES.map((value) => (
                  <label key={value} className="flex items-start gap-2 text-sm">
                    <input
                      type="radio"
                      name="global-promotion-mode"
                      checked={mode === value}
                      onChange={() => setMode(value)}
                      className="mt-1"
                    />
                    <span>{GLOBAL_FAILOVER_MODE_LABELS[value]}</span>
                  </label>
                ))}
              </fieldset>
              {mode === "detach" && (
                <p className="text-sm text-warning-text">
                  The DR cluster stops replicating from the primary region for good and accepts writes itself; the old primary, if its
                  region comes back, still accepts writes too: fence it before repointing applications.
                </p>
              )}
              {mode === "failover-allowing-data-loss" && (
                <p className="text-sm text-warning-text">
                  Writes the primary region had not yet replicated to {config.region} are lost. Use it only when the primary region is down;
                  a switchover loses nothing.
                </p>
              )}
              {fourEyes && (
                <div className="space-y-2 rounded-md border border-accent/30 bg-accent-soft p-3 text-sm" data-testid="four-eyes-notice">
                  <p className="flex items-start gap-2">
                    <UsersRound aria-hidden className="mt-0.5 size-4 shrink-0" />
                    <span>
                      Four-eyes: this is recorded as a request, and runs when a different admin approves it within {fourEyes.windowMinutes}{" "}
                      minutes.
                    </span>
                  </p>
                  <ReasonField
                    id="global-promotion-reason"
                    label="Why is this needed? (shown to the approver)"
                    value={reason}
                    onChange={setReason}
                  />
                </div>
              )}
              <Field
                id="global-promotion-confirmation"
                label={
                  <>
                    Type the global database&apos;s identifier, <span className="font-mono">{config.globalClusterIdentifier}</span>, to
                    confirm
                  </>
                }
                error={promote.error?.message}
              >
                {(p) => (
                  <Input
                    {...p}
                    value={typed}
                    onChange={(e) => setTyped(e.target.value)}
                    autoComplete="off"
                    spellCheck={false}
                    className="font-mono"
                  />
                )}
              </Field>
              <Button type="submit" variant="danger" icon={<Globe aria-hidden />} loading={promote.isPending} disabled={!ready}>
                {fourEyes ? "Ask to promote the DR cluster" : "Promote the DR cluster"}
              </Button>
            </form>
          )}
        </section>
      </CardBody>
    </Card>
  );
}
