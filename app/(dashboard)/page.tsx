import { Archive, LayoutDashboard, Siren } from "lucide-react";
import type { Metadata } from "next";
import { ButtonLink } from "@/components/ui/button-link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Overview" };

export default function OverviewPage() {
  return (
    <>
      <PageHeader title="Overview" description="Open incidents, running restores and how fresh the latest backup is, at a glance." />
      <EmptyState
        icon={<LayoutDashboard />}
        title="No incidents, no restores yet"
        action={
          <>
            <ButtonLink href="/incidents/new" variant="primary" icon={<Siren aria-hidden />}>
              Declare an incident
            </ButtonLink>
            <ButtonLink href="/backups" icon={<Archive aria-hidden />}>
              Browse backups
            </ButtonLink>
          </>
        }
      >
        <p>Open incidents and restore runs will appear here with their status and progress.</p>
        <p>Production data lost or damaged? Declare an incident to get the runbook&apos;s checklist. Otherwise, check that last night&apos;s backup is in the catalog.</p>
      </EmptyState>
    </>
  );
}
