import { ArrowLeft } from "lucide-react";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PitrPicker } from "@/components/restores/pitr-picker";
import { ButtonLink } from "@/components/ui/button-link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { hasRole } from "@/lib/auth/roles";
import { orNotFound, pageContext } from "@/lib/http/page-context";
import { describePitrWindow } from "@/lib/restore/pitr/describe-pitr-window";
import { pitrEnvironmentViews } from "@/lib/restore/pitr/pitr-environment-state";
import { findRunIncident } from "@/lib/restore/run-incident";
import { firstParam, isUuid } from "@/lib/search-params";

export const metadata: Metadata = { title: "Point-in-time recovery" };
export const dynamic = "force-dynamic";

export default async function PitrPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await pageContext("viewer");
  const { db, user } = ctx;
  const params = await searchParams;
  const environments = pitrEnvironmentViews();
  const incidentId = firstParam(params.incident);
  if (incidentId !== undefined && !isUuid(incidentId)) notFound();
  // An incident decides the environment (its data is what is being recovered).
  const incidentEnvironment = incidentId
    ? (await db.incident.findUnique({ where: { id: incidentId }, select: { environment: true } }))?.environment
    : undefined;
  if (incidentId && !incidentEnvironment) notFound();
  const environment = incidentEnvironment ?? firstParam(params.environment) ?? environments[0]?.name;
  const view = environments.find(({ name }) => name === environment);

  const header = (
    <PageHeader
      title="Point-in-time recovery"
      description="Restore an environment's database to a moment inside its restore window, into a new server beside the source (runbook §1)."
      actions={
        <ButtonLink href={incidentId ? `/incidents/${incidentId}` : "/restores"} variant="ghost" icon={<ArrowLeft aria-hidden />}>
          {incidentId ? "The incident" : "All restores"}
        </ButtonLink>
      }
    />
  );
  if (!environment || !view) {
    return (
      <>
        {header}
        <EmptyState title="No point-in-time recovery source">
          <p>
            {environment ? `${environment} has` : "No environment has"} no <span className="font-mono">pitr</span> section in the
            configuration. Add one (provider <span className="font-mono">aws</span> for Aurora or RDS,{" "}
            <span className="font-mono">local</span> for a self-hosted cluster with a WAL archive).
          </p>
        </EmptyState>
      </>
    );
  }
  // ?region=dr opens on the DR region (a link from a regional-failure incident, say).
  const region = view.dr && firstParam(params.region) === "dr" ? "dr" : "primary";
  const [incident, initial] = await Promise.all([
    orNotFound(findRunIncident(db, incidentId, environment)),
    // A region that does not answer must not take the page down: the picker asks again and says
    // why, and the other region stays one click away.
    describePitrWindow({ ctx, input: { environment, region } }).catch(() => null),
  ]);

  return (
    <>
      {header}
      {incident && (
        <p className="mb-4 text-sm">
          For the incident <span className="font-medium">{incident.title}</span>: its start
          {incident.lastKnownGoodAt ? " and last known good time are" : " is"} marked on the timeline, and the data loss is measured to its
          start.
        </p>
      )}
      <PitrPicker
        environments={environments}
        environment={environment}
        region={region}
        initial={initial}
        incident={incident}
        canOperate={hasRole(user.role, "operator")}
        canAdmin={hasRole(user.role, "admin")}
        viewerEmail={user.email}
      />
    </>
  );
}
