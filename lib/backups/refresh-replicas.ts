import type { SystemCtx } from "@/lib/db/ctx";
import type { BackupReplica, EnvironmentConfig } from "@/lib/config/schema";
import type { BackupStore, StoredObject } from "@/lib/providers/types";
import { classifyKey, manifestNameFor } from "./manifest";

export type ReplicaCopyState = "same" | "differs" | "missing";

/** A copy is the same backup when its size and ETag are the primary's (an ETag is a digest S3 keeps for us). */
export function replicaCopyState(primary: { size: bigint; etag: string | null }, copy: StoredObject | undefined): ReplicaCopyState {
  if (!copy) return "missing";
  return BigInt(copy.size) === primary.size && copy.etag !== null && copy.etag === primary.etag ? "same" : "differs";
}

interface CopyRow {
  backupId: string;
  state: ReplicaCopyState;
  size: bigint | null;
  etag: string | null;
  lastModified: Date | null;
  manifestEtag: string | null;
}

const WRITE_CHUNK = 1000;

/**
 * Writes only the copies whose state, size, ETag, date or manifest changed since the last listing,
 * so a replica that holds what it held 15 minutes ago costs its listing and no row versions.
 */
async function writeChangedCopies(ctx: SystemCtx, environment: string, replica: string, rows: CopyRow[], observedAt: Date) {
  const known = await ctx.db.backupReplicaCopy.findMany({ where: { replica, backup: { environment } } });
  const previous = new Map(known.map((row) => [row.backupId, row]));
  const changed = rows.filter((row) => {
    const before = previous.get(row.backupId);
    return (
      !before ||
      before.state !== row.state ||
      before.size !== row.size ||
      before.etag !== row.etag ||
      before.lastModified?.getTime() !== row.lastModified?.getTime() ||
      before.manifestEtag !== row.manifestEtag
    );
  });
  for (let i = 0; i < changed.length; i += WRITE_CHUNK) {
    // One jsonb parameter per chunk, as the catalog writes its rows.
    const batch = JSON.stringify(
      changed.slice(i, i + WRITE_CHUNK).map((row) => ({
        backup_id: row.backupId,
        state: row.state,
        size: row.size?.toString() ?? null,
        etag: row.etag,
        last_modified: row.lastModified,
        manifest_etag: row.manifestEtag,
      })),
    );
    await ctx.db.$executeRaw`
      INSERT INTO backup_replica_copies (backup_id, replica, state, size, etag, last_modified, manifest_etag, observed_at)
      SELECT r.backup_id, ${replica}, r.state, r.size, r.etag, r.last_modified, r.manifest_etag, ${observedAt}
      FROM jsonb_to_recordset(${batch}::jsonb) AS r(backup_id uuid, state text, size bigint, etag text, last_modified timestamptz,
           manifest_etag text)
      ON CONFLICT (backup_id, replica) DO UPDATE SET
        state = EXCLUDED.state, size = EXCLUDED.size, etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified,
        manifest_etag = EXCLUDED.manifest_etag, observed_at = EXCLUDED.observed_at`;
  }
}

export interface ReplicaRefreshResult {
  replica: string;
  ok: boolean;
  error: string | null;
  copies: number;
}

/**
 * Lists each replica of the environment's backup store and records, for every backup in the
 * catalog, whether the replica holds it and whether size and ETag match the primary's. A replica
 * that cannot be listed keeps its last known copies and records why; the others go on, and so
 * does a replica when the primary itself is down (the catalog keeps what the primary last said).
 */
export async function refreshReplicas({
  ctx,
  input,
}: {
  ctx: SystemCtx;
  input: { environment: EnvironmentConfig; openStore: (replica: BackupReplica) => Promise<BackupStore>; signal?: AbortSignal };
}): Promise<ReplicaRefreshResult[]> {
  const { environment } = input;
  if (environment.backupReplicas.length === 0) return [];
  const backups = await ctx.db.backup.findMany({
    // Removed backups too: a replica's copy of one gone from the primary is what a restore reads.
    where: { environment: environment.name },
    select: { id: true, name: true, size: true, etag: true },
  });
  const results: ReplicaRefreshResult[] = [];
  for (const replica of environment.backupReplicas) {
    const checkedAt = new Date();
    try {
      const store = await input.openStore(replica);
      const objects = new Map<string, StoredObject>();
      for await (const page of store.list({ signal: input.signal })) {
        for (const object of page) objects.set(object.key.slice(store.prefix.length), object);
      }
      const rows: CopyRow[] = backups.map((backup) => {
        const copy = objects.get(backup.name);
        const classified = classifyKey(backup.name);
        const manifest = classified.kind === "dump" ? objects.get(manifestNameFor(classified.base)) : undefined;
        return {
          backupId: backup.id,
          state: replicaCopyState(backup, copy),
          size: copy ? BigInt(copy.size) : null,
          etag: copy?.etag ?? null,
          lastModified: copy?.lastModified ?? null,
          manifestEtag: manifest?.etag ?? null,
        };
      });
      await writeChangedCopies(ctx, environment.name, replica.name, rows, checkedAt);
      await ctx.db.backupReplicaListing.upsert({
        where: { environment_replica: { environment: environment.name, replica: replica.name } },
        create: { environment: environment.name, replica: replica.name, checkedAt, okAt: checkedAt, error: null },
        update: { checkedAt, okAt: checkedAt, error: null },
      });
      results.push({ replica: replica.name, ok: true, error: null, copies: rows.filter((r) => r.state !== "missing").length });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await ctx.db.backupReplicaListing.upsert({
        where: { environment_replica: { environment: environment.name, replica: replica.name } },
        create: { environment: environment.name, replica: replica.name, checkedAt, error: message },
        update: { checkedAt, error: message },
      });
      results.push({ replica: replica.name, ok: false, error: message, copies: 0 });
    }
  }
  return results;
}
