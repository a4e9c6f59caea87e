import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { pipeline, Transform } from "node:stream";
import { createGzip } from "node:zlib";
import pg from "pg";
import { findPgBinaries } from "@/lib/providers/postgres/binaries";
import { ORPHANED_PAYMENTS_MANIFEST_KEY, ORPHANED_PAYMENTS_SQL } from "@/lib/restore/validation/builtin-checks";
import type { BackupStore } from "@/lib/providers/types";
import { databaseUrl as urlFor, rolesNamedByDump, withClient } from "./loanserve-roles";

export type DumpFormat = "plain" | "custom";

/** Children before parents: the order that never strands a row whose parent is gone. */
const TABLES_CHILD_FIRST = ["payments", "documents", "audit_logs", "loans", "users", "tenants"] as const;
/** The order the manifest lists its row counts in. */
const MANIFEST_TABLES = ["loans", "users", "payments", "documents", "tenants", "audit_logs"] as const;

export interface NightlyDumpOptions {
  /** Superuser URL of the cluster that holds `database` (its own database part is not used). */
  sourceUrl: string;
  store: BackupStore;
  /** The dump shows the data as it stood at 02:00 UTC on this date. */
  night: Date;
  format: DumpFormat;
  /** The database to dump; it is cloned, so nobody may be connected to it meanwhile. */
  database: string;
  /** Writes a manifest whose sha256 does not match the dump (the demo's "checksum mismatch"). */
  corruptManifest?: boolean;
  /** Writes the dump alone, as if the manifest upload had been lost. */
  withoutManifest?: boolean;
}

export interface DumpManifest {
  file: string;
  sha256: string;
  size: number;
  created_at: string;
  pg_version: string;
  source_database: string;
  format: DumpFormat;
  tables: Record<(typeof MANIFEST_TABLES)[number], number>;
  /** Counts for validation checks that compare the restore with its source (the orphaned-payments check). */
  checks: Record<typeof ORPHANED_PAYMENTS_MANIFEST_KEY, number>;
  /** The roles the dump's objects belong to or are granted to, so a plan can name those a target lacks. */
  roles: string[];
}

export interface NightlyDump {
  key: string;
  /** Null when written `withoutManifest`. */
  manifestKey: string | null;
  /** What was written (or, without a manifest, would have been); `sha256` is the dump's real one. */
  manifest: DumpManifest;
}

/** Deletes everything created after `cutoff` and rewinds the id sequences to match; returns the manifest's counts. */
async function cutBack(cloneUrl: string, cutoff: Date): Promise<Pick<DumpManifest, "tables" | "checks">> {
  return withClient(cloneUrl, async (client) => {
    await client.query("BEGIN");
    for (const table of TABLES_CHILD_FIRST) {
      await client.query(`DELETE FROM ${table} WHERE created_at > $1`, [cutoff]);
      // A dump taken that night would carry that night's sequence values, not today's.
      await client.query(
        `SELECT setval(pg_get_serial_sequence('${table}', 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) FROM ${table}`,
      );
    }
    await client.query("COMMIT");
    const counts = MANIFEST_TABLES.map((table) => `(SELECT count(*) FROM ${table})::int AS ${table}`).join(", ");
    const { rows } = await client.query<DumpManifest["tables"]>(`SELECT ${counts}`);
    if (!rows[0]) throw new Error("row counts query returned nothing");
    // The dump is taken from this clone, so this is exactly what its restore must show.
    const orphans = await client.query<{ orphaned_payments: string }>(ORPHANED_PAYMENTS_SQL);
    return { tables: rows[0], checks: { [ORPHANED_PAYMENTS_MANIFEST_KEY]: Number(orphans.rows[0]?.orphaned_payments ?? 0) } };
  });
}

/**
 * Streams pg_dump of `database` (gzipped when plain) into the store under `key`, hashing and
 * counting the stored bytes on the way. The stream only ends once pg_dump has exited cleanly;
 * any failure errors it instead, so the store discards the upload and no object appears.
 */
