import { isDeepStrictEqual } from "node:util";
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
export const MANIFEST_CONCURRENCY = 16;
const UPSERT_CHUNK = 1000;
/**
 * How stale `last_seen_at` may grow before a refresh writes the row for that alone. Nothing reads
 * it to find removals (the listing does that), so it only has to say roughly when an object was
 * last confirmed present: bumping it on every refresh would rewrite every row every 15 minutes,
 * once a day costs one row version per backup per day.
 */
const LAST_SEEN_RESOLUTION_MS = 24 * 60 * 60 * 1000;

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
  /** Catalog rows inserted, updated or marked removed: 0 when nothing in the store changed. */
  rowsWritten: number;
}

/** What a refresh compares with the listing; not `manifest`, the widest column, read only for rows being rebuilt. */
const KNOWN_COLUMNS = {
  key: true,
  name: true,
  format: true,
  size: true,
  lastModified: true,
  etag: true,
  takenAt: true,
  manifestKey: true,
  manifestState: true,
  manifestError: true,
  manifestEtag: true,
  expectedSha256: true,
  lastSeenAt: true,
  removedAt: true,
} satisfies Prisma.BackupSelect;
type KnownRow = Prisma.BackupGetPayload<{ select: typeof KNOWN_COLUMNS }>;

/**
 * Lists the store, pairs every dump with its manifest and writes the cached catalog. Manifests
 * whose ETag has not changed since the last refresh are not fetched again, so refreshing 10,000
 * backups costs ten list pages, not 10,000 reads. A dump whose object and manifest are unchanged
 * is not even rebuilt, and only rows that changed are written, so a refresh that finds nothing new
 * writes nothing (no dead rows for vacuum every 15 minutes).
 */
