import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { IncidentWorkspace } from "@/components/incidents/incident-workspace";
import { hasRole } from "@/lib/auth/roles";
import { orNotFound, pageContext } from "@/lib/http/page-context";
import { getIncident } from "@/lib/incidents/get-incident";
import { isActive } from "@/lib/incidents/state";
import { loadMethodFacts } from "@/lib/restore/method-facts";
import { isUuid } from "@/lib/search-params";

export const metadata: Metadata = { title: "Incident" };
export const dynamic = "force-dynamic";

export default async function IncidentPage({ params }: { params: Promise<{ incidentId: string }> }) {
  const ctx = await pageContext("viewer");
  const { user } = ctx;
  const { incidentId } = await params;
  if (!isUuid(incidentId)) notFound();
  const incident = await orNotFound(getIncident({ ctx, input: { incidentId } }));
  const canOperate = hasRole(user.role, "operator");
  // The method advice is for whoever starts the restore, while there is one to start.
  const methodFacts = canOperate && isActive(incident.status) ? await loadMethodFacts(ctx, incident.environment) : null;
  return <IncidentWorkspace initial={incident} canOperate={canOperate} methodFacts={methodFacts} />;
}
