import Link from "next/link";
import { AddressText } from "@/components/ui/address-text";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { cx } from "@/components/ui/cx";
import { StatusDot } from "@/components/ui/status-dot";
import { Time } from "@/components/ui/time";
import type { ReplicaHealth } from "@/lib/backups/replica-health";
import { formatDuration, plural } from "@/lib/format";
import { FRESHNESS_STYLE } from "./freshness-banner";

function ReplicaCard({ replica, recentDays }: { replica: ReplicaHealth; recentDays: number }) {
  const style = FRESHNESS_STYLE[replica.status];
  const Icon = style.icon;
  const { newestCopy, listing, recent } = replica;
  return (
    <Card as="article" padding="none" className="h-full">
      <CardHeader
        level={3}
        title={replica.label}
        description={<AddressText value={replica.location} />}
        actions={replica.label !== replica.name && <span className="font-mono text-xs text-muted">{replica.name}</span>}
      />
      <CardBody className="space-y-3 text-sm">
        <div role="status" className={cx("flex items-start gap-2 rounded-md border px-3 py-2", style.classes)}>
          <Icon aria-hidden className="mt-0.5 size-4 shrink-0" />
          <div className="min-w-0 [overflow-wrap:anywhere]">
            <p className="font-semibold">{replica.headline}</p>
            <p>{replica.summary}</p>
          </div>
        </div>
        <dl className="grid grid-cols-1 gap-x-4 gap-y-1 sm:grid-cols-[max-content_minmax(0,1fr)]">
          <dt className="text-muted">Newest exact copy</dt>
          <dd className="min-w-0">
            {newestCopy ? (
              <>
                <Link
                  href={`/backups/${newestCopy.backupId}`}
                  className="font-mono text-accent-text underline-offset-2 [overflow-wrap:anywhere] hover:underline"
                >
                  {newestCopy.name}
                </Link>
                , taken <Time value={newestCopy.takenAt} relative />
              </>
            ) : (
              "none"
            )}
          </dd>
          <dt className="text-muted">Lag</dt>
          <dd>
            {replica.lagMinutes === null
              ? "unknown"
              : replica.lagMinutes === 0
                ? "none: the newest copy arrived within a minute of the primary's"
                : `the newest copy arrived ${formatDuration(replica.lagMinutes * 60_000)} after the primary's`}
          </dd>
          <dt className="text-muted">Last {plural(recentDays, "day")}</dt>
          <dd>
            {plural(recent.same, "exact copy", "exact copies")}, {plural(recent.differs, "different copy", "different copies")},{" "}
            {plural(recent.missing, "backup")} missing
            {recent.unchecked > 0 && `, ${plural(recent.unchecked, "backup")} not checked yet`}
          </dd>
          <dt className="text-muted">Listing</dt>
          <dd className="min-w-0">
            {!listing ? (
              "not listed yet: the next catalog refresh lists it"
            ) : listing.okAt ? (
              <>
                last worked <Time value={listing.okAt} relative />
              </>
            ) : (
              "has never worked"
            )}
            {listing?.error && (
              <p className="text-danger-text [overflow-wrap:anywhere]">
                Failed <Time value={listing.checkedAt} relative />: {listing.error}
              </p>
            )}
          </dd>
        </dl>
      </CardBody>
    </Card>
  );
}

/**
 * Each replica of the backup store as a card: can it serve a regional failure (green/amber/red),
 * its newest exact copy and how late copies arrive, the last days' backups it holds, its listing.
 */
export function ReplicaCards({ replicas, recentDays }: { replicas: readonly ReplicaHealth[]; recentDays: number }) {
  return (
    <ul aria-label="Backup replicas" className="grid grid-cols-[minmax(0,1fr)] gap-4 lg:grid-cols-2">
      {replicas.map((replica) => (
        <li key={replica.name} data-replica={replica.name} data-replica-status={replica.status} className="min-w-0">
          <ReplicaCard replica={replica} recentDays={recentDays} />
        </li>
      ))}
    </ul>
  );
}

/** One line per replica, for Overview's freshness card; each links to its card on the Backups page. */
export function ReplicaStatusList({ environment, replicas }: { environment: string; replicas: readonly ReplicaHealth[] }) {
  return (
    <ul aria-label={`Backup replicas of ${environment}`} className="space-y-1 px-1 text-sm">
      {replicas.map((replica) => (
        <li key={replica.name} data-replica={replica.name} data-replica-status={replica.status} className="flex items-start gap-2">
          <StatusDot tone={FRESHNESS_STYLE[replica.status].tone} className="mt-1.5" />
          <span className="min-w-0 [overflow-wrap:anywhere]">
            <Link
              href={`/backups?env=${encodeURIComponent(environment)}#replicas`}
              className="font-medium text-accent-text underline-offset-2 hover:underline"
            >
              Replica {replica.label}
            </Link>
            : {replica.headline}
          </span>
        </li>
      ))}
    </ul>
  );
}
