import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DEMO_S3_FOLDERS, demoConfig, demoRoot, SIMULATED_OUTAGE_FLAG } from "@/lib/config/demo";
import { S3BackupStore } from "@/lib/providers/aws/s3-backup-store";
import { LocalPitrProvider } from "@/lib/providers/local/local-pitr-provider";
import { freeLoopbackPort } from "@/lib/providers/postgres/cluster";
import type { AdminTarget } from "@/lib/providers/postgres/admin";
import { loadIntoScratch } from "@/lib/providers/postgres/load-scratch";
import { loaderRoleName } from "@/lib/providers/postgres/loader-role";
import { BackupStoreError, type BackupStore, type StoredObject } from "@/lib/providers/types";
import { S3RVER_CREDENTIALS } from "@/scripts/lib/s3-server";
import { BAD_MIGRATION_NAME, DEMO_INCIDENT_SCOPE, DEMO_INCIDENT_TITLE } from "./bad-migration";
import { LATE_REPLICA_AFTER_MS, SEED_VERSION, startDemoEnvironment, type DemoEnvironment, type SeedMarker } from "./demo-environment";
import { createNightlyDump, type DumpManifest } from "./nightly-dump";

const TABLES = ["tenants", "users", "loans", "payments", "documents", "audit_logs"] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

let tempDir: string;
let previousDataDir: string | undefined;
let demo: DemoEnvironment;
let store: S3BackupStore;
let marker: SeedMarker;
/** Connected to `postgres`: a session on loanserve would stop it being cloned as a template. */
let admin: pg.Client;
const logLines: string[] = [];

function pgUrl(database: string): string {
  const url = new URL(`postgresql://127.0.0.1:${demo.productionPort}/${database}`);
  url.username = "postgres";
  url.password = demo.env.DEMO_PG_PASSWORD ?? "";
  return url.toString();
}

/** The demo restore targets' user (lib/config/demo.ts): not a superuser. */
function restoreAdmin(): AdminTarget {
  return {
    connection: {
      host: "127.0.0.1",
      port: demo.productionPort,
      user: "restore_admin",
      password: demo.env.DEMO_RESTORE_PASSWORD ?? "",
      sslMode: "disable",
    },
    maintenanceDatabase: "postgres",
  };
}

/** What a least-privilege restore must leave: the database and its tables owned by loanserve, reporting's grant kept. */
function ownership(database: string): Promise<{ database: string; tables: string[]; unreadableByReporting: string[] }> {
  return withDatabase(database, async (client) => {
    const { rows } = await client.query<{ database: string; tables: string[]; unreadable: string[] }>(
      `SELECT (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()) AS database,
              array(SELECT DISTINCT tableowner::text FROM pg_tables WHERE schemaname = 'public') AS tables,
              array(SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'
                     AND NOT has_table_privilege('reporting', format('%I.%I', schemaname, tablename), 'SELECT')) AS unreadable`,
    );
    const row = rows[0];
    return { database: row?.database ?? "", tables: row?.tables ?? [], unreadableByReporting: row?.unreadable ?? [] };
  });
}

const OWNED_BY_LOANSERVE = { database: "loanserve", tables: ["loanserve"], unreadableByReporting: [] };

function storeFor(environment: DemoEnvironment): S3BackupStore {
  return S3BackupStore.fromSettings({
    bucket: "loanserve-backups",
    prefix: "prod/pg/",
    endpoint: environment.s3Endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { ...S3RVER_CREDENTIALS },
  });
}

/** The DR region's replica (lib/config/demo.ts), on the server this start gave it. */
function drStore(): S3BackupStore {
  return S3BackupStore.fromSettings({
    bucket: "loanserve-backups-dr",
    prefix: "prod/pg/",
    endpoint: demo.s3DrEndpoint,
    region: "us-west-2",
    forcePathStyle: true,
    credentials: { ...S3RVER_CREDENTIALS },
  });
}

async function listAll(from: BackupStore = store): Promise<StoredObject[]> {
  const all: StoredObject[] = [];
  for await (const page of from.list()) all.push(...page);
  return all.sort((a, b) => a.key.localeCompare(b.key));
}

/** Each DR object has its primary's size, ETag and bytes: copied, not rewritten. */
async function expectExactCopies(replica: StoredObject[]): Promise<void> {
  const primary = new Map((await listAll()).map((object) => [object.key, object]));
  for (const copy of replica) {
    const original = primary.get(copy.key);
    expect(original, copy.key).toBeDefined();
    expect({ size: copy.size, etag: copy.etag }, copy.key).toEqual({ size: original?.size, etag: original?.etag });
    expect(await hashObject(copy.key, drStore()), copy.key).toEqual(await hashObject(copy.key));
  }
}

async function hashObject(key: string, from: BackupStore = store): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of await from.read(key)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size };
}

async function readManifest(key: string): Promise<DumpManifest> {
  return JSON.parse((await store.readSmall(key, 64 * 1024)).toString("utf8")) as DumpManifest;
}

