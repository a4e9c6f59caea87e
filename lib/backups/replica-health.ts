import type { SessionUser } from "@/lib/auth/roles";
import type { BackupReplica, BackupStore, EnvironmentConfig } from "@/lib/config/schema";
import type { Ctx } from "@/lib/db/ctx";
import { formatAge, plural } from "@/lib/format";
import { s3Location } from "@/lib/providers/store-location";
import { PROBLEM_DAYS, type FreshnessStatus } from "./get-backup-health";
import type { ReplicaCopyState } from "./refresh-replicas";

/** A listing older than this says little about the replica now (the catalog refreshes every 15 minutes). */
const LISTING_STALE_MS = 2 * 3_600_000;

export interface ReplicaHealth {
  name: string;
  label: string;
  /** Where it is: `s3://bucket/prefix/ at endpoint` or a folder. */
  location: string;
  status: FreshnessStatus;
  headline: string;
  summary: string;
  /** The replica's latest listing: when it was tried, when it last worked, why it failed. */
  listing: { checkedAt: string; okAt: string | null; error: string | null } | null;
  /** The newest backup the replica holds exactly as the primary does. */
  newestCopy: { backupId: string; name: string; takenAt: string; ageHours: number } | null;
  /** How long after the primary's object the newest copy arrived, in minutes (null: unknown). */
  lagMinutes: number | null;
  /** The last PROBLEM_DAYS days' backups, by what the replica holds of them ("unchecked": not listed since they were catalogued). */
  recent: Record<ReplicaCopyState | "unchecked", number>;
}

/** `s3://bucket/prefix/ at endpoint` or the folder, as the backup stores name themselves. */
export function storeLocation(store: BackupStore): string {
  return store.kind === "local" ? store.path : s3Location(store);
}

const hoursBetween = (a: Date, b: Date) => Math.round(((a.getTime() - b.getTime()) / 3_600_000) * 10) / 10;

/**
 * Is each replica a usable copy for a regional failure? green: listed recently, and its newest
 * exact copy is within the freshness objective with every recent backup there. amber: fresh but
 * recent backups missing or different, or its listing failing (its last known state shown). red:
 * no exact copy within the objective.
 */
export async function getReplicaHealth({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { environment: EnvironmentConfig; now?: Date };
}): Promise<ReplicaHealth[]> {
  const { environment } = input;
  const now = input.now ?? new Date();
  const maxAgeHours = environment.backupFreshness.maxAgeHours;
  const recentSince = new Date(now.getTime() - PROBLEM_DAYS * 86_400_000);
  return Promise.all(
    environment.backupReplicas.map(async (replica: BackupReplica): Promise<ReplicaHealth> => {
      const live = { environment: environment.name, removedAt: null };
      const [listing, newest, recentBackups] = await Promise.all([
        ctx.db.backupReplicaListing.findUnique({
          where: { environment_replica: { environment: environment.name, replica: replica.name } },
        }),
        ctx.db.backupReplicaCopy.findFirst({
          where: { replica: replica.name, state: "same", backup: live },
          orderBy: { backup: { takenAt: "desc" } },
          include: { backup: { select: { id: true, name: true, takenAt: true, lastModified: true } } },
        }),
        ctx.db.backup.findMany({
          where: { ...live, takenAt: { gte: recentSince } },
          select: { replicaCopies: { where: { replica: replica.name }, select: { state: true } } },
        }),
      ]);
      const recent: ReplicaHealth["recent"] = { same: 0, differs: 0, missing: 0, unchecked: 0 };
      for (const backup of recentBackups) recent[(backup.replicaCopies[0]?.state as ReplicaCopyState | undefined) ?? "unchecked"]++;
      const newestAge = newest ? hoursBetween(now, newest.backup.takenAt) : null;
      const lagMinutes =
        newest?.lastModified != null
          ? Math.max(0, Math.round((newest.lastModified.getTime() - newest.backup.lastModified.getTime()) / 60_000))
          : null;
      const listingStale = !listing?.okAt || now.getTime() - listing.okAt.getTime() > LISTING_STALE_MS;
      const gaps = recent.missing + recent.differs;

      let status: FreshnessStatus;
      let headline: string;
      const parts: string[] = [];
      if (newestAge === null || newestAge > maxAgeHours) {
        status = "red";
        headline = "Replica stale";
        parts.push(
          newest
            ? `Its newest exact copy, ${newest.backup.name}, is ${formatAge(newestAge ?? 0)} old (objective ${maxAgeHours} h).`
            : "It holds no exact copy of a backup in the catalog.",
        );
      } else {
        status = gaps > 0 || listingStale ? "amber" : "green";
        headline =
          gaps > 0
            ? `Fresh, but ${plural(gaps, "recent backup")} not copied exactly`
            : listingStale
              ? "Not listed recently"
              : "Replica fresh";
        parts.push(`Its newest exact copy is ${formatAge(newestAge)} old (objective ${maxAgeHours} h).`);
      }
      if (recent.missing) parts.push(`${plural(recent.missing, "backup")} of the last ${PROBLEM_DAYS} days missing.`);
      if (recent.differs) parts.push(`${plural(recent.differs, "backup")} of the last ${PROBLEM_DAYS} days with a different size or ETag.`);
      if (recent.unchecked)
        parts.push(`${plural(recent.unchecked, "backup")} of the last ${PROBLEM_DAYS} days not checked yet: no listing since.`);
      if (listing?.error) parts.push(`The latest listing failed: ${listing.error}`);
      return {
        name: replica.name,
        label: replica.label ?? replica.name,
        location: storeLocation(replica.store),
        status,
        headline,
        summary: parts.join(" "),
        listing: listing
          ? { checkedAt: listing.checkedAt.toISOString(), okAt: listing.okAt?.toISOString() ?? null, error: listing.error }
          : null,
        newestCopy: newest
          ? { backupId: newest.backup.id, name: newest.backup.name, takenAt: newest.backup.takenAt.toISOString(), ageHours: newestAge ?? 0 }
          : null,
        lagMinutes,
        recent,
      };
    }),
  );
}
