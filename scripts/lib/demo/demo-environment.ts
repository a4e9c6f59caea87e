import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { DEMO_S3_FOLDERS, SIMULATED_OUTAGE_FLAG } from "@/lib/config/demo";
import type { DemoIncident } from "@/lib/demo/declare-demo-incident";
import { S3BackupStore } from "@/lib/providers/aws/s3-backup-store";
import { stopRestoredServers } from "@/lib/providers/local/local-pitr-provider";
import { giveToOwner, LocalCluster } from "@/lib/providers/postgres/cluster";
import { dataDir, persistentSecret } from "@/scripts/lib/data-dir";
import { S3RVER_CREDENTIALS, startS3Server, type LocalS3Server, type S3ServerOptions } from "@/scripts/lib/s3-server";
import { applyBadMigration, BAD_MIGRATION_NAME, DEMO_INCIDENT_SCOPE, DEMO_INCIDENT_TITLE } from "./bad-migration";
import { prepareDemoPitr } from "./demo-pitr";
import { applicationDatabases, applyLoanServeOwnership, ensureLoanServeRoles, RESTORE_USER } from "./loanserve-roles";
import { createNightlyDump, replicateNightlyDump, type DumpFormat } from "./nightly-dump";
import { applyLoanServeSchema, seedLoanServe } from "./seed-loanserve";
import { plural } from "@/lib/format";

// These match the built-in demo configuration (lib/config/demo.ts).
const BUCKET = "loanserve-backups";
const DR_BUCKET = "loanserve-backups-dr";
const PREFIX = "prod/pg/";
const DATABASE = "loanserve";
const DEFAULT_PORTS: DemoPorts = { s3: 4569, s3Dr: 4570, postgres: 54329 };
/**
 * The seed's version, kept in the marker: a data folder seeded by an earlier version (or with no
 * version) is seeded again from scratch. 2: payments.tenant_id and the bad migration. 3: the DR replica.
 */
export const SEED_VERSION = 3;
/** The DR replica receives the late dump this long after each start of the demo, until it has it. */
export const LATE_REPLICA_AFTER_MS = 5 * 60_000;
/** How soon a late copy that failed (the primary in a simulated outage, say) is tried again. */
const LATE_REPLICA_RETRY_MS = 60_000;
/** The demo incident's last known good time: this long before the bad migration began. */
const LAST_KNOWN_GOOD_BEFORE_MS = 60_000;

/** Whether the DR replica holds a nightly dump: copied with it, never, or only LATE_REPLICA_AFTER_MS after a start. */
export type ReplicaCopy = "copied" | "missing" | "late";

/** Last night first: what each of the seven nightly dumps demonstrates. */
const NIGHTS: Array<{
  nightsAgo: number;
  format: DumpFormat;
  corruptManifest?: boolean;
  withoutManifest?: boolean;
  replica?: Exclude<ReplicaCopy, "copied">;
}> = [
  { nightsAgo: 1, format: "plain" },
  // Not last night's: a restore of the incident's dump can fall back to the replica from the start.
  { nightsAgo: 2, format: "custom", replica: "late" },
  { nightsAgo: 3, format: "plain", corruptManifest: true },
  { nightsAgo: 4, format: "plain", replica: "missing" },
  { nightsAgo: 5, format: "plain", withoutManifest: true },
  { nightsAgo: 6, format: "plain" },
  { nightsAgo: 7, format: "plain" },
];

interface DemoPorts {
  s3: number;
  s3Dr: number;
  postgres: number;
}

/** `seeded.json`: written once the seed, the nightly dumps and the bad migration are all done. */
export interface SeedMarker {
  version: number;
  seededAt: string;
  database: string;
  dumps: Array<{ key: string; manifestKey: string | null; replica: ReplicaCopy }>;
  /** When the bad migration began (ISO): the demo incident's start. */
  badMigrationAt: string;
  badMigration: { name: string; tenantId: number; deleted: number; damaged: number };
}

export interface DemoEnvironment {
  s3Endpoint: string;
  s3Port: number;
  /** The DR region's S3 server, holding the replica. */
  s3DrEndpoint: string;
  s3DrPort: number;
  productionPort: number;
  /** What the app's demo configuration reads (lib/config/demo.ts); holds secrets, never log it. */
  env: Record<string, string>;
  /** The incident the bad migration caused, for the app to declare (once) in the demo environment. */
  incident: DemoIncident;
  stop(): Promise<void>;
}