async function withDatabase<T>(database: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgUrl(database) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function tableCounts(database: string): Promise<Record<string, number>> {
  return withDatabase(database, async (client) => {
    const counts: Record<string, number> = {};
    for (const table of TABLES) {
      const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      counts[table] = rows[0]?.n ?? -1;
    }
    return counts;
  });
}

/** Runs a command with the demo password in its environment (never argv), feeding `input` to stdin. */
function run(command: string, args: string[], input?: Readable): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, PGPASSWORD: demo.env.DEMO_PG_PASSWORD },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // `pg_restore --list` stops reading after the table of contents: its exit code is what counts.
    child.stdin.on("error", () => undefined);
    child.on("error", reject);
    child.on("close", (code) => {
      input?.destroy();
      resolve({ code, stdout, stderr });
    });
    if (input) input.pipe(child.stdin);
    else child.stdin.end();
  });
}

async function createDatabase(name: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
}

async function readMarker(): Promise<SeedMarker> {
  return JSON.parse(await readFile(path.join(tempDir, "demo", "seeded.json"), "utf8")) as SeedMarker;
}

/** Payments by id, as `database` holds them: tenant and amount (exact, as text). */
function paymentsOf(database: string): Promise<Map<number, { tenantId: number; amount: string }>> {
  return withDatabase(database, async (client) => {
    const { rows } = await client.query<{ id: number; tenant_id: number; amount: string }>(
      "SELECT id::int, tenant_id::int, amount::text FROM payments",
    );
    return new Map(rows.map((row) => [row.id, { tenantId: row.tenant_id, amount: row.amount }]));
  });
}

/** Payments whose tenant is not their loan's (or is missing): none, if the denormalized column is right. */
function paymentsOutsideTheirLoansTenant(database: string): Promise<number> {
  return withDatabase(database, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM payments p JOIN loans l ON l.id = p.loan_id WHERE p.tenant_id IS DISTINCT FROM l.tenant_id",
    );
    return rows[0]?.n ?? -1;
  });
}

/** The seven nights the demo dumps: the latest 02:00 UTC not after the seed, and the six before. */
function expectedNights(seededAt: Date): string[] {
  let latest = Date.UTC(seededAt.getUTCFullYear(), seededAt.getUTCMonth(), seededAt.getUTCDate(), 2);
  if (latest > seededAt.getTime()) latest -= DAY_MS;
  return [0, 1, 2, 3, 4, 5, 6].map((i) => new Date(latest - i * DAY_MS).toISOString().slice(0, 10));
}

