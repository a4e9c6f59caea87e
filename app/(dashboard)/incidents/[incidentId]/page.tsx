import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { IncidentWorkspace } from "@/components/incidents/incident-workspace";
import { requirePageUser } from "@/lib/auth/page-session";
import { hasRole } from "@/lib/auth/roles";
import { getDb } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { getIncident } from "@/lib/incidents/get-incident";
import { isUuid } from "@/lib/search-params";

export const metadata: Metadata = { title: "Incident" };
export const dynamic = "force-dynamic";


export default async function IncidentPage({ params }: { params: Promise<{ incidentId: string }> }) {
  const user = await requirePageUser("viewer");
  const { incidentId } = await params;
  if (!isUuid(incidentId)) notFound();
  const incident = await getIncident({ ctx: { db: getDb() }, input: { incidentId } }).catch((error: unknown) => {
    if (error instanceof NotFoundError) notFound();
    throw error;
  });
  return <IncidentWorkspace initial={incident} canOperate={hasRole(user.role, "operator")} />;
}