const log = (message: string) => console.log(`demo: ${message}`);

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function readPorts(file: string): Promise<DemoPorts> {
  try {
    const saved = JSON.parse(await readFile(file, "utf8")) as Partial<Record<keyof DemoPorts, unknown>>;
    const valid = (port: unknown): port is number => Number.isInteger(port) && (port as number) > 0 && (port as number) < 65536;
    return {
      s3: valid(saved.s3) ? saved.s3 : DEFAULT_PORTS.s3,
      s3Dr: valid(saved.s3Dr) ? saved.s3Dr : DEFAULT_PORTS.s3Dr,
      postgres: valid(saved.postgres) ? saved.postgres : DEFAULT_PORTS.postgres,
    };
  } catch {
    return DEFAULT_PORTS;
  }
}

/** The marker when it is current; "outdated" when an earlier version (or a damaged file) wrote it; null when there is none. */
async function readMarker(file: string): Promise<SeedMarker | "outdated" | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return null;
  }
  try {
    const marker = JSON.parse(text) as Partial<SeedMarker> | null;
    const current =
      typeof marker?.version === "number" &&
      marker.version >= SEED_VERSION &&
      typeof marker.badMigrationAt === "string" &&
      !Number.isNaN(Date.parse(marker.badMigrationAt)) &&
      typeof marker.badMigration?.deleted === "number" &&
      typeof marker.badMigration.damaged === "number";
    return current ? (marker as SeedMarker) : "outdated";
  } catch {
    return "outdated";
  }
}

/** The incident the marker's bad migration caused, as the app declares it. */
function incidentOf(marker: SeedMarker): DemoIncident {
  const startedAt = new Date(marker.badMigrationAt);
  return {
    title: DEMO_INCIDENT_TITLE,
    severity: "sev2",
    scope: DEMO_INCIDENT_SCOPE,
    startedAt,
    lastKnownGoodAt: new Date(startedAt.getTime() - LAST_KNOWN_GOOD_BEFORE_MS),
  };
}

/** On the saved port when it is free, so bookmarks and the app's settings keep working; else on any. */
async function startS3OnPreferredPort(options: Omit<S3ServerOptions, "port">, port: number): Promise<LocalS3Server> {
  try {
    return await startS3Server({ ...options, port });
  } catch {
    log(`port ${port} is taken; starting the S3 server for ${options.buckets.join(", ")} on another port`);
    return startS3Server(options);
  }
}

function storeOn(server: LocalS3Server, bucket: string): S3BackupStore {
  return S3BackupStore.fromSettings({
    bucket,
    prefix: PREFIX,
    endpoint: server.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { ...S3RVER_CREDENTIALS },
  });
}

type SeededDump = SeedMarker["dumps"][number];

/**
 * Copies the late dumps the DR replica lacks to it, `afterMs` from now, as a lagging replication
 * would; a copy that fails (the primary down) is tried again a minute later. Stop waits for a copy
 * under way.
 */
async function scheduleLateCopies(dumps: SeededDump[], primary: S3BackupStore, dr: S3BackupStore, afterMs: number) {
  const pending: SeededDump[] = [];
  for (const dump of dumps.filter((d) => d.replica === "late")) {
    const keys = [dump.key, dump.manifestKey].filter((key) => key !== null);
    const held = await Promise.all(keys.map((key) => dr.stat(key)));
    if (held.some((object) => object === null)) pending.push(dump);
  }
  let timer: NodeJS.Timeout | undefined;
  let copying: Promise<void> = Promise.resolve();
  let stopped = false;
  const attempt = () => {
    copying = (async () => {
      try {
        for (const dump of pending) await replicateNightlyDump(dump, primary, dr);
        log(`the DR replica received ${pending.map((d) => d.key).join(", ")}, late`);
      } catch (error) {
        if (stopped) return;
        log(`copying to the DR replica failed (${error instanceof Error ? error.message : String(error)}); trying again in a minute`);
        timer = setTimeout(attempt, LATE_REPLICA_RETRY_MS);
      }
    })();
  };
  if (pending.length > 0) {
    timer = setTimeout(attempt, afterMs);
    const delay = afterMs >= 60_000 ? `${Math.round(afterMs / 60_000)} min` : `${Math.round(afterMs / 1000)} s`;
    log(`${pending.map((d) => d.key).join(", ")} will reach the DR replica in ${delay}`);
  }
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await copying;
    },
  };
}

/** 02:00 UTC on each of the last seven nights; the newest is the latest 02:00 not after `now`. */
function nightAt(now: Date, nightsAgo: number): Date {
  const latest = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 2));
  if (latest > now) latest.setUTCDate(latest.getUTCDate() - 1);
  latest.setUTCDate(latest.getUTCDate() - (nightsAgo - 1));
  return latest;
}

async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return Boolean(rowCount);
  } finally {
    await client.end();
  }
}

