import { Archive, TriangleAlert } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { BackupFilters } from "@/components/backups/backup-filters";
import { ManifestBadge, ReplicaCopyBadges, RestoreTestedBadge, VerificationBadge } from "@/components/backups/backup-badges";
import { FreshnessBanner } from "@/components/backups/freshness-banner";
import { RefreshCatalogButton } from "@/components/backups/refresh-catalog-button";
import { ReplicaCards } from "@/components/backups/replica-cards";
import { VerifyButton } from "@/components/backups/verify-button";
import { AddressText } from "@/components/ui/address-text";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination, type SearchParams } from "@/components/ui/pagination";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { hasRole } from "@/lib/auth/roles";
import { getBackupHealth, PROBLEM_DAYS } from "@/lib/backups/get-backup-health";
import { listBackups, ListBackupsInput } from "@/lib/backups/list-backups";
import { getReplicaHealth } from "@/lib/backups/replica-health";
import { requestCatalogRefresh } from "@/lib/backups/request-catalog-refresh";
import { backupStoreFor } from "@/lib/backups/store-for-environment";
import { formatAge, formatBytes } from "@/lib/format";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { pageContext } from "@/lib/http/page-context";
import { firstParam } from "@/lib/search-params";

export const metadata: Metadata = { title: "Backups" };
export const dynamic = "force-dynamic";

export default async function BackupsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const ctx = await pageContext("viewer");
  const { user } = ctx;
  const params = await searchParams;
  const environment = resolveEnvironment(firstParam(params.env));
  const values = {
    env: firstParam(params.env),
    from: firstParam(params.from),
    to: firstParam(params.to),
    manifest: firstParam(params.manifest),
    verification: firstParam(params.verification),
    search: firstParam(params.search),
  };
  const parsed = ListBackupsInput.safeParse({ ...values, environment: environment.name, page: firstParam(params.page) });
  const errors: Record<string, string> = {};
  if (!parsed.success) for (const issue of parsed.error.issues) errors[String(issue.path[0])] = issue.message;

  const input = parsed.success ? parsed.data : ListBackupsInput.parse({ environment: environment.name });
  const [health, replicas] = await Promise.all([
    getBackupHealth({ ctx, input: { environment } }),
    getReplicaHealth({ ctx, input: { environment } }),
  ]);
  let list = await listBackups({ ctx, input });
  // First visit: read the store now rather than showing an empty catalog.
  if (!list.lastRefresh && environment.backupStore) {
    await requestCatalogRefresh({ ctx, input: { environment: environment.name } });
    list = await listBackups({ ctx, input });
  }
  const refreshing = list.lastRefresh?.status === "running";
  const failed = list.lastRefresh?.status === "failed" ? list.lastRefresh : null;
  const location = environment.backupStore ? (await backupStoreFor(environment).catch(() => null))?.location : null;
  const canVerify = hasRole(user.role, "operator");
  const now = new Date(health.checkedAt).getTime();

  return (
    <>
      <PageHeader
        title="Backups"
        description={
          <>
            Nightly dumps in {location ? <AddressText value={location} /> : "no backup store configured"}, each paired with its manifest.{" "}
            {list.lastSuccessfulRefreshAt ? (
              <>
                Cached view from <Time value={list.lastSuccessfulRefreshAt} relative />.
              </>
            ) : (
              "Not read from the store yet."
            )}
          </>
        }
        actions={environment.backupStore ? <RefreshCatalogButton environment={environment.name} running={refreshing} /> : undefined}
      />
      <div className="mb-4">
        <FreshnessBanner health={health} />
      </div>
      {replicas.length > 0 && (
        <section id="replicas" aria-labelledby="replicas-heading" className="mb-6 scroll-mt-4 space-y-2">
          <div>
            <h2 id="replicas-heading" className="text-sm font-semibold">
              Replicas
            </h2>
            <p className="text-sm text-muted">
              Copies of the backup store elsewhere, compared with it at every catalog refresh: what a restore reads when the primary&apos;s
              region fails.
            </p>
          </div>
          <ReplicaCards replicas={replicas} recentDays={PROBLEM_DAYS} />
        </section>
      )}
      {failed && (
        <div
          role="alert"
          className="mb-4 flex items-start gap-3 rounded-lg border border-danger/30 bg-danger-soft px-4 py-3 text-sm text-danger-text"
        >
          <TriangleAlert aria-hidden className="mt-0.5 size-5 shrink-0" />
          <div>
            <p className="font-semibold">The last refresh failed; the list below may be out of date.</p>
            <p>{failed.error}</p>
          </div>
        </div>
      )}
      <BackupFilters values={values} errors={errors} />
      {list.backups.length === 0 ? (
        <EmptyState icon={<Archive />} title={refreshing ? "Reading the catalog from the store…" : "No backups match"}>
          <p>
            {refreshing ? (
              "This takes a few seconds; the list appears when it is done."
            ) : Object.values(values).some(Boolean) ? (
              "Clear a filter or widen the date range."
            ) : (
              <>No dumps (.sql.gz or .dump) were found under {location ? <AddressText value={location} /> : "the backup store"}.</>
            )}
          </p>
        </EmptyState>
      ) : (
        <>
          <p className="mb-2 text-sm text-muted tabular-nums">
            {list.total.toLocaleString("en")} backup{list.total === 1 ? "" : "s"}
          </p>
          <Table caption="Backups, newest first" captionHidden>
            <THead>
              <Tr>
                <Th>Taken</Th>
                <Th>Backup</Th>
                <Th>{replicas.length > 0 ? "Integrity and copies" : "Manifest and verification"}</Th>
                {canVerify && <Th>Action</Th>}
              </Tr>
            </THead>
            <TBody>
              {list.backups.map((b) => (
                <Tr key={b.id} data-backup-name={b.name}>
                  <Td>
                    <Time value={b.takenAt} />
                    <div className="text-xs text-muted tabular-nums">
                      {formatAge((now - new Date(b.takenAt).getTime()) / 3_600_000)} old
                    </div>
                  </Td>
                  <Td className="max-w-80">
                    <div className="truncate font-mono">
                      <Link href={`/backups/${b.id}`} className="text-accent-text underline-offset-2 hover:underline" title={b.name}>
                        {b.name}
                      </Link>
                    </div>
                    <div className="text-xs text-muted">
                      {b.format === "custom" ? "custom (.dump)" : "plain SQL (gzip)"} · {formatBytes(b.size)}
                    </div>
                  </Td>
                  <Td>
                    <span className="flex flex-wrap gap-1">
                      <ManifestBadge state={b.manifestState} />
                      <VerificationBadge state={b.verificationState} />
                      {b.restoreTested && <RestoreTestedBadge tested={b.restoreTested} />}
                    </span>
                    {b.replicas.length > 0 && (
                      <span className="mt-1 flex flex-wrap gap-1">
                        <ReplicaCopyBadges replicas={b.replicas} />
                      </span>
                    )}
                  </Td>
                  {canVerify && (
                    <Td>
                      {b.expectedSha256 ? (
                        <VerifyButton backupId={b.id} name={b.name} />
                      ) : (
                        <span className="text-xs text-muted">unverifiable</span>
                      )}
                    </Td>
                  )}
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pagination
            label="Backup pages"
            page={list.page}
            pageCount={list.pageCount}
            href={{ pathname: "/backups", searchParams: params }}
          />
        </>
      )}
    </>
  );
}
