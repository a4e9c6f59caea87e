import { ArrowLeft, Download, FileClock } from "lucide-react";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { IncidentStatusBadge, SeverityBadge } from "@/components/incidents/incident-badges";
import { IncidentTimeline } from "@/components/incidents/incident-timeline";
import { ObjectivesPanel } from "@/components/incidents/objectives-panel";
import { ReviewForm } from "@/components/incidents/review-form";
import { buttonClasses } from "@/components/ui/button";
import { ButtonLink } from "@/components/ui/button-link";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Time } from "@/components/ui/time";
import { hasRole } from "@/lib/auth/roles";
import { orNotFound, pageContext } from "@/lib/http/page-context";
import { getIncident } from "@/lib/incidents/get-incident";
import { canReview } from "@/lib/incidents/state";
import { isUuid } from "@/lib/search-params";

export const metadata: Metadata = { title: "Post-incident review" };
export const dynamic = "force-dynamic";

function ReadOnly({ title, text }: { title: string; text: string | null }) {
  return (
    <section>
      <h3 className="text-sm font-medium">{title}</h3>
      <p className="mt-1 text-sm whitespace-pre-line text-muted">{text || "Not written yet."}</p>
    </section>
  );
}

export default async function IncidentReviewPage({ params }: { params: Promise<{ incidentId: string }> }) {
  const ctx = await pageContext("viewer");
  const { user } = ctx;
  const { incidentId } = await params;
  if (!isUuid(incidentId)) notFound();
  const incident = await orNotFound(getIncident({ ctx, input: { incidentId } }));
  const back = (
    <ButtonLink href={`/incidents/${incident.id}`} variant="ghost" icon={<ArrowLeft aria-hidden />}>
      Incident
    </ButtonLink>
  );

  return (
    <>
      <PageHeader
        title={`Review: ${incident.title}`}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <SeverityBadge severity={incident.severity} />
            <IncidentStatusBadge status={incident.status} />
            <span>
              <span className="font-mono">{incident.environment}</span> · started <Time value={incident.startedAt} />
              {incident.recoveredAt && (
                <>
                  {" "}
                  · recovered <Time value={incident.recoveredAt} />
                </>
              )}
            </span>
          </span>
        }
        actions={
          <>
            {back}
            {canReview(incident.status) && (
              // A plain link: the browser downloads the file the API sends.
              <a href={`/api/incidents/${incident.id}/review.md`} download className={buttonClasses({ variant: "primary" })}>
                <Download aria-hidden />
                Export Markdown
              </a>
            )}
          </>
        }
      />
      {!canReview(incident.status) ? (
        <EmptyState icon={<FileClock />} title="The review opens once the incident is recovered" action={back}>
          <p>
            Work the checklist first. When the data is back, mark the incident recovered and write down what went well, what did not, and
            what to change.
          </p>
        </EmptyState>
      ) : (
        <div className="grid gap-6 xl:grid-cols-3">
          <Card as="section" padding="none" className="xl:col-span-2">
            <CardHeader title="Review" description="Editable by operators while the incident is recovered or closed." />
            <CardBody>
              {hasRole(user.role, "operator") ? (
                <ReviewForm
                  incidentId={incident.id}
                  initial={{
                    wentWell: incident.wentWell,
                    wentBadly: incident.wentBadly,
                    lessons: incident.lessons,
                    followUps: incident.followUps,
                  }}
                />
              ) : (
                <div className="space-y-4">
                  <ReadOnly title="What went well" text={incident.wentWell} />
                  <ReadOnly title="What did not go well" text={incident.wentBadly} />
                  <ReadOnly title="Lessons learned" text={incident.lessons} />
                  <section>
                    <h3 className="text-sm font-medium">Follow-up actions</h3>
                    <ul className="mt-1 list-disc pl-5 text-sm">
                      {incident.followUps.map((f) => (
                        <li key={f.id}>
                          {f.text} — {f.owner}
                          {f.doneAt ? " (done)" : ""}
                        </li>
                      ))}
                    </ul>
                  </section>
                </div>
              )}
            </CardBody>
          </Card>
          <div className="space-y-6">
            <Card as="section" padding="none">
              <CardHeader title="Recovery objectives" />
              <CardBody>
                <ObjectivesPanel measurement={incident.measurement} objectives={incident.objectives} />
              </CardBody>
            </Card>
            <Card as="section" padding="none">
              <CardHeader title="Timeline" description="Oldest first" />
              <CardBody>
                <IncidentTimeline events={incident.events} order="oldest" />
              </CardBody>
            </Card>
          </div>
        </div>
      )}
    </>
  );
}