async function recreateDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const quoted = pg.escapeIdentifier(name);
    await client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoted}`);
  } finally {
    await client.end();
  }
}

/** Shell-quoted, for archive_command (the data folder may contain spaces). */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Seeds LoanServe, writes the seven nightly dumps, then runs the bad migration on the live
 * database (the demo's incident). The marker is written last, so a run that dies half-way
 * starts again from scratch next time.
 */
async function seedDemo(cluster: LocalCluster, store: S3BackupStore, dr: S3BackupStore, markerFile: string): Promise<SeedMarker> {
  const started = Date.now();
  const now = new Date();
  log("creating the loanserve database…");
  await recreateDatabase(cluster.url(), DATABASE);
  await applyLoanServeSchema(cluster.url(DATABASE));
  log("seeding LoanServe data…");
  await seedLoanServe(cluster.url(DATABASE), { now });
  // Before the dumps, so they carry the application's OWNER TO and GRANT lines.
  await applyLoanServeOwnership(cluster.url(), DATABASE);

  const dumps: SeededDump[] = [];
  for (const { nightsAgo, replica = "copied", ...kind } of [...NIGHTS].reverse()) {
    const dump = await createNightlyDump({
      sourceUrl: cluster.url(),
      store,
      night: nightAt(now, nightsAgo),
      database: DATABASE,
      ...kind,
    });
    // Replicated as it is written, manifest and all (a wrong checksum too), as bucket replication would.
    if (replica === "copied") await replicateNightlyDump(dump, store, dr);
    const note = kind.corruptManifest ? ", manifest with a wrong checksum" : kind.withoutManifest ? ", no manifest" : "";
    const replicaNote =
      replica === "missing" ? ", never copied to the DR replica" : replica === "late" ? ", reaches the DR replica late" : "";
    log(`nightly dump ${dump.key} (${kind.format}${note}${replicaNote})`);
    dumps.push({ key: dump.key, manifestKey: dump.manifestKey, replica });
  }
  // After the dumps: last night's dump still holds what the migration destroyed.
  const bad = await applyBadMigration(cluster.url(DATABASE));
  log(`bad migration deleted ${bad.deleted} and damaged ${bad.damaged} payments of tenant ${bad.tenantId}`);
  const marker: SeedMarker = {
    version: SEED_VERSION,
    seededAt: now.toISOString(),
    database: DATABASE,
    dumps,
    badMigrationAt: bad.at.toISOString(),
    badMigration: { name: BAD_MIGRATION_NAME, tenantId: bad.tenantId, deleted: bad.deleted, damaged: bad.damaged },
  };
  await writeFile(markerFile, `${JSON.stringify(marker, null, 2)}\n`);
  log(`LoanServe data and ${dumps.length} nightly dumps ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return marker;
}

/**
 * The built-in demo's outside world, under <data>/demo: a local S3-protocol server holding
 * LoanServe's nightly dumps, a second one playing the DR region with their replica, and
 * LoanServe's "production" PostgreSQL with continuous WAL archiving. Seeds everything on first
 * run; later runs only start the servers (and deliver the late copy if it has not arrived yet).
 */
