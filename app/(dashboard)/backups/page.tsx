import { Archive, Settings } from "lucide-react";
import type { Metadata } from "next";
import { ButtonLink } from "@/components/ui/button-link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Backups" };

export default function BackupsPage() {
  return (
    <>
      <PageHeader title="Backups" description="Nightly logical dumps with their manifests, checksums and age." />
      <EmptyState
        icon={<Archive />}
        title="No backups in the catalog yet"
        action={
          <ButtonLink href="/settings" icon={<Settings aria-hidden />}>
            Check backup store settings
          </ButtonLink>
        }
      >
        <p>
          The catalog lists the nightly dumps in the configured S3 bucket, each paired with its manifest so its checksum can be verified
          before a restore.
        </p>
        <p>If last night&apos;s dump should be here, check the backup store in Settings.</p>
      </EmptyState>
    </>
  );
}
