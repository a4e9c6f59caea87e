import { ArrowLeft, History } from "lucide-react";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ManifestBadge, RestoreTestedBadge, VerificationBadge } from "@/components/backups/backup-badges";
import { BackupCopiesTable } from "@/components/backups/backup-copies";
import { ActualDigest } from "@/components/backups/digest-diff";
import { OverrideForm } from "@/components/backups/override-form";
import { VerifyButton } from "@/components/backups/verify-button";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button-link";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { hasRole } from "@/lib/auth/roles";
import { isActive } from "@/lib/backups/backup-views";
import { getBackup } from "@/lib/backups/get-backup";
import { formatBytes } from "@/lib/format";
import { orNotFound, pageContext } from "@/lib/http/page-context";
import { isUuid } from "@/lib/search-params";

export const metadata: Metadata = { title: "Backup" };
export const dynamic = "force-dynamic";

export default async function BackupPage({ params }: { params: Promise<{ backupId: string }> }) {
  const ctx = await pageContext("viewer");
  const { user } = ctx;
  const { backupId } = await params;
  if (!isUuid(backupId)) notFound();
  const detail = await orNotFound(getBackup({ ctx, input: { backupId } }));
  const { backup, verifications, overrides, restorable, copies } = detail;
  const active = verifications.find(isActive) ?? null;
  const manifest = backup.manifest as { tables?: Record<string, number>; pg_version?: string; source_database?: string } | null;

  return (
    <>
      <PageHeader
        title={<span className="font-mono break-all">{backup.name}</span>}
        description={
          <>
            Taken <Time value={backup.takenAt} /> · {formatBytes(backup.size)} ·{" "}
            {backup.format === "custom" ? "custom format" : "plain SQL, gzip"} · environment{" "}
            <span className="font-mono">{backup.environment}</span>
          </>
        }
        actions={
          <ButtonLink href={`/backups?env=${encodeURIComponent(backup.environment)}`} variant="ghost" icon={<ArrowLeft aria-hidden />}>
            All backups
          </ButtonLink>
        }
      />
      <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-2">
        <Card padding="none">
          <CardHeader title="Integrity" />
          <CardBody className="space-y-4">
            <div className="flex flex-wrap gap-2">
              <ManifestBadge state={backup.manifestState} />
              <VerificationBadge state={backup.verificationState} />
              {backup.restoreTested && <RestoreTestedBadge tested={backup.restoreTested} />}
              {backup.removed && <Badge tone="danger">removed from the store</Badge>}
            </div>
            {backup.manifestError && <p className="text-sm text-danger-text">{backup.manifestError}</p>}
            <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
              <dt className="text-muted">Expected sha256</dt>
              <dd className="font-mono break-all">{backup.expectedSha256 ?? "—"}</dd>
              <dt className="text-muted">Actual sha256</dt>
              <dd className="font-mono break-all">
                {backup.actualSha256 ? <ActualDigest expected={backup.expectedSha256} actual={backup.actualSha256} /> : "not computed yet"}
              </dd>
              <dt className="text-muted">Object key</dt>
              <dd className="font-mono break-all">{backup.key}</dd>
            </dl>
            {hasRole(user.role, "operator") && backup.expectedSha256 && !backup.removed && (
              <VerifyButton backupId={backup.id} name={backup.name} active={active} size="md" />
            )}
            <div className="rounded-md border border-border p-3 text-sm">
              <p className="font-medium">{restorable.allowed ? "Restorable" : "Not restorable"}</p>
              <p className="text-muted">{restorable.reason}</p>
              {restorable.allowed ? (
                <ButtonLink href={`/restores/new?backup=${backup.id}`} variant="primary" className="mt-2">
                  Restore this backup
                </ButtonLink>
              ) : (
                hasRole(user.role, "admin") &&
                !backup.removed &&
                backup.verificationState !== "mismatch" && (
                  <div className="mt-3">
                    <OverrideForm backupId={backup.id} />
                  </div>
                )
              )}
            </div>
            {overrides.length > 0 && (
              <ul className="space-y-1 text-sm">
                {overrides.map((o) => (
                  <li key={o.id}>
                    Allowed by {o.grantedByEmail} <Time value={o.createdAt} relative />: “{o.reason}”
                  </li>
                ))}
              </ul>
            )}
          </CardBody>
        </Card>
        <Card padding="none">
          <CardHeader title="Manifest" />
          <CardBody>
            {manifest ? (
              <div className="space-y-3 text-sm">
                <p>
                  {manifest.source_database && (
                    <>
                      Database <span className="font-mono">{manifest.source_database}</span> ·{" "}
                    </>
                  )}
                  {manifest.pg_version && <>PostgreSQL {manifest.pg_version}</>}
                </p>
                {manifest.tables && (
                  <Table caption="Row counts in the manifest" captionHidden embedded>
                    <THead>
                      <Tr>
                        <Th>Table</Th>
                        <Th numeric>Rows</Th>
                      </Tr>
                    </THead>
                    <TBody>
                      {Object.entries(manifest.tables).map(([table, rows]) => (
                        <Tr key={table}>
                          <Td mono>{table}</Td>
                          <Td numeric>{rows.toLocaleString("en")}</Td>
                        </Tr>
                      ))}
                    </TBody>
                  </Table>
                )}
                <details>
                  <summary className="cursor-pointer text-muted">Raw manifest</summary>
                  <pre className="mt-2 overflow-x-auto rounded bg-subtle p-2 text-xs">{JSON.stringify(manifest, null, 2)}</pre>
                </details>
              </div>
            ) : (
              <p className="text-sm text-muted">No usable manifest.</p>
            )}
          </CardBody>
        </Card>
      </div>
      {copies.replicas.length > 0 && (
        <Card as="section" padding="none" className="mt-6">
          <CardHeader
            title="Copies"
            description="The object in the backup store, and what each replica's latest listing found of it: an exact copy has the primary's size and ETag."
          />
          <BackupCopiesTable copies={copies} removed={backup.removed} />
        </Card>
      )}
      <Card padding="none" className="mt-6">
        <CardHeader title="Verification history" />
        <CardBody>
          {verifications.length === 0 ? (
            <EmptyState icon={<History />} title="Never verified">
              <p>
                {backup.expectedSha256
                  ? "Verifying streams the object, hashes it and compares it with the manifest. Nothing is downloaded to disk."
                  : "Without a usable manifest there is no checksum to verify it against: it cannot be verified until one is uploaded beside it."}
              </p>
            </EmptyState>
          ) : (
            <Table caption="Verifications, newest first" captionHidden embedded>
              <THead>
                <Tr>
                  <Th>Requested</Th>
                  <Th>By</Th>
                  <Th>Result</Th>
                  <Th numeric>Bytes</Th>
                  <Th numeric>Throughput</Th>
                  <Th>Detail</Th>
                </Tr>
              </THead>
              <TBody>
                {verifications.map((v) => (
                  <Tr key={v.id}>
                    <Td>
                      <Time value={v.createdAt} />
                    </Td>
                    <Td>{v.requestedByEmail}</Td>
                    <Td>
                      <VerificationBadge state={v.status} />
                    </Td>
                    <Td numeric>{formatBytes(v.bytesDone)}</Td>
                    <Td numeric>{v.throughput ? `${formatBytes(v.throughput)}/s` : "—"}</Td>
                    <Td wrap className="max-w-md text-xs">
                      {v.error ?? (v.actualSha256 ? <span className="font-mono break-all">{v.actualSha256}</span> : "—")}
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </CardBody>
      </Card>
    </>
  );
}