export async function startDemoEnvironment(options: { lateReplicaAfterMs?: number } = {}): Promise<DemoEnvironment> {
  const root = path.join(dataDir(), "demo");
  const productionDir = path.join(root, "production");
  const archiveDir = path.join(root, "wal-archive");
  const baseBackupDir = path.join(root, "base-backups");
  // Where the demo's PITR runs start their restored servers (lib/config/demo.ts).
  const pitrRestoreDir = path.join(root, "pitr-restores");
  const s3Dir = path.join(root, DEMO_S3_FOLDERS.primary);
  const drDir = path.join(root, DEMO_S3_FOLDERS.dr);
  // Written by the app's outage switch (lib/demo/simulated-outage.ts), watched by the primary's server.
  const outageFlag = path.join(s3Dir, SIMULATED_OUTAGE_FLAG);
  const portsFile = path.join(root, "ports.json");
  const markerFile = path.join(root, "seeded.json");
  await mkdir(root, { recursive: true });

  if (!(await exists(path.join(productionDir, "data", "PG_VERSION")))) {
    // No cluster yet, or initdb was interrupted (it refuses a non-empty folder). A new cluster
    // restarts WAL file names at the beginning: old archived segments would collide with them
    // (archive_command refuses to overwrite), and the data they describe is gone. So is every
    // base backup: they belong to the old cluster.
    await rm(productionDir, { recursive: true, force: true });
    await rm(archiveDir, { recursive: true, force: true });
    await rm(baseBackupDir, { recursive: true, force: true });
    await rm(markerFile, { force: true });
  }
  await mkdir(archiveDir, { recursive: true, mode: 0o700 });
  await giveToOwner(archiveDir);

  const ports = await readPorts(portsFile);
  const password = await persistentSecret("demo-pg-password");
  // The restore targets' own user: not a superuser, like a managed database's master user.
  const restorePassword = await persistentSecret("demo-restore-password");
  const archive = shellQuote(archiveDir);
  const cluster = await LocalCluster.open({
    baseDir: productionDir,
    password,
    // archive_timeout ships a segment a minute even when nearly empty: 1 MB segments keep the
    // demo's archive small (16 MB ones would fill about 1 GB an hour).
    walSegmentMb: 1,
    settings: {
      wal_level: "replica",
      archive_mode: true,
      archive_command: `test ! -f ${archive}/%f && cp %p ${archive}/%f.tmp && mv ${archive}/%f.tmp ${archive}/%f`,
      archive_timeout: 60,
    },
  });
  const { port: productionPort, startedHere } = await cluster.start(ports.postgres);
  const stopCluster = async () => (startedHere ? cluster.stop("fast") : undefined);
  log(`production PostgreSQL on 127.0.0.1:${productionPort}`);

  let s3: LocalS3Server | undefined;
  let s3Dr: LocalS3Server | undefined;
  try {
    // Every start: a data folder made before least-privilege mode gets its roles here.
    await ensureLoanServeRoles(cluster.url(), { name: RESTORE_USER, password: restorePassword });
    const found = await readMarker(markerFile);
    if (found === "outdated") log("the demo data was made by an earlier version; seeding it again");
    let marker = found === "outdated" ? null : found;
    const needsSeed = !marker || !(await databaseExists(cluster.url(), DATABASE));
    // A start ends a simulated outage the last run left on: the seed and the app need the primary.
    if (await exists(outageFlag)) {
      await rm(outageFlag);
      log("the simulated primary region outage of the last run is over");
    }
    // Objects from an interrupted earlier seed may be for other nights: start from empty buckets.
    if (needsSeed) {
      await rm(s3Dir, { recursive: true, force: true });
      await rm(drDir, { recursive: true, force: true });
    }
    const server = (s3 = await startS3OnPreferredPort(
      {
        directory: s3Dir,
        buckets: [BUCKET],
        outageFlag,
        onOutage: (down) =>
          log(
            down
              ? "simulated outage: the primary S3 server refuses every connection"
              : "the simulated outage is over: the primary S3 server answers",
          ),
      },
      ports.s3,
    ));
    log(`S3-protocol server on ${server.endpoint}`);
    const drServer = (s3Dr = await startS3OnPreferredPort({ directory: drDir, buckets: [DR_BUCKET] }, ports.s3Dr));
    log(`S3-protocol server of the DR region (the replica) on ${drServer.endpoint}`);
    await writeFile(portsFile, `${JSON.stringify({ s3: server.port, s3Dr: drServer.port, postgres: productionPort }, null, 2)}\n`);

    const primaryStore = storeOn(server, BUCKET);
    const drStore = storeOn(drServer, DR_BUCKET);
    if (needsSeed || !marker) marker = await seedDemo(cluster, primaryStore, drStore, markerFile);
    // And the ownership: superuser-owned LoanServe databases (and restored copies) of an earlier
    // version go to the application role, which the restore user may act for. A no-op after that.
    for (const database of await applicationDatabases(cluster.url(), DATABASE)) await applyLoanServeOwnership(cluster.url(), database);
    await prepareDemoPitr({ adminUrl: cluster.url(), loanserveUrl: cluster.url(DATABASE), port: productionPort, password, baseBackupDir });
    const lateCopies = await scheduleLateCopies(marker.dumps, primaryStore, drStore, options.lateReplicaAfterMs ?? LATE_REPLICA_AFTER_MS);
    return {
      s3Endpoint: server.endpoint,
      s3Port: server.port,
      s3DrEndpoint: drServer.endpoint,
      s3DrPort: drServer.port,
      productionPort,
      env: {
        DEMO_S3_ENDPOINT: server.endpoint,
        DEMO_S3_DR_ENDPOINT: drServer.endpoint,
        DEMO_PG_PORT: String(productionPort),
        DEMO_PG_PASSWORD: password,
        DEMO_RESTORE_PASSWORD: restorePassword,
        DEMO_S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        DEMO_S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      },
      incident: incidentOf(marker),
      stop: async () => {
        await lateCopies.stop();
        await server.stop();
        await drServer.stop();
        // Restored servers are the demo's too: none outlives Ctrl-C. Their folders stay (a run's
        // clean-up removes them; a resumed run starts its server again).
        const stopped = await stopRestoredServers(pitrRestoreDir);
        if (stopped.length) log(`stopped ${plural(stopped.length, "point-in-time-restored server")}`);
        await stopCluster();
      },
    };
  } catch (error) {
    await s3?.stop();
    await s3Dr?.stop();
    await stopCluster();
    throw error;
  }
}