export async function refreshCatalog({
  ctx,
  input,
}: {
  ctx: SystemCtx;
  input: { environment: EnvironmentConfig; store: BackupStore; signal?: AbortSignal };
}): Promise<RefreshResult> {
  const { environment, store } = input;
  // The cached rows are read while the store is listed, so an unchanged store costs about its listing.
  const knownRows = ctx.db.backup.findMany({ where: { environment: environment.name }, select: KNOWN_COLUMNS });
  knownRows.catch(() => undefined); // awaited below; a listing that fails first must not leave it unhandled
  const objects = new Map<string, StoredObject>();
  for await (const page of store.list({ signal: input.signal })) for (const object of page) objects.set(object.key, object);
  const known = new Map<string, KnownRow>((await knownRows).map((r) => [r.key, r]));
  const seenAt = new Date();

  // Dumps whose object and manifest are as their row last saw them are not rebuilt at all.
  const listed = new Set<string>();
  const toBuild: Array<{ object: StoredObject; name: string; base: string; format: DumpFormat; previous: KnownRow | undefined }> = [];
  for (const object of objects.values()) {
    const classified = classifyKey(object.key.slice(store.prefix.length));
    if (classified.kind !== "dump") continue;
    listed.add(object.key);
    const previous = known.get(object.key);
    const manifestObject = objects.get(store.prefix + manifestNameFor(classified.base));
    if (previous && unchangedAtSource(previous, object, manifestObject, seenAt)) continue;
    toBuild.push({ object, ...classified, previous });
  }
  // Their stored manifests: reused when the manifest's ETag is unchanged, and compared with the new row.
  const storedManifests = await manifestsOf(
    ctx.db,
    environment.name,
    toBuild.flatMap(({ object, previous }) => (previous ? [object.key] : [])),
  );

  const limit = pLimit(MANIFEST_CONCURRENCY);
  let manifestsRead = 0;
  const rows = await Promise.all(
    toBuild.map(({ object, name, base, format, previous }) =>
      limit(async (): Promise<CatalogRow> => {
        const manifestKey = store.prefix + manifestNameFor(base);
        const manifestObject = objects.get(manifestKey);
        let state: ManifestState = "missing";
        let manifest: Manifest | null = null;
        let error: string | null = null;
        if (manifestObject) {
          if (previous && manifestObject.etag && previous.manifestEtag === manifestObject.etag) {
            state = previous.manifestState as ManifestState;
            manifest = (storedManifests.get(object.key) ?? null) as Manifest | null;
            error = previous.manifestError;
          } else {
            manifestsRead++;
            try {
              const reading = readManifest(await store.readSmall(manifestKey, MAX_MANIFEST_BYTES), name);
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
        const takenAt = (describesThis ? new Date(describesThis.created_at) : null) ?? dateFromName(name) ?? object.lastModified;
        return {
          key: object.key,
          name,
          format,
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
    ),
  );

  const changed = rows.filter((row) => {
    const previous = known.get(row.key);
    return !previous || needsWrite(previous, storedManifests.get(row.key) ?? null, row, seenAt);
  });
  let rowsWritten = 0;
  for (let i = 0; i < changed.length; i += UPSERT_CHUNK) {
    rowsWritten += await upsertChunk(ctx.db, environment.name, changed.slice(i, i + UPSERT_CHUNK), seenAt);
  }
  // Objects gone from the store stay in the catalog, marked removed, for history. Gone means
  // absent from this listing (not an old last_seen_at, which moves only once a day).
  const gone = [...known.values()].filter((row) => row.removedAt === null && !listed.has(row.key)).map((row) => row.key);
  for (let i = 0; i < gone.length; i += UPSERT_CHUNK) {
    const { count } = await ctx.db.backup.updateMany({
      where: { environment: environment.name, key: { in: gone.slice(i, i + UPSERT_CHUNK) }, removedAt: null },
      data: { removedAt: seenAt },
    });
    rowsWritten += count;
  }
  return { objectCount: objects.size, backupCount: listed.size, manifestsRead, rowsWritten };
}

/**
 * The object and its manifest are exactly as the row last saw them (same ETag, size and date; the
 * same manifest ETag, or still no manifest), the row is live and not due its daily write: what
 * the row holds is what rebuilding it would give, so it is not rebuilt. The daily write rebuilds
 * every row, so a row written by an older version of this code catches up within a day.
 */
function unchangedAtSource(previous: KnownRow, object: StoredObject, manifestObject: StoredObject | undefined, seenAt: Date): boolean {
  const sameManifest = manifestObject
    ? manifestObject.etag !== null && previous.manifestEtag === manifestObject.etag
    : previous.manifestEtag === null && previous.manifestState === "missing";
  return (
    sameManifest &&
    previous.removedAt === null &&
    seenAt.getTime() - previous.lastSeenAt.getTime() < LAST_SEEN_RESOLUTION_MS &&
    object.etag !== null &&
    previous.etag === object.etag &&
    previous.size === BigInt(object.size) &&
    previous.lastModified.getTime() === object.lastModified.getTime()
  );
}

/** The stored manifests of these rows (the widest column, so read only for rows being rebuilt). */
async function manifestsOf(db: DbOrTx, environment: string, keys: string[]): Promise<Map<string, Prisma.JsonValue>> {
  const manifests = new Map<string, Prisma.JsonValue>();
  for (let i = 0; i < keys.length; i += UPSERT_CHUNK) {
    const rows = await db.backup.findMany({
      where: { environment, key: { in: keys.slice(i, i + UPSERT_CHUNK) } },
      select: { key: true, manifest: true },
    });
    for (const row of rows) manifests.set(row.key, row.manifest);
  }
  return manifests;
}

/** The manifest as it reads back from jsonb (no undefined members), to compare with a stored one. */
const asStored = (manifest: Manifest | null): unknown => (manifest === null ? null : JSON.parse(JSON.stringify(manifest)));

/**
 * Whether a rebuilt row differs from the stored one (or is due its daily last_seen_at). Rows that
 * did not change are not sent to the database at all; the upsert's WHERE still re-checks every
 * column, so a row sent here that turns out identical is not rewritten either.
 */
function needsWrite(previous: KnownRow, previousManifest: Prisma.JsonValue, row: CatalogRow, seenAt: Date): boolean {
  return (
    previous.removedAt !== null ||
    seenAt.getTime() - previous.lastSeenAt.getTime() >= LAST_SEEN_RESOLUTION_MS ||
    previous.name !== row.name ||
    previous.format !== row.format ||
    previous.size !== BigInt(row.size) ||
    previous.lastModified.getTime() !== row.lastModified.getTime() ||
    previous.etag !== row.etag ||
    previous.takenAt.getTime() !== row.takenAt.getTime() ||
    previous.manifestKey !== row.manifestKey ||
    previous.manifestState !== row.manifestState ||
    previous.manifestError !== row.manifestError ||
    previous.manifestEtag !== row.manifestEtag ||
    previous.expectedSha256 !== row.expectedSha256 ||
    !isDeepStrictEqual(previousManifest, asStored(row.manifest))
  );
}

/**
 * One INSERT … ON CONFLICT per chunk; returns the rows inserted or updated. An existing row is
 * updated only when something in it differs (or its last_seen_at is a day old); otherwise it is
 * left alone. When the object or its manifest changed, an earlier verification no longer says
 * anything about it, so the verification state is reset.
 */
async function upsertChunk(db: DbOrTx, environment: string, rows: CatalogRow[], seenAt: Date): Promise<number> {
  if (rows.length === 0) return 0;
  // The chunk travels as one jsonb parameter, not 17 per row: binding and planning 17,000
  // parameters cost more than the rows themselves.
  const batch = JSON.stringify(
    rows.map((r) => ({
      key: r.key,
      name: r.name,
      format: r.format,
      size: r.size,
      last_modified: r.lastModified,
      etag: r.etag,
      taken_at: r.takenAt,
      manifest_key: r.manifestKey,
      manifest_state: r.manifestState,
      manifest_error: r.manifestError,
      manifest: r.manifest,
      manifest_etag: r.manifestEtag,
      expected_sha256: r.expectedSha256,
    })),
  );
  const staleBefore = new Date(seenAt.getTime() - LAST_SEEN_RESOLUTION_MS);
  return db.$executeRaw`
    INSERT INTO backups (id, environment, key, name, format, size, last_modified, etag, taken_at, manifest_key, manifest_state,
                         manifest_error, manifest, manifest_etag, expected_sha256, first_seen_at, last_seen_at)
    SELECT gen_random_uuid(), ${environment}, r.key, r.name, r.format, r.size, r.last_modified, r.etag, r.taken_at, r.manifest_key,
           r.manifest_state, r.manifest_error, r.manifest, r.manifest_etag, r.expected_sha256, ${seenAt}, ${seenAt}
    FROM jsonb_to_recordset(${batch}::jsonb) AS r(key text, name text, format text, size bigint, last_modified timestamptz, etag text,
         taken_at timestamptz, manifest_key text, manifest_state text, manifest_error text, manifest jsonb, manifest_etag text,
         expected_sha256 text)
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
        THEN NULL ELSE backups.actual_sha256 END
    WHERE backups.removed_at IS NOT NULL
       OR backups.last_seen_at <= ${staleBefore}
       OR (backups.name, backups.format, backups.size, backups.last_modified, backups.etag, backups.taken_at, backups.manifest_key,
           backups.manifest_state, backups.manifest_error, backups.manifest, backups.manifest_etag, backups.expected_sha256)
          IS DISTINCT FROM
          (EXCLUDED.name, EXCLUDED.format, EXCLUDED.size, EXCLUDED.last_modified, EXCLUDED.etag, EXCLUDED.taken_at, EXCLUDED.manifest_key,
           EXCLUDED.manifest_state, EXCLUDED.manifest_error, EXCLUDED.manifest, EXCLUDED.manifest_etag, EXCLUDED.expected_sha256)`;
}