async function dumpInto(options: {
  sourceUrl: string;
  database: string;
  format: DumpFormat;
  store: BackupStore;
  key: string;
}): Promise<{ sha256: string; size: number }> {
  const url = new URL(options.sourceUrl);
  const binaries = await findPgBinaries();
  const args = [
    "--host",
    url.hostname,
    "--port",
    url.port || "5432",
    "--username",
    decodeURIComponent(url.username) || "postgres",
    "--dbname",
    options.database,
    "--no-password",
    // Owners and grants included, as a real nightly dump has them: restores must carry them over.
    `--format=${options.format}`,
  ];
  // The password travels in the environment, never in argv (visible to every local user).
  const env = url.password ? { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } : process.env;
  const child = spawn(binaries.path("pg_dump"), args, { env, stdio: ["ignore", "pipe", "pipe"] });

  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const dumped = new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      // A clean pg_dump of our schema says nothing; any message means the dump is not to be trusted.
      if (code === 0 && !stderr.trim()) resolve();
      else reject(new Error(`pg_dump of ${options.database} failed (${signal ?? `exit code ${code}`}): ${stderr.trim() || "no message"}`));
    });
  });

  const hash = createHash("sha256");
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      dumped.then(() => callback(), callback);
    },
  });
  const stages = options.format === "plain" ? [child.stdout, createGzip(), tap] : [child.stdout, tap];
  pipeline(stages, (error) => {
    if (error && child.exitCode === null) child.kill("SIGTERM");
  });

  let firstFailure: unknown;
  const note = (error: unknown) => {
    firstFailure ??= error;
  };
  const uploaded = options.store.write(options.key, tap).catch((error: unknown) => {
    note(error);
    // Unblocks pg_dump (the pipeline kills it) when the store gave up first.
    tap.destroy();
  });
  await Promise.all([uploaded, dumped.catch(note)]);
  if (firstFailure !== undefined) throw firstFailure;
  return { sha256: hash.digest("hex"), size };
}

function wrongChecksum(sha256: string): string {
  return `${sha256.slice(0, -1)}${sha256.endsWith("0") ? "1" : "0"}`;
}

/**
 * Writes the nightly dump `<prefix><YYYY-MM-DD>.sql.gz` (or `.dump`) and its manifest, showing
 * `database` as it was at 02:00 UTC that night: a clone cut back to that moment is dumped, then
 * dropped.
 */
export async function createNightlyDump(options: NightlyDumpOptions): Promise<NightlyDump> {
  const { store, format, database } = options;
  const cutoff = new Date(Date.UTC(options.night.getUTCFullYear(), options.night.getUTCMonth(), options.night.getUTCDate(), 2));
  const date = cutoff.toISOString().slice(0, 10);
  const file = format === "plain" ? `${date}.sql.gz` : `${date}.dump`;
  const key = `${store.prefix}${file}`;
  const clone = `${database}_night_${date.replaceAll("-", "_")}`;
  const adminUrl = urlFor(options.sourceUrl, "postgres");

  return withClient(adminUrl, async (admin) => {
    const { rows } = await admin.query<{ version: string; number: number }>(
      "SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS number",
    );
    const server = rows[0];
    if (!server) throw new Error("the server did not report its version");
    const quotedClone = pg.escapeIdentifier(clone);
    // Left over if an earlier run crashed between clone and drop.
    await admin.query(`DROP DATABASE IF EXISTS ${quotedClone} WITH (FORCE)`);
    // PostgreSQL 15 copies a template through the WAL by default, which more than doubled the
    // demo's WAL archive (241 vs 113 MB for seven clones); FILE_COPY (15+) copies the files.
    const strategy = server.number >= 150000 ? " STRATEGY FILE_COPY" : "";
    await admin.query(`CREATE DATABASE ${quotedClone} TEMPLATE ${pg.escapeIdentifier(database)}${strategy}`);
    try {
      const { tables, checks } = await cutBack(urlFor(options.sourceUrl, clone), cutoff);
      const roles = await rolesNamedByDump(urlFor(options.sourceUrl, clone));
      const { sha256, size } = await dumpInto({ sourceUrl: options.sourceUrl, database: clone, format, store, key });
      const manifest: DumpManifest = {
        file,
        sha256,
        size,
        created_at: cutoff.toISOString(),
        pg_version: server.version,
        source_database: database,
        format,
        tables,
        checks,
        roles,
      };
      if (options.withoutManifest) return { key, manifestKey: null, manifest };
      const manifestKey = `${store.prefix}${date}.manifest.json`;
      const written = options.corruptManifest ? { ...manifest, sha256: wrongChecksum(sha256) } : manifest;
      await store.write(manifestKey, Buffer.from(`${JSON.stringify(written, null, 2)}\n`));
      return { key, manifestKey, manifest };
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${quotedClone} WITH (FORCE)`);
    }
  });
}

/**
 * Copies a nightly dump and its manifest to another store byte for byte, as bucket replication
 * would: streamed through the same store write the dump itself went through, so each copy is
 * written in the same parts and keeps its original's ETag (what a replica's listing is compared by).
 */
export async function replicateNightlyDump(
  dump: Pick<NightlyDump, "key" | "manifestKey">,
  from: BackupStore,
  to: BackupStore,
): Promise<void> {
  for (const key of [dump.key, dump.manifestKey]) {
    if (key === null) continue;
    await to.write(to.prefix + key.slice(from.prefix.length), await from.read(key));
  }
}
