import pLimit from "p-limit";
import type { DbOrTx } from "@/lib/db/client";
import type { SystemCtx } from "@/lib/db/ctx";
import type { EnvironmentConfig } from "@/lib/config/schema";
import { Prisma } from "@/lib/generated/prisma/client";
import type { BackupStore, StoredObject } from "@/lib/providers/types";
import {
  classifyKey,
  dateFromName,
  manifestNameFor,
  MAX_MANIFEST_BYTES,
  readManifest,
  type DumpFormat,
  type Manifest,
  type ManifestState,
} from "./manifest";

/** Manifests fetched at once on a refresh: enough to hide latency, few enough to be polite. */
const MANIFEST_CONCURRENCY = 16;
const UPSERT_CHUNK = 1000;

interface CatalogRow {
  key: string;
  name: string;
  format: DumpFormat;
  size: number;
  lastModified: Date;
  etag: string | null;
  takenAt: Date;
  manifestKey: string;
  manifestState: ManifestState;
  manifestError: string | null;
  manifest: Manifest | null;
  manifestEtag: string | null;
  expectedSha256: string | null;
}

export interface RefreshResult {
  objectCount: number;
  backupCount: number;
  manifestsRead: number;
}

type KnownManifest = {
  manifestEtag: string | null;
  manifestState: string;
  manifestError: string | null;
  manifest: Prisma.JsonValue;
  etag: string | null;
};

/**
 * Lists the store, pairs every dump with its manifest and writes the cached catalog. Manifests
 * whose ETag has not changed since the last refresh are not fetched again, so refreshing 10,000
 * backups costs ten list pages, not 10,000 reads.
 */
export async function refreshCatalog({
  ctx,
  input,
}: {
  ctx: SystemCtx;
  input: { environment: EnvironmentConfig; store: BackupStore; signal?: AbortSignal };
}): Promise<RefreshResult> {
  const { environment, store } = input;
  const objects = new Map<string, StoredObject>();
  for await (const page of store.list({ signal: input.signal })) for (const object of page) objects.set(object.key, object);

  const known = new Map<string, KnownManifest>(
    (
      await ctx.db.backup.findMany({
        where: { environment: environment.name },
        select: { key: true, etag: true, manifestEtag: true, manifestState: true, manifestError: true, manifest: true },
      })
    ).map((r) => [r.key, r]),
  );

  const limit = pLimit(MANIFEST_CONCURRENCY);
  let manifestsRead = 0;
  const rows = await Promise.all(
    [...objects.values()].flatMap((object) => {
      const classified = classifyKey(object.key.slice(store.prefix.length));
      if (classified.kind !== "dump") return [];
      return [
        limit(async (): Promise<CatalogRow> => {
          const manifestKey = store.prefix + manifestNameFor(classified.base);
          const manifestObject = objects.get(manifestKey);
          let state: ManifestState = "missing";
          let manifest: Manifest | null = null;
          let error: string | null = null;
          const previous = known.get(object.key);
          if (manifestObject) {
            if (previous && manifestObject.etag && previous.manifestEtag === manifestObject.etag) {
              state = previous.manifestState as ManifestState;
              manifest = previous.manifest as Manifest | null;
              error = previous.manifestError;
            } else {
              manifestsRead++;
              try {
                const reading = readManifest(await store.readSmall(manifestKey, MAX_MANIFEST_BYTES), classified.name);
                state = reading.state;
                manifest = reading.state === "unreadable" ? null : reading.manifest;
                error = reading.state === "present" ? null : reading.error;
              } catch (readError) {
                state = "unreadable";
                error = readError instanceof Error ? readError.message : "The manifest could not be read.";
              }
            }
          }
          // A manifest that describes another file says nothing about when this one was taken.
          const describesThis = state === "present" ? manifest : null;
          const takenAt =
            (describesThis ? new Date(describesThis.created_at) : null) ?? dateFromName(classified.name) ?? object.lastModified;
          return {
            key: object.key,
            name: classified.name,
            format: classified.format,
            size: object.size,
            lastModified: object.lastModified,
            etag: object.etag,
            takenAt,
            manifestKey,
            manifestState: state,
            manifestError: error,
            manifest,
            manifestEtag: manifestObject?.etag ?? null,
            expectedSha256: state === "present" && manifest ? manifest.sha256 : null,
          };
        }),
      ];
    }),
  );

  const seenAt = new Date();
  for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
    await upsertChunk(ctx.db, environment.name, rows.slice(i, i + UPSERT_CHUNK), seenAt);
  }
  // Objects gone from the store stay in the catalog, marked removed, for history.
  await ctx.db.backup.updateMany({
    where: { environment: environment.name, removedAt: null, lastSeenAt: { lt: seenAt } },
    data: { removedAt: seenAt },
  });
  return { objectCount: objects.size, backupCount: rows.length, manifestsRead };
}

/**
 * One INSERT … ON CONFLICT per chunk. When the object or its manifest changed, an earlier
 * verification no longer says anything about it, so the verification state is reset.
 */
async function upsertChunk(db: DbOrTx, environment: string, rows: CatalogRow[], seenAt: Date): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(
    (r) => Prisma.sql`(gen_random_uuid(), ${environment}, ${r.key}, ${r.name}, ${r.format}, ${BigInt(r.size)}, ${r.lastModified}, ${r.etag},
      ${r.takenAt}, ${r.manifestKey}, ${r.manifestState}, ${r.manifestError}, ${r.manifest === null ? null : JSON.stringify(r.manifest)}::jsonb,
      ${r.manifestEtag}, ${r.expectedSha256}, ${seenAt}, ${seenAt})`,
  );
  await db.$executeRaw`
    INSERT INTO backups (id, environment, key, name, format, size, last_modified, etag, taken_at, manifest_key, manifest_state,
                         manifest_error, manifest, manifest_etag, expected_sha256, first_seen_at, last_seen_at)
    VALUES ${Prisma.join(values)}
    ON CONFLICT (environment, key) DO UPDATE SET
      name = EXCLUDED.name, format = EXCLUDED.format, size = EXCLUDED.size, last_modified = EXCLUDED.last_modified,
      etag = EXCLUDED.etag, taken_at = EXCLUDED.taken_at, manifest_key = EXCLUDED.manifest_key,
      manifest_state = EXCLUDED.manifest_state, manifest_error = EXCLUDED.manifest_error, manifest = EXCLUDED.manifest,
      manifest_etag = EXCLUDED.manifest_etag, expected_sha256 = EXCLUDED.expected_sha256,
      last_seen_at = EXCLUDED.last_seen_at, removed_at = NULL,
      verification_state = CASE
        WHEN backups.etag IS DISTINCT FROM EXCLUDED.etag OR backups.expected_sha256 IS DISTINCT FROM EXCLUDED.expected_sha256
        THEN 'never' ELSE backups.verification_state END,
      verified_at = CASE
        WHEN backups.etag IS DISTINCT FROM EXCLUDED.etag OR backups.expected_sha256 IS DISTINCT FROM EXCLUDED.expected_sha256
        THEN NULL ELSE backups.verified_at END,
      actual_sha256 = CASE
        WHEN backups.etag IS DISTINCT FROM EXCLUDED.etag OR backups.expected_sha256 IS DISTINCT FROM EXCLUDED.expected_sha256
        THEN NULL ELSE backups.actual_sha256 END`;
}
