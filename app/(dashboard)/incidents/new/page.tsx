import type { Metadata } from "next";
import { DeclareIncidentForm } from "@/components/incidents/declare-incident-form";
import type { SearchParams } from "@/components/ui/pagination";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageUser } from "@/lib/auth/page-session";
import { defaultEnvironment, loadConfig } from "@/lib/config/load-config";
import { firstParam, isUuid } from "@/lib/search-params";

export const metadata: Metadata = { title: "Declare incident" };
export const dynamic = "force-dynamic";

/** Also reached from a failed run: /incidents/new?fromRun=<id>&environment=<env>. */
export default async function DeclareIncidentPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requirePageUser("operator");
  const params = await searchParams;
  const { config } = loadConfig();
  const requested = firstParam(params.environment);
  const environment = config.environments.find((e) => e.name === requested) ?? defaultEnvironment(config);
  const fromRun = firstParam(params.fromRun);
  return (
    <>
      <PageHeader
        title="Declare incident"
        description="Starts the runbook's emergency checklist: phase timers count from the incident start, and everyone working it sees every tick live. The incident's page then helps choose the restore method."
      />
      <DeclareIncidentForm
        environments={config.environments.map((e) => ({ name: e.name, label: e.displayName ? `${e.displayName} (${e.name})` : e.name }))}
        defaultEnvironment={environment.name}
        fromRunId={fromRun && isUuid(fromRun) ? fromRun : null}
      />
    </>
  );
}
