import type { BackupReplica } from "@/lib/config/schema";
import type { ReplicaCopyState } from "./refresh-replicas";
import { storeLocation } from "./replica-health";

/**
 * What a replica holds of a backup. unchecked: no listing of the replica has worked since the
 * backup entered the catalog, so nobody knows yet (not the same as missing).
 */
export type ReplicaCopyStatus = ReplicaCopyState | "unchecked";

/** A backup's copy in one configured replica, as the backups table shows it. */
export interface BackupReplicaView {
  name: string;
  label: string;
  state: ReplicaCopyStatus;
  lastModified: string | null;
}

/** A backup's copy in one configured replica, in full, as the backup's page shows it. */
export interface ReplicaCopyDetail extends BackupReplicaView {
  location: string;
  size: number | null;
  etag: string | null;
  /** When a listing first found the copy as it is now (null: unchecked). */
  observedAt: string | null;
  /** Of a copy that differs: what is not the primary's. */
  differences: Array<"size" | "ETag">;
}

/** A backup_replica_copies row, as much of it as a view needs. */
export interface ReplicaCopyRow {
  replica: string;
  state: string;
  size?: bigint | null;
  etag?: string | null;
  lastModified: Date | null;
  observedAt?: Date;
}

/** Each configured replica, in the configuration's order, with its row (rows of replicas no longer configured are left out). */
function byConfiguredReplica<Row extends ReplicaCopyRow>(configured: readonly BackupReplica[], copies: readonly Row[]) {
  return configured.map((replica) => ({ replica, copy: copies.find((copy) => copy.replica === replica.name) }));
}

function replicaView(replica: BackupReplica, copy: ReplicaCopyRow | undefined): BackupReplicaView {
  return {
    name: replica.name,
    label: replica.label ?? replica.name,
    state: copy ? (copy.state as ReplicaCopyState) : "unchecked",
    lastModified: copy?.lastModified?.toISOString() ?? null,
  };
}

export function replicaViews(configured: readonly BackupReplica[], copies: readonly ReplicaCopyRow[]): BackupReplicaView[] {
  return byConfiguredReplica(configured, copies).map(({ replica, copy }) => replicaView(replica, copy));
}

/** The same rule as replicaCopyState: equal sizes, and an ETag that is there and equal. */
function differences(primary: { size: bigint; etag: string | null }, copy: ReplicaCopyRow): ReplicaCopyDetail["differences"] {
  if (copy.state !== "differs") return [];
  return [
    ...(copy.size !== primary.size ? (["size"] as const) : []),
    ...(copy.etag == null || copy.etag !== primary.etag ? (["ETag"] as const) : []),
  ];
}

export function replicaCopyDetails(
  primary: { size: bigint; etag: string | null },
  configured: readonly BackupReplica[],
  copies: readonly ReplicaCopyRow[],
): ReplicaCopyDetail[] {
  return byConfiguredReplica(configured, copies).map(({ replica, copy }) => ({
    ...replicaView(replica, copy),
    location: storeLocation(replica.store),
    size: copy?.size == null ? null : Number(copy.size),
    etag: copy?.etag ?? null,
    observedAt: copy?.observedAt?.toISOString() ?? null,
    differences: copy ? differences(primary, copy) : [],
  }));
}
