import { Archive, RotateCcw } from "lucide-react";
import type { Metadata } from "next";
import { ButtonLink } from "@/components/ui/button-link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Restores" };

export default function RestoresPage() {
  return (
    <>
      <PageHeader title="Restores" description="Point-in-time and dump restores, step by step, with their validation results." />
      <EmptyState
        icon={<RotateCcw />}
        title="No restores have run yet"
        action={
          <ButtonLink href="/backups" icon={<Archive aria-hidden />}>
            Browse backups
          </ButtonLink>
        }
      >
        <p>Each restore run will appear here with its target, its progress through the runbook&apos;s steps, and whether validation passed.</p>
        <p>To start one, pick a dump from the backup catalog, or a point in time within the retention window.</p>
      </EmptyState>
    </>
  );
}