describe("the demo environment", () => {
  let nights: string[];
  let seedLogged = false;

  beforeAll(async () => {
    tempDir = await mkdtemp(path.join(tmpdir(), "rc-demo-"));
    // The postgres user must be able to walk into its data folder below this one.
    await chmod(tempDir, 0o755);
    previousDataDir = process.env.RESTORE_CONSOLE_DATA_DIR;
    process.env.RESTORE_CONSOLE_DATA_DIR = tempDir;
    // Saved ports, so the demo never takes its fixed defaults from a run command or end-to-end test here.
    await mkdir(path.join(tempDir, "demo"));
    const ports = { s3: await freeLoopbackPort(), s3Dr: await freeLoopbackPort(), postgres: await freeLoopbackPort() };
    await writeFile(path.join(tempDir, "demo", "ports.json"), JSON.stringify(ports));
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void logLines.push(args.join(" ")));

    demo = await startDemoEnvironment();
    seedLogged = logLines.some((line) => line.includes("demo: seeding LoanServe data"));
    store = storeFor(demo);
    admin = new pg.Client({ connectionString: pgUrl("postgres") });
    await admin.connect();
    marker = await readMarker();
    nights = expectedNights(new Date(marker.seededAt));
  });

  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await demo?.stop();
    vi.restoreAllMocks();
    if (previousDataDir === undefined) delete process.env.RESTORE_CONSOLE_DATA_DIR;
    else process.env.RESTORE_CONSOLE_DATA_DIR = previousDataDir;
    await rm(tempDir, { recursive: true, force: true });
  });

  it("hands the app the settings its demo configuration reads, and logs no secret", async () => {
    expect(seedLogged).toBe(true);
    expect(demo.env).toEqual({
      DEMO_S3_ENDPOINT: demo.s3Endpoint,
      DEMO_S3_DR_ENDPOINT: demo.s3DrEndpoint,
      DEMO_PG_PORT: String(demo.productionPort),
      DEMO_PG_PASSWORD: expect.stringMatching(/^[\w-]{20,}$/),
      DEMO_RESTORE_PASSWORD: expect.stringMatching(/^[\w-]{20,}$/),
      DEMO_S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      DEMO_S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    });
    expect(demo.s3Endpoint).toBe(`http://127.0.0.1:${demo.s3Port}`);
    expect(demo.s3DrEndpoint).toBe(`http://127.0.0.1:${demo.s3DrPort}`);
    expect(demo.s3DrPort).not.toBe(demo.s3Port);
    const ports = JSON.parse(await readFile(path.join(tempDir, "demo", "ports.json"), "utf8")) as unknown;
    expect(ports).toEqual({ s3: demo.s3Port, s3Dr: demo.s3DrPort, postgres: demo.productionPort });
    expect(logLines.join("\n")).not.toContain(demo.env.DEMO_PG_PASSWORD);
    expect(logLines.join("\n")).not.toContain(demo.env.DEMO_RESTORE_PASSWORD);
    expect(demo.env.DEMO_RESTORE_PASSWORD).not.toBe(demo.env.DEMO_PG_PASSWORD);
  });

  it("returns the incident the bad migration caused, as the marker records it", () => {
    const startedAt = new Date(marker.badMigrationAt);
    expect(demo.incident).toEqual({
      title: DEMO_INCIDENT_TITLE,
      severity: "sev2",
      scope: DEMO_INCIDENT_SCOPE,
      startedAt,
      lastKnownGoodAt: new Date(startedAt.getTime() - 60_000),
    });
    expect(demo.incident.title).toBe("Payments for tenant 4 deleted by a bad migration");
    expect(demo.incident.scope).toContain("tenant_id = 4");
    expect(marker).toMatchObject({
      version: SEED_VERSION,
      database: "loanserve",
      badMigration: { name: BAD_MIGRATION_NAME, tenantId: 4, deleted: expect.any(Number), damaged: expect.any(Number) },
    });
    // After the seed and every nightly dump, before now.
    expect(startedAt.getTime()).toBeGreaterThan(Date.parse(marker.seededAt));
    expect(startedAt.getTime()).toBeGreaterThan(Date.parse(`${nights[0]}T02:00:00Z`));
    expect(startedAt.getTime()).toBeLessThanOrEqual(Date.now());
    const { deleted, damaged, tenantId } = marker.badMigration;
    expect(logLines).toContain(`demo: bad migration deleted ${deleted} and damaged ${damaged} payments of tenant ${tenantId}`);
  });

  it("archives WAL continuously", async () => {
    const { rows: settings } = await admin.query<{ wal_level: string; archive_mode: string }>(
      "SELECT current_setting('wal_level') AS wal_level, current_setting('archive_mode') AS archive_mode",
    );
    expect(settings[0]).toEqual({ wal_level: "replica", archive_mode: "on" });
    // Some WAL of our own, so the switch has a segment to close.
    await admin.query("SELECT txid_current()");
    const { rows } = await admin.query<{ segment: string }>("SELECT pg_walfile_name(pg_switch_wal()) AS segment");
    const archived = path.join(tempDir, "demo", "wal-archive", rows[0]?.segment ?? "missing");
    await vi.waitFor(() => stat(archived), { timeout: 20_000, interval: 200 });
    // A whole segment, at the demo's 1 MB segment size.
    expect((await stat(archived)).size).toBe(1024 * 1024);
  });

  it("seeds a month of LoanServe data with activity every day and no orphans", async () => {
    const counts = await tableCounts("loanserve");
    expect(counts.tenants).toBe(6);
    expect(counts.users).toBeGreaterThanOrEqual(250);
    expect(counts.users).toBeLessThanOrEqual(350);
    expect(counts.loans).toBeGreaterThanOrEqual(5_000);
    expect(counts.loans).toBeLessThanOrEqual(7_000);
    // The seed's payments, less those the bad migration deleted.
    const seededPayments = (counts.payments ?? 0) + marker.badMigration.deleted;
    expect(seededPayments).toBeGreaterThanOrEqual(40_000);
    expect(seededPayments).toBeLessThanOrEqual(50_000);
    expect(counts.documents).toBeGreaterThanOrEqual(8_000);
    expect(counts.documents).toBeLessThanOrEqual(10_000);
    expect(counts.audit_logs).toBeGreaterThanOrEqual(55_000);
    expect(counts.audit_logs).toBeLessThanOrEqual(65_000);

    await withDatabase("loanserve", async (db) => {
      // The runbook's consistency query.
      const { rows: orphans } = await db.query<{ n: number }>(
        "SELECT COUNT(*)::int AS n FROM payments p LEFT JOIN loans l ON p.loan_id = l.id WHERE l.id IS NULL",
      );
      expect(orphans[0]?.n).toBe(0);

      // Payments carry their loan's tenant (NOT NULL, a foreign key to tenants, indexed).
      const { rows: column } = await db.query<{ not_null: boolean; references: string; indexed: boolean }>(
        `SELECT a.attnotnull AS not_null,
                (SELECT confrelid::regclass::text FROM pg_constraint
                  WHERE conrelid = 'payments'::regclass AND contype = 'f' AND conkey = ARRAY[a.attnum]) AS references,
                EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = 'payments' AND indexname = 'payments_tenant_id_idx') AS indexed
           FROM pg_attribute a WHERE a.attrelid = 'payments'::regclass AND a.attname = 'tenant_id'`,
      );
      expect(column).toEqual([{ not_null: true, references: "tenants", indexed: true }]);
      const { rows: perTenant } = await db.query<{ tenant_id: number }>("SELECT DISTINCT tenant_id::int FROM payments ORDER BY 1");
      expect(perTenant.map((row) => row.tenant_id)).toEqual([1, 2, 3, 4, 5, 6]);

      const { rows: span } = await db.query<{ oldest_days: number; future: number }>(
        `SELECT (extract(epoch FROM now() - min(created_at)) / 86400)::float8 AS oldest_days,
                count(*) FILTER (WHERE created_at > now())::int AS future
         FROM audit_logs`,
      );
      expect(span[0]?.oldest_days).toBeGreaterThan(29);
      expect(span[0]?.oldest_days).toBeLessThan(31);
      expect(span[0]?.future).toBe(0);

      // The runbook's "recent activity" query, by UTC day: each of the last seven full days has rows.
      const { rows: days } = await db.query<{ day: string; n: number }>(
        `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n
         FROM audit_logs WHERE created_at >= now() - interval '8 days' GROUP BY 1`,
      );
      const perDay = new Map(days.map((row) => [row.day, row.n]));
      for (let daysAgo = 1; daysAgo <= 7; daysAgo++) {
        const day = new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);
        expect(perDay.get(day) ?? 0, day).toBeGreaterThan(500);
      }
    });
    expect(await paymentsOutsideTheirLoansTenant("loanserve")).toBe(0);
  });

  it("writes seven nightly dumps: good, corrupt, manifest-less and custom-format", async () => {
    const [newest, twoAgo, threeAgo, fourAgo, fiveAgo, sixAgo, sevenAgo] = nights;
    const dumpFile = (night: string | undefined, ext: string) => `prod/pg/${night}.${ext}`;
    const expectedDumps = [
      dumpFile(newest, "sql.gz"),
      dumpFile(twoAgo, "dump"),
      dumpFile(threeAgo, "sql.gz"),
      dumpFile(fourAgo, "sql.gz"),
      dumpFile(fiveAgo, "sql.gz"),
      dumpFile(sixAgo, "sql.gz"),
      dumpFile(sevenAgo, "sql.gz"),
    ];
    const withManifest = [newest, twoAgo, threeAgo, fourAgo, sixAgo, sevenAgo].map((night) => `prod/pg/${night}.manifest.json`);
    const keys = (await listAll()).map((object) => object.key);
    expect(keys).toEqual([...expectedDumps, ...withManifest].sort());

    const production = await tableCounts("loanserve");
    let previousLoans = Infinity;
    for (const [index, night] of nights.entries()) {
      const dumpKey = expectedDumps[index] ?? "";
      const actual = await hashObject(dumpKey);
      expect(actual.size).toBe((await store.stat(dumpKey))?.size);
      if (night === fiveAgo) continue;

      const manifest = await readManifest(`prod/pg/${night}.manifest.json`);
      expect(manifest).toMatchObject({
        file: path.posix.basename(dumpKey),
        size: actual.size,
        created_at: `${night}T02:00:00.000Z`,
        source_database: "loanserve",
        format: night === twoAgo ? "custom" : "plain",
        pg_version: expect.stringMatching(/^\d+\.\d+/),
      });
      expect(/^[0-9a-f]{64}$/.test(manifest.sha256)).toBe(true);
      if (night === threeAgo) expect(manifest.sha256).not.toBe(actual.sha256);
      else expect(manifest.sha256).toBe(actual.sha256);

      // Each night holds the data as it stood then: never more than today, less the further back.
      expect(Object.keys(manifest.tables).sort()).toEqual([...TABLES].sort());
      // The source's count for the orphaned-payments check (the demo's data has none).
      expect(manifest.checks).toEqual({ orphaned_payments: 0 });
      // The roles the dump's OWNER TO and GRANT lines name, for the plan's missing-roles warning.
      expect(manifest.roles).toEqual(["loanserve", "reporting"]);
      // (Production has lost the payments the bad migration deleted since.)
      const today: Record<string, number> = { ...production, payments: (production.payments ?? 0) + marker.badMigration.deleted };
      for (const table of TABLES) expect(manifest.tables[table]).toBeLessThanOrEqual(today[table] ?? 0);
      expect(manifest.tables.loans).toBeLessThan(previousLoans);
      expect(manifest.tables.loans).toBeGreaterThan(0);
      previousLoans = manifest.tables.loans;
    }
  });

  it("replicates the nightly dumps to the DR region byte for byte, all but one never copied and one that arrives late", async () => {
    const [, twoAgo, , fourAgo] = nights;
    const late = [`prod/pg/${twoAgo}.dump`, `prod/pg/${twoAgo}.manifest.json`];
    const missing = [`prod/pg/${fourAgo}.sql.gz`, `prod/pg/${fourAgo}.manifest.json`];
    const primaryKeys = (await listAll()).map((object) => object.key);
    const replica = await listAll(drStore());
    expect(replica.map((object) => object.key)).toEqual(primaryKeys.filter((key) => !late.includes(key) && !missing.includes(key)));
    expect(replica).toHaveLength(9);
    // Same size and ETag (what the catalog compares a replica by), same bytes: the corrupt manifest too.
    await expectExactCopies(replica);
    expect(marker.dumps.map((dump) => [path.posix.basename(dump.key), dump.replica])).toEqual(
      nights
        .map((night, index) => [`${night}.${index === 1 ? "dump" : "sql.gz"}`, index === 1 ? "late" : index === 3 ? "missing" : "copied"])
        .reverse(),
    );
    expect(logLines).toContain(`demo: prod/pg/${twoAgo}.dump will reach the DR replica in ${LATE_REPLICA_AFTER_MS / 60_000} min`);
    // The app's demo configuration reads it as the demo environment's replica.
    const saved = { ...process.env };
    Object.assign(process.env, demo.env);
    try {
      expect(demoConfig().environments[0]?.backupReplicas).toEqual([
        {
          name: "dr",
          label: "us-west-2 (DR, demo)",
          store: expect.objectContaining({ kind: "s3", bucket: "loanserve-backups-dr", prefix: "prod/pg/", endpoint: demo.s3DrEndpoint }),
        },
      ]);
    } finally {
      process.env = saved;
    }
  });

  it("delivers the late dump to the DR replica that long after a start, never the missing one", async () => {
    const [, twoAgo, , fourAgo] = nights;
    await admin.end();
    await demo.stop();
    logLines.length = 0;
    demo = await startDemoEnvironment({ lateReplicaAfterMs: 2_000 });
    store = storeFor(demo);
    admin = new pg.Client({ connectionString: pgUrl("postgres") });
    await admin.connect();
    expect(await drStore().stat(`prod/pg/${twoAgo}.dump`)).toBeNull();
    expect(logLines).toContain(`demo: prod/pg/${twoAgo}.dump will reach the DR replica in 2 s`);

    await vi.waitFor(() => expect(logLines).toContain(`demo: the DR replica received prod/pg/${twoAgo}.dump, late`), {
      timeout: 30_000,
      interval: 200,
    });
    const replica = await listAll(drStore());
    expect(replica.map((object) => object.key)).toEqual(
      expect.arrayContaining([`prod/pg/${twoAgo}.dump`, `prod/pg/${twoAgo}.manifest.json`]),
    );
    expect(replica.map((object) => object.key)).not.toContain(`prod/pg/${fourAgo}.sql.gz`);
    expect(replica).toHaveLength(11);
    await expectExactCopies(replica);
    // Later than the primary's by about the delay: the lag the replica's health shows.
    const primaryDump = await store.stat(`prod/pg/${twoAgo}.dump`);
    const copy = replica.find((object) => object.key === `prod/pg/${twoAgo}.dump`);
    expect((copy?.lastModified.getTime() ?? 0) - (primaryDump?.lastModified.getTime() ?? 0)).toBeGreaterThanOrEqual(2_000);

    // Arrived: a later start has nothing to deliver.
    await admin.end();
    await demo.stop();
    logLines.length = 0;
    demo = await startDemoEnvironment({ lateReplicaAfterMs: 0 });
    store = storeFor(demo);
    admin = new pg.Client({ connectionString: pgUrl("postgres") });
    await admin.connect();
    expect(logLines.some((line) => line.includes("DR replica"))).toBe(false);
  }, 120_000);

  it("stops only the primary store while the app's outage flag is up, and a start ends the outage", async () => {
    // Where the app's switch raises it (lib/demo/simulated-outage.ts).
    const flag = path.join(demoRoot(), DEMO_S3_FOLDERS.primary, SIMULATED_OUTAGE_FLAG);
    expect(flag).toBe(path.join(tempDir, "demo", "s3", ".simulated-outage"));
    await writeFile(flag, "");
    await vi.waitFor(() => expect(logLines).toContain("demo: simulated outage: the primary S3 server refuses every connection"), {
      timeout: 5_000,
      interval: 50,
    });
    await expect(store.stat(`prod/pg/${nights[0]}.sql.gz`)).rejects.toBeInstanceOf(BackupStoreError);
    expect(await drStore().stat(`prod/pg/${nights[0]}.sql.gz`)).not.toBeNull();

    await rm(flag);
    await vi.waitFor(() => expect(logLines).toContain("demo: the simulated outage is over: the primary S3 server answers"), {
      timeout: 5_000,
      interval: 50,
    });
    expect(await store.stat(`prod/pg/${nights[0]}.sql.gz`)).not.toBeNull();

    // Left on when the demo stops: the next start ends it, on the same port.
    await writeFile(flag, "");
    await vi.waitFor(() => expect(store.stat(`prod/pg/${nights[0]}.sql.gz`)).rejects.toBeInstanceOf(BackupStoreError), {
      timeout: 5_000,
      interval: 50,
    });
    const port = demo.s3Port;
    await admin.end();
    await demo.stop();
    logLines.length = 0;
    demo = await startDemoEnvironment();
    store = storeFor(demo);
    admin = new pg.Client({ connectionString: pgUrl("postgres") });
    await admin.connect();
    expect(logLines).toContain("demo: the simulated primary region outage of the last run is over");
    await expect(stat(flag)).rejects.toThrow();
    expect(demo.s3Port).toBe(port);
    expect(await store.stat(`prod/pg/${nights[0]}.sql.gz`)).not.toBeNull();
  }, 120_000);

  it("writes the custom-format dump so pg_restore can read and restore it", async () => {
    const key = `prod/pg/${nights[1]}.dump`;
    const manifest = await readManifest(`prod/pg/${nights[1]}.manifest.json`);
    const list = await run("pg_restore", ["--list"], await store.read(key));
    expect(list.code, list.stderr).toBe(0);
    for (const table of TABLES) expect(list.stdout).toMatch(new RegExp(`TABLE DATA public ${table} `));

    await createDatabase("restored_custom");
    const restore = await run(
      "pg_restore",
      [
        "--no-owner",
        "--exit-on-error",
        "--host",
        "127.0.0.1",
        "--port",
        String(demo.productionPort),
        "--username",
        "postgres",
        "--dbname",
        "restored_custom",
      ],
      await store.read(key),
    );
    expect(restore.code, restore.stderr).toBe(0);
    expect(await tableCounts("restored_custom")).toEqual(manifest.tables);
  });

  it("restores the newest plain dump with gunzip | psql, matching its manifest", async () => {
    const night = nights[0] ?? "";
    const manifest = await readManifest(`prod/pg/${night}.manifest.json`);
    await createDatabase("restored_plain");
    const restore = await run(
      "bash",
      [
        "-c",
        'set -o pipefail; gunzip -c | psql -X -q -v ON_ERROR_STOP=1 -o /dev/null -h 127.0.0.1 -p "$1" -U postgres -d restored_plain',
        "restore",
        String(demo.productionPort),
      ],
      await store.read(`prod/pg/${night}.sql.gz`),
    );
    expect(restore.code, restore.stderr).toBe(0);

    const { rows } = await withDatabase("restored_plain", (client) =>
      client.query<{ loans: number; latest: Date }>("SELECT count(*)::int AS loans, max(created_at) AS latest FROM loans"),
    );
    expect(rows[0]?.loans).toBe(manifest.tables.loans);
    expect(rows[0]?.latest.getTime()).toBeLessThanOrEqual(Date.parse(`${night}T02:00:00Z`));
    expect(await tableCounts("restored_plain")).toEqual(manifest.tables);
  });

  it("runs the bad migration after the dumps: last night's dump holds tenant 4's payments, production lost most and has the rest damaged", async () => {
    const night = nights[0] ?? "";
    await createDatabase("restored_incident");
    const restore = await run(
      "bash",
      [
        "-c",
        'set -o pipefail; gunzip -c | psql -X -q -v ON_ERROR_STOP=1 -o /dev/null -h 127.0.0.1 -p "$1" -U postgres -d restored_incident',
        "restore",
        String(demo.productionPort),
      ],
      await store.read(`prod/pg/${night}.sql.gz`),
    );
    expect(restore.code, restore.stderr).toBe(0);
    try {
      expect(await paymentsOutsideTheirLoansTenant("restored_incident")).toBe(0);
      const dumped = await paymentsOf("restored_incident");
      const live = await paymentsOf("loanserve");

      // Tenant 4 had plenty of payments by last night's 02:00.
      const tenant4 = [...dumped].filter(([, row]) => row.tenantId === 4);
      expect(tenant4.length).toBeGreaterThan(1_000);
      const missing = tenant4.filter(([id]) => !live.has(id));
      const changed = tenant4.filter(([id, row]) => live.has(id) && live.get(id)?.amount !== row.amount);
      // Every one of them is either gone or changed: missing those whose id is not a multiple of
      // 10, the others with an amount 100 times the dump's (a unit-conversion bug).
      expect(missing.length + changed.length).toBe(tenant4.length);
      expect(missing.every(([id]) => id % 10 !== 0)).toBe(true);
      expect(changed.every(([id]) => id % 10 === 0)).toBe(true);
      for (const [id, row] of changed) {
        expect(live.get(id), `payment ${id}`).toEqual({ tenantId: 4, amount: (Number(row.amount) * 100).toFixed(2) });
      }
      // Most are missing, some are changed.
      expect(missing.length).toBeGreaterThan(tenant4.length * 0.8);
      expect(changed.length).toBeGreaterThan(0);
      // The marker's counts also cover tenant 4's payments made after last night's dump.
      expect(marker.badMigration.deleted).toBeGreaterThanOrEqual(missing.length);
      expect(marker.badMigration.damaged).toBeGreaterThanOrEqual(changed.length);
      await withDatabase("loanserve", async (db) => {
        const { rows } = await db.query<{ left: number; not_deleted: number }>(
          `SELECT count(*)::int AS left, count(*) FILTER (WHERE id % 10 <> 0)::int AS not_deleted
             FROM payments WHERE tenant_id = 4 AND created_at <= $1`,
          [marker.badMigrationAt],
        );
        expect(rows[0]).toEqual({ left: marker.badMigration.damaged, not_deleted: 0 });
      });

      // Every other tenant's payments in the dump are in production as they were.
      const others = [...dumped].filter(([, row]) => row.tenantId !== 4);
      expect(others.length).toBeGreaterThan(20_000);
      expect(others.filter(([id, row]) => live.get(id)?.amount !== row.amount || live.get(id)?.tenantId !== row.tenantId)).toEqual([]);
    } finally {
      await admin.query("DROP DATABASE IF EXISTS restored_incident WITH (FORCE)");
    }
  });

  it("restores like a managed database: a user that is not a superuser, through the loader, keeping owners and grants", async () => {
    const { rows } = await admin.query(
      `SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin,
              pg_has_role('restore_admin', 'loanserve', 'MEMBER') AS acts_for_owner,
              pg_has_role('restore_admin', 'pg_signal_backend', 'MEMBER') AS may_end_sessions
         FROM pg_roles WHERE rolname = 'restore_admin'`,
    );
    expect(rows).toEqual([
      { rolsuper: false, rolcreatedb: true, rolcreaterole: true, rolcanlogin: true, acts_for_owner: true, may_end_sessions: true },
    ]);
    const targets = demoConfig().environments[0]?.restoreTargets ?? [];
    expect(targets.map((t) => [t.user, t.passwordFrom, t.ownerRole])).toEqual([
      ["restore_admin", { env: "DEMO_RESTORE_PASSWORD" }, "loanserve"],
      ["restore_admin", { env: "DEMO_RESTORE_PASSWORD" }, "loanserve"],
      ["restore_admin", { env: "DEMO_RESTORE_PASSWORD" }, "loanserve"],
    ]);
    // "Production" is owned by the application role, as the dumps record.
    expect(await ownership("loanserve")).toEqual(OWNED_BY_LOANSERVE);

    for (const [night, format] of [
      [nights[0], "plain-gzip"],
      [nights[1], "custom"],
    ] as const) {
      const manifest = await readManifest(`prod/pg/${night}.manifest.json`);
      const key = `prod/pg/${manifest.file}`;
      const scratch = `lp_restore_${format.replace("-", "_")}`;
      const runId = randomUUID();
      const result = await loadIntoScratch({
        admin: restoreAdmin(),
        runId,
        scratchDatabase: scratch,
        like: "loanserve",
        owner: "loanserve",
        format,
        open: (signal) => store.read(key, { signal }),
        expectedSha256: manifest.sha256,
        totalBytes: manifest.size,
      });
      try {
        expect(result.loader).toBe(loaderRoleName(runId));
        expect(result.guard.missingRoles).toEqual([]);
        if (format === "plain-gzip") expect(result.guard.ownerChangesSkipped).toBeGreaterThan(0);
        expect(await tableCounts(scratch)).toEqual(manifest.tables);
        expect(await ownership(scratch)).toEqual(OWNED_BY_LOANSERVE);
        const { rows: loaders } = await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [result.loader]);
        expect(loaders).toEqual([]);
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
      }
    }
  });

  it("leaves no dump object, manifest or clone behind when pg_dump fails half-way", async () => {
    // A night no other test uses, so the keys are fresh.
    const night = new Date(Date.now() + 2 * DAY_MS);
    const date = night.toISOString().slice(0, 10);
    let terminated = 0;
    const interrupting: BackupStore = {
      location: store.location,
      prefix: store.prefix,
      list: (options) => store.list(options),
      stat: (key) => store.stat(key),
      read: (key, options) => store.read(key, options),
      readSmall: (key, maxBytes) => store.readSmall(key, maxBytes),
      write: (key, body) => {
        if (Buffer.isBuffer(body)) return store.write(key, body);
        // Once the first bytes arrive, kill pg_dump's server session mid-dump.
        async function* cutOff(source: Readable) {
          for await (const chunk of source) {
            if (!terminated) {
              const { rows } = await admin.query<{ n: number }>(
                "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'pg_dump'",
              );
              terminated = rows[0]?.n ?? 0;
            }
            yield chunk as Buffer;
          }
        }
        return store.write(key, Readable.from(cutOff(body)));
      },
    };
    await expect(
      createNightlyDump({ sourceUrl: pgUrl("postgres"), store: interrupting, night, format: "plain", database: "loanserve" }),
    ).rejects.toThrow(/pg_dump of \S+ failed/);
    expect(terminated).toBe(1);
    expect(await store.stat(`prod/pg/${date}.sql.gz`)).toBeNull();
    expect(await store.stat(`prod/pg/${date}.manifest.json`)).toBeNull();
    const { rows } = await admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE 'loanserve\\_night\\_%'",
    );
    expect(rows[0]?.n).toBe(0);
  });

  it("stops a point-in-time-restored server still running when it stops (Ctrl-C), keeping the run's folder", async () => {
    // The app's own demo configuration, as the worker reads it: the restore lands where stop() looks.
    const saved = { ...process.env };
    Object.assign(process.env, demo.env);
    try {
      const source = demoConfig().environments[0]?.pitr;
      if (source?.provider !== "local") throw new Error("the demo's PITR source is local");
      const provider = new LocalPitrProvider(source);
      const runId = randomUUID();
      await provider.restore(runId, { kind: "latest" });
      const endpoint = await provider.waitUntilAvailable(runId, { timeoutMs: 60_000 });
      const [folder] = provider.resourceIdentifiers(runId);
      const pidFile = path.join(folder ?? "", "data", "postmaster.pid");
      await expect(stat(pidFile)).resolves.toBeTruthy();

      await admin.end();
      await demo.stop();
      // pg_ctl stop -w returned: the server is down (its pid file gone, its port refusing).
      await expect(stat(pidFile)).rejects.toThrow();
      await expect(stat(path.join(folder ?? "", "data", "PG_VERSION"))).resolves.toBeTruthy();
      const probe = new pg.Client({
        host: endpoint.host,
        port: endpoint.port,
        user: endpoint.user,
        database: endpoint.database,
        password: demo.env.DEMO_PG_PASSWORD,
        connectionTimeoutMillis: 2_000,
      });
      await expect(probe.connect()).rejects.toThrow();

      demo = await startDemoEnvironment();
      store = storeFor(demo);
      admin = new pg.Client({ connectionString: pgUrl("postgres") });
      await admin.connect();
      await provider.cleanup(runId, { finalSnapshot: false });
    } finally {
      process.env = saved;
    }
  }, 120_000);

  it("starts again after stop() without reseeding, on the same ports, with the same data and dumps", async () => {
    const before = {
      counts: await tableCounts("loanserve"),
      objects: await listAll(),
      marker: await readFile(path.join(tempDir, "demo", "seeded.json"), "utf8"),
      ports: { s3: demo.s3Port, postgres: demo.productionPort },
      incident: demo.incident,
    };
    await admin.end();
    await demo.stop();
    await expect(tableCounts("loanserve")).rejects.toThrow();

    logLines.length = 0;
    const started = Date.now();
    demo = await startDemoEnvironment();
    console.info(`second startDemoEnvironment(): ${Date.now() - started} ms`);
    expect(logLines.some((line) => /seeding|nightly dump|bad migration/.test(line))).toBe(false);
    // The incident the first start returned, read back from the marker.
    expect(demo.incident).toEqual(before.incident);
    expect({ s3: demo.s3Port, postgres: demo.productionPort }).toEqual(before.ports);

    store = storeFor(demo);
    admin = new pg.Client({ connectionString: pgUrl("postgres") });
    await admin.connect();
    expect(await tableCounts("loanserve")).toEqual(before.counts);
    expect(await listAll()).toEqual(before.objects);
    expect(await readFile(path.join(tempDir, "demo", "seeded.json"), "utf8")).toBe(before.marker);
  });

  it("brings a data folder from before least-privilege mode up to it when it starts", async () => {
    // What the previous version left: everything owned by postgres, no restore user, no grant to
    // reporting, and a copy an earlier restore kept (made as postgres).
    const leftover = "loanserve_before_restore_20260101t020000z";
    await withDatabase("loanserve", async (db) => {
      for (const table of TABLES) await db.query(`ALTER TABLE ${table} OWNER TO postgres`);
      await db.query("REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM reporting");
    });
    await admin.query("ALTER DATABASE loanserve OWNER TO postgres");
    await admin.query(`CREATE DATABASE ${leftover} TEMPLATE loanserve STRATEGY FILE_COPY`);
    await admin.query("DROP ROLE restore_admin");
    await admin.end();
    await demo.stop();

    demo = await startDemoEnvironment();
    store = storeFor(demo);
    admin = new pg.Client({ connectionString: pgUrl("postgres") });
    await admin.connect();
    const { rows } = await admin.query("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'restore_admin'");
    expect(rows).toEqual([{ rolsuper: false, rolcreatedb: true, rolcreaterole: true }]);
    expect(await ownership("loanserve")).toEqual(OWNED_BY_LOANSERVE);
    expect(await ownership(leftover)).toEqual(OWNED_BY_LOANSERVE);
    // So the restore user can clean the old copy up, as the console's clean-up does.
    const { host, port, user, password } = restoreAdmin().connection;
    const client = new pg.Client({ host, port, user, password, database: "postgres" });
    await client.connect();
    try {
      await client.query(`DROP DATABASE ${leftover}`);
    } finally {
      await client.end();
    }
  });

  it("seeds again from scratch a data folder seeded by an earlier version (a marker without a version)", async () => {
    // What the version before payments.tenant_id left: its schema, and a marker with no version.
    await withDatabase("loanserve", (db) => db.query("ALTER TABLE payments DROP COLUMN tenant_id"));
    const markerFile = path.join(tempDir, "demo", "seeded.json");
    const { seededAt, database, dumps } = await readMarker();
    await writeFile(markerFile, `${JSON.stringify({ seededAt, database, dumps }, null, 2)}\n`);
    await admin.end();
    await demo.stop();

    logLines.length = 0;
    demo = await startDemoEnvironment();
    store = storeFor(demo);
    admin = new pg.Client({ connectionString: pgUrl("postgres") });
    await admin.connect();
    expect(logLines).toContain("demo: the demo data was made by an earlier version; seeding it again");
    expect(logLines).toContain("demo: seeding LoanServe data…");
    const reseeded = await readMarker();
    expect(reseeded.version).toBe(SEED_VERSION);
    expect(Date.parse(reseeded.seededAt)).toBeGreaterThan(Date.parse(seededAt));
    const { deleted, damaged } = reseeded.badMigration;
    expect(logLines).toContain(`demo: bad migration deleted ${deleted} and damaged ${damaged} payments of tenant 4`);
    expect(demo.incident.startedAt).toEqual(new Date(reseeded.badMigrationAt));
    // The new schema, and the bad migration's damage on it.
    expect(await paymentsOutsideTheirLoansTenant("loanserve")).toBe(0);
    const { rows } = await withDatabase("loanserve", (db) =>
      db.query<{ n: number }>("SELECT count(*)::int AS n FROM payments WHERE tenant_id = 4 AND id % 10 <> 0 AND created_at <= $1", [
        reseeded.badMigrationAt,
      ]),
    );
    expect(rows[0]?.n).toBe(0);
    expect(deleted).toBeGreaterThan(1_000);
    expect((await listAll()).map((object) => object.key)).toHaveLength(13);
    // The replica starts again too: the late dump is not there yet.
    expect(await listAll(drStore())).toHaveLength(9);
  });

  it("reseeds from scratch when an earlier first run died before finishing", async () => {
    // What a crash mid-seed leaves: a half-filled database, a stray object, no marker.
    await withDatabase("loanserve", (db) => db.query("INSERT INTO tenants (name, slug) VALUES ('Half Seeded', 'half-seeded')"));
    await store.write("prod/pg/2001-01-01.sql.gz", Buffer.from("partial"));
    await admin.end();
    await demo.stop();
    await rm(path.join(tempDir, "demo", "seeded.json"));

    logLines.length = 0;
    demo = await startDemoEnvironment();
    expect(logLines.some((line) => line.includes("demo: seeding LoanServe data"))).toBe(true);
    store = storeFor(demo);
    admin = new pg.Client({ connectionString: pgUrl("postgres") });
    await admin.connect();
    const { rows } = await withDatabase("loanserve", (db) =>
      db.query<{ n: number }>("SELECT count(*)::int AS n FROM tenants WHERE slug = 'half-seeded'"),
    );
    expect(rows[0]?.n).toBe(0);
    expect((await tableCounts("loanserve")).tenants).toBe(6);
    const keys = (await listAll()).map((object) => object.key);
    expect(keys).not.toContain("prod/pg/2001-01-01.sql.gz");
    expect(keys).toHaveLength(13);
    await expect(stat(path.join(tempDir, "demo", "seeded.json"))).resolves.toBeTruthy();
  });
});
