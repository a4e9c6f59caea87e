"use client";

import { ClipboardCheck, DatabaseBackup, History } from "lucide-react";
import Link from "next/link";
import { MethodChooser } from "@/components/restores/method-chooser";
import { ButtonLink } from "@/components/ui/button-link";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { StatusDot } from "@/components/ui/status-dot";
import { Time } from "@/components/ui/time";
import { useIncident } from "@/lib/client/use-incident";
import type { IncidentDetail } from "@/lib/incidents/incident-views";
import { acceptsChanges, canReview, isActive } from "@/lib/incidents/state";
import type { MethodFacts } from "@/lib/restore/method-advice";
import { IncidentStatusBadge, SeverityBadge } from "./incident-badges";
import { IncidentFactsForm } from "./incident-facts-form";
import { IncidentTimeline } from "./incident-timeline";
import { NoteForm } from "./note-form";
import { ObjectivesPanel } from "./objectives-panel";
import { PhaseCard } from "./phase-card";
import { RunbookContext } from "./runbook-context";
import { StatusActions } from "./status-actions";
import { WebhookDeliveries } from "./webhook-deliveries";

/** The incident page: checklist with live timers, timeline, RTO/RPO; everyone's changes appear live. */
export function IncidentWorkspace({
  initial,
  canOperate,
  methodFacts,
}: {
  initial: IncidentDetail;
  canOperate: boolean;
  /** For the method chooser; null when there is no restore to choose (a viewer, a recovered incident). */
  methodFacts: MethodFacts | null;
}) {
  const { incident, live } = useIncident(initial);
  const editable = canOperate && acceptsChanges(incident.status);
  const failedDeliveries = incident.deliveries.filter((d) => d.status === "failed" || (d.status === "pending" && d.attempts > 0)).length;

  return (
    <>
      <PageHeader
        title={incident.title}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <SeverityBadge severity={incident.severity} />
            <IncidentStatusBadge status={incident.status} />
            <span>
              <span className="font-mono">{incident.environment}</span> · started <Time value={incident.startedAt} /> · declared by{" "}
              {incident.declaredByEmail}
            </span>
            {/* A closed incident no longer changes: nothing to follow live. */}
            {incident.status !== "closed" && (
              <span
                className="inline-flex items-center gap-1.5 text-xs"
                title={live ? "Changes by anyone appear here as they happen." : "Live updates unavailable; checking every 5 seconds."}
              >
                <StatusDot tone={live ? "success" : "warning"} pulse={live} />
                {live ? "live" : "refreshing every 5 s"}
              </span>
            )}
          </span>
        }
        actions={
          <>
            {canReview(incident.status) && (
              <ButtonLink href={`/incidents/${incident.id}/review`} icon={<ClipboardCheck aria-hidden />}>
                Review
              </ButtonLink>
            )}
            {canOperate && acceptsChanges(incident.status) && (
              <ButtonLink href={`/restores/new?incident=${incident.id}`} icon={<DatabaseBackup aria-hidden />}>
                Restore a backup
              </ButtonLink>
            )}
            {canOperate && acceptsChanges(incident.status) && (
              <ButtonLink href={`/restores/pitr?incident=${incident.id}`} icon={<History aria-hidden />}>
                Restore to a point in time
              </ButtonLink>
            )}
            {canOperate && <StatusActions incidentId={incident.id} status={incident.status} />}
          </>
        }
      />
      <div className="grid gap-6 xl:grid-cols-3">
        <div className="min-w-0 space-y-4 xl:col-span-2">
          {methodFacts && isActive(incident.status) && (
            <MethodChooser facts={methodFacts} incident={{ id: incident.id, lastKnownGoodAt: incident.lastKnownGoodAt }} />
          )}
          {incident.phases.map((phase) => (
            <PhaseCard
              key={phase.key}
              incidentId={incident.id}
              phase={phase}
              startedAt={incident.startedAt}
              clockStoppedAt={incident.recoveredAt}
              canEdit={editable}
            />
          ))}
          <p className="text-xs text-muted">
            Checklist: {incident.template.name}, version {incident.template.version}. Phase deadlines count from the incident start; the
            clocks stop when it is recovered.
          </p>
          <Card as="section" padding="none">
            <CardHeader title="From the runbook" description="What to try when a restore fails, and how to validate one." />
            <CardBody>
              <RunbookContext />
            </CardBody>
          </Card>
        </div>
        <div className="space-y-4">
          <Card as="section" padding="none">
            <CardHeader title="Scope" />
            <CardBody className="space-y-2 text-sm">
              <p className="whitespace-pre-line">{incident.scope}</p>
              <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
                <dt className="text-muted">Last known good</dt>
                <dd>{incident.lastKnownGoodAt ? <Time value={incident.lastKnownGoodAt} /> : "not determined yet"}</dd>
                {incident.recoveredAt && (
                  <>
                    <dt className="text-muted">Recovered</dt>
                    <dd>
                      <Time value={incident.recoveredAt} />
                    </dd>
                  </>
                )}
                {incident.createdFromRunId && (
                  <>
                    <dt className="text-muted">From run</dt>
                    <dd>
                      <Link
                        href={`/restores/${incident.createdFromRunId}`}
                        className="font-mono text-xs text-accent-text underline-offset-2 hover:underline"
                      >
                        {incident.createdFromRunId}
                      </Link>
                    </dd>
                  </>
                )}
              </dl>
              {editable && <IncidentFactsForm incidentId={incident.id} scope={incident.scope} lastKnownGoodAt={incident.lastKnownGoodAt} />}
            </CardBody>
          </Card>
          <Card as="section" padding="none">
            <CardHeader title="Recovery objectives" />
            <CardBody>
              <ObjectivesPanel measurement={incident.measurement} objectives={incident.objectives} />
            </CardBody>
          </Card>
          <Card as="section" padding="none">
            <CardHeader
              title="Timeline"
              description={`${incident.events.length} event${incident.events.length === 1 ? "" : "s"}, newest first`}
            />
            <CardBody className="space-y-4">
              {editable && <NoteForm incidentId={incident.id} />}
              <IncidentTimeline events={incident.events} />
            </CardBody>
          </Card>
          {incident.deliveries.length > 0 && (
            <Card as="section" padding="none">
              <CardHeader
                title="Webhook notifications"
                description={failedDeliveries > 0 ? `${failedDeliveries} not delivered yet` : "All delivered or queued"}
              />
              <WebhookDeliveries deliveries={incident.deliveries} />
            </Card>
          )}
        </div>
      </div>
    </>
  );
}
