import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { IncidentWorkspace } from "@/components/incidents/incident-workspace";
import { hasRole } from "@/lib/auth/roles";
import { orNotFound, pageContext } from "@/lib/http/page-context";
import { getIncident } from "@/lib/incidents/get-incident";
import { isUuid } from "@/lib/search-params";

export const metadata: Metadata = { title: "Incident" };
export const dynamic = "force-dynamic";

export default async function IncidentPage({ params }: { params: Promise<{ incidentId: string }> }) {
  const ctx = await pageContext("viewer");
  const { user } = ctx;
  const { incidentId } = await params;
  if (!isUuid(incidentId)) notFound();
  const incident = await orNotFound(getIncident({ ctx, input: { incidentId } }));
  return <IncidentWorkspace initial={incident} canOperate={hasRole(user.role, "operator")} />;
}
