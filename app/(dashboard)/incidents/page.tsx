import { Siren } from "lucide-react";
import type { Metadata } from "next";
import { ButtonLink } from "@/components/ui/button-link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Incidents" };

export default function IncidentsPage() {
  return (
    <>
      <PageHeader title="Incidents" description="Data-loss incidents with their recovery checklist and timeline." />
      <EmptyState
        icon={<Siren />}
        title="No incidents declared"
        action={
          <ButtonLink href="/incidents/new" variant="primary" icon={<Siren aria-hidden />}>
            Declare an incident
          </ButtonLink>
        }
      >
        <p>
          Declare an incident when production data is lost or corrupted. You get the runbook&apos;s checklist (assess the scope, find
          the last known good time, verify a backup, notify stakeholders) and a timeline of every step taken.
        </p>
      </EmptyState>
    </>
  );
}
