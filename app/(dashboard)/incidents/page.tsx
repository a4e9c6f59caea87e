import { Siren } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Incidents" };

export default function IncidentsPage() {
  return (
    <>
      <PageHeader title="Incidents" description="Data-loss incidents with their recovery checklist and timeline." />
      <EmptyState icon={<Siren />} title="No incidents declared">
        <p>
          Incidents are for when production data is lost or corrupted: the runbook&apos;s checklist (assess the scope, find the last
          known good time, verify a backup, notify stakeholders) with phase timers and a timeline of every step taken.
        </p>
        <p>Until declaring an incident lands here, follow the runbook and check the latest backup on the Backups page.</p>
      </EmptyState>
    </>
  );
}
