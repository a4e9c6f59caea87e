/**
 * npm run bench:restore — the product's restore, with the statement guard and the least-privilege
 * loader on, alone and as a whole run through the restore engine, against the runbook's
 * `gunzip -c dump.sql.gz | psql`, measured in one run here; and how right the run's ETA was.
 *
 * Starts its own PostgreSQL cluster (password authentication) and S3-protocol server in a
 * temporary folder and generates LoanServe with its real schema (scripts/lib/demo: primary keys,
 * foreign keys, unique and secondary indexes, checks), owned by the application role `loanserve`
 * and readable by `reporting`, sized so its plain dump is BENCH_SQL_MB (default 320) MB of SQL.
 * The dump therefore carries what a real one does: COPY data, then index and foreign-key builds,
 * OWNER TO and GRANT lines. The plain dump gets a manifest (sha256, size, row counts, roles) as a
 * nightly one has. For the engine, a second cluster holds the app's own database (migrated, pg-boss
 * schema installed), and a configuration file names one environment whose store is the S3 server
 * and whose target is LoanServe's database on the first cluster, reached as `restore_admin`; the
 * catalog is refreshed from the store once. Then BENCH_ROUNDS (default 3) rounds, rotating which
 * of (a), (b), (c) goes first:
 *   (a) baseline: `gunzip -c dump.sql.gz | psql -X -q -v ON_ERROR_STOP=1 -o /dev/null` from a local
 *       file, as the superuser, into an empty database created beforehand (the pipe alone is timed);
 *   (b) product:  loadIntoScratch() as `restore_admin` (LOGIN CREATEDB CREATEROLE, member of
 *       loanserve, not a superuser) from the S3 store: loader role and scratch database created,
 *       sha256 and end marker checked, statement guard, psql as the loader, everything handed to
 *       loanserve, loader dropped — all inside the timing;
 *   (c) engine:   a new-database logical run started with startLogicalRestore() (the verb the UI and
 *       API call) and run by the production worker (startWorker with the restore-run job, default
 *       settings: 1 s queue polling, 500 ms progress writes): queued → preflight → restore (the
 *       same loadIntoScratch) → validate (the built-in checks against the manifest) → rename. Timed
 *       from the app database: the run's created_at to the validate step's finished_at, so the
 *       queue wait, every step and the engine's bookkeeping between them are inside, the rename
 *       after it is not. Meanwhile the run's `progress` events are polled; at the first report at
 *       or past 25, 50 and 75 % of the dump's bytes the predicted end of the restore step (the
 *       report's time + its etaMs) is kept, and compared afterwards with the step's real end.
 * Every copy is checked (row counts of every table; except for (a), the hand-over to loanserve) and dropped.
 * Also, for the custom-format dump, the same loadIntoScratch() with pg_restore -j 1 against -j 2.
 * Each product run and each engine run (worker included) happens in a child process, so its peak
 * RSS can be read (goal: flat, < 300 MB); the engine child's startup is outside its timing.
 * Last, where the Node side of the plain path spends its time: the guard alone against gunzip alone.
 */
import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { createGunzip, createGzip } from "node:zlib";
import pg from "pg";
import { stringify } from "yaml";
import type { SessionUser } from "@/lib/auth/roles";
import { refreshCatalog } from "@/lib/backups/refresh-catalog";
import { backupStoreFor } from "@/lib/backups/store-for-environment";
import { resetConfigCache } from "@/lib/config/load-config";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { ConfigFileInput } from "@/lib/config/schema";
import { createDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { migrate } from "@/lib/db/migrate";
import { installJobSchema } from "@/lib/jobs/boss";
import { startWorker } from "@/lib/jobs/worker";
import { S3BackupStore, type S3StoreSettings } from "@/lib/providers/aws/s3-backup-store";
import type { AdminTarget } from "@/lib/providers/postgres/admin";
import { LocalCluster } from "@/lib/providers/postgres/cluster";
import { pgConnectionFromUrl, withPgEnv } from "@/lib/providers/postgres/connection";
import { loadIntoScratch } from "@/lib/providers/postgres/load-scratch";
import { listRoles } from "@/lib/providers/postgres/loader-role";
import { PlainDumpGuard } from "@/lib/providers/postgres/plain-dump-guard";
import type { RestoreDumpOptions } from "@/lib/providers/postgres/restore-dump";
import { findPgTool } from "@/lib/providers/postgres/tools";
import { PROGRESS_EVERY_MS } from "@/lib/restore/engine/drive-run";
import { restoreRunQueue } from "@/lib/restore/engine/queue";
import { startLogicalRestore } from "@/lib/restore/logical/start-logical-restore";
import { restoreRunJob } from "@/lib/restore/restore-run-job";
import type { RestoreProgressView } from "@/lib/restore/restore-run-views";
import { ORPHANED_PAYMENTS_MANIFEST_KEY, ORPHANED_PAYMENTS_SQL } from "@/lib/restore/validation/builtin-checks";
import {
  APP_OWNER_ROLE,
  applyLoanServeOwnership,
  ensureLoanServeRoles,
  REPORTING_ROLE,
  RESTORE_USER,
  rolesNamedByDump,
} from "@/scripts/lib/demo/loanserve-roles";
import type { DumpManifest } from "@/scripts/lib/demo/nightly-dump";
import { applyLoanServeSchema, seedLoanServe } from "@/scripts/lib/demo/seed-loanserve";
import { S3RVER_CREDENTIALS, startS3Server } from "@/scripts/lib/s3-server";

const execFileAsync = promisify(execFile);

const SQL_MB = Number(process.env.BENCH_SQL_MB ?? 320);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const JOBS = 2;
const MB = 1e6;
const TABLES = ["tenants", "users", "loans", "payments", "documents", "audit_logs"] as const;
const SOURCE = "bench_source";

/** What the parent hands a product-run child; the restore user's password travels apart, in PASSWORD_ENV. */
interface ChildJob {
  store: S3StoreSettings;
  key: string;
  sha256: string;
  size: number;
  format: RestoreDumpOptions["format"];
  jobs: number;
  admin: AdminTarget;
  scratchDatabase: string;
}

interface ChildResult {
  durationMs: number;
  maxRssMB: number;
  ownerChangesSkipped: number;
  missingRoles: string[];
}

const CHILD_ENV = "BENCH_RESTORE_CHILD_JOB";
const PASSWORD_ENV = "BENCH_RESTORE_PASSWORD";

// The engine run: one environment with one target, secrets in the variables the configuration names.
const ENGINE_CHILD_ENV = "BENCH_RESTORE_ENGINE_JOB";
const ENVIRONMENT = "bench";
const TARGET = "dr";
const TARGET_PASSWORD_ENV = "BENCH_TARGET_PASSWORD";
const S3_KEY_ENV = "BENCH_S3_KEY";
const S3_SECRET_ENV = "BENCH_S3_SECRET";
/** How often the engine child reads the run's status and new progress events. */
const ENGINE_POLL_MS = 200;
/** Shares of the dump's bytes at which the ETA is taken. */
const ETA_SHARES = [0.25, 0.5, 0.75] as const;

/** What the parent hands an engine-run child; the app's database, configuration and secrets travel in the environment. */
interface EngineJob {
  backupId: string;
  user: SessionUser;
  targetDatabase: string;
  newDatabase: string;
}

/** The first progress report at or past `share` of the dump's bytes, and what it predicted. */
interface EtaMark {
  share: number;
  /** When the worker computed the report (epoch ms). */
  at: number;
  etaMs: number;
  bytesRead: number;
  totalBytes: number;
}

interface StepTimes {
  startedAt: number;
  finishedAt: number;
}

interface EngineResult {
  runId: string;
  /** restore_runs.created_at (epoch ms). */
  createdAt: number;
  steps: Record<string, StepTimes>;
  marks: EtaMark[];
  progressReports: number;
  maxRssMB: number;
}

/** Child mode: one product restore, as the product's restore step runs it, then its wall time and peak RSS on stdout. */
async function productRun(job: ChildJob): Promise<void> {
  const store = S3BackupStore.fromSettings(job.store);
  const password = process.env[PASSWORD_ENV];
  const started = performance.now();
  const result = await loadIntoScratch({
    admin: { ...job.admin, connection: { ...job.admin.connection, ...(password ? { password } : {}) } },
    runId: randomUUID(),
    scratchDatabase: job.scratchDatabase,
    like: SOURCE,
    owner: APP_OWNER_ROLE,
    format: job.format,
    open: (signal) => store.read(job.key, { signal }),
    expectedSha256: job.sha256,
    totalBytes: job.size,
    jobs: job.jobs,
  });
  const out: ChildResult = {
    durationMs: performance.now() - started,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    ownerChangesSkipped: result.guard.ownerChangesSkipped,
    missingRoles: result.guard.missingRoles,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/**
 * Child mode: one engine run, as a person starts it and the production worker runs it. The worker
 * starts before the run is created (outside the timing); the run's status and progress events are
 * polled from the app database until it ends, then its times are read from there.
 */
async function engineRun(job: EngineJob): Promise<void> {
  const url = process.env.DATABASE_URL ?? "";
  const db = createDb(url);
  const worker = await startWorker({ connectionString: url, db, jobs: [restoreRunJob] });
  let out: EngineResult;
  try {
    const started = await startLogicalRestore({
      ctx: { db, user: job.user, requestId: randomUUID() },
      input: {
        backupId: job.backupId,
        targetName: TARGET,
        mode: "new-database",
        newDatabaseName: job.newDatabase,
        confirmation: job.targetDatabase,
      },
    });
    const runId = started.id;
    const marks: EtaMark[] = [];
    let lastEventId = 0n;
    let progressReports = 0;
    for (;;) {
      // The status first: once it is final, the events read after it include every progress report.
      const run = await db.restoreRun.findUniqueOrThrow({ where: { id: runId }, select: { status: true, error: true } });
      const events = await db.restoreRunEvent.findMany({
        where: { runId, type: "progress", id: { gt: lastEventId } },
        orderBy: { id: "asc" },
        select: { id: true, payload: true },
      });
      for (const event of events) {
        lastEventId = event.id;
        progressReports++;
        const view = event.payload as unknown as RestoreProgressView;
        if (view.step !== "restore" || view.etaMs === null || !view.totalBytes) continue;
        for (const share of ETA_SHARES) {
          if (view.bytesRead >= share * view.totalBytes && !marks.some((m) => m.share === share)) {
            marks.push({ share, at: Date.parse(view.at), etaMs: view.etaMs, bytesRead: view.bytesRead, totalBytes: view.totalBytes });
          }
        }
      }
      if (run.status !== "queued" && run.status !== "running") {
        if (run.status !== "succeeded") throw new Error(`the engine run ${runId} ended ${run.status}: ${run.error ?? "no error recorded"}`);
        break;
      }
      await sleep(ENGINE_POLL_MS);
    }
    const run = await db.restoreRun.findUniqueOrThrow({
      where: { id: runId },
      select: { createdAt: true, steps: { select: { name: true, startedAt: true, finishedAt: true } } },
    });
    const steps: Record<string, StepTimes> = {};
    for (const step of run.steps) {
      if (step.startedAt && step.finishedAt)
        steps[step.name] = { startedAt: step.startedAt.getTime(), finishedAt: step.finishedAt.getTime() };
    }
    out = { runId, createdAt: run.createdAt.getTime(), steps, marks, progressReports, maxRssMB: process.resourceUsage().maxRSS / 1024 };
  } finally {
    await worker.stop();
    await db.$disconnect();
  }
  // Last, so nothing the worker prints while stopping comes after the result line.
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** Runs this script again in child mode (`env` names the job) and returns the JSON of its last line of output. */
function runChild<T>(env: Record<string, string>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", import.meta.filename], {
      env: { ...process.env, ...env, NODE_NO_WARNINGS: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      const last = stdout.trim().split("\n").at(-1);
      if (code === 0 && last) resolve(JSON.parse(last) as T);
      else reject(new Error(`${what} failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}

/** An engine run's times (from the app database) and the ETA's error, for the summary. */
interface EngineFigures {
  /** Run created → validate step finished. */
  totalMs: number;
  /** Run created → preflight step started (the job in the queue, the worker claiming the run). */
  queueMs: number;
  preflightMs: number;
  restoreMs: number;
  validateMs: number;
  /** The rest: the engine's bookkeeping between the steps. */
  betweenMs: number;
  maxRssMB: number;
  progressReports: number;
  eta: EtaFigure[];
}

/** Times from the restore step's start. */
interface EtaFigure {
  share: number;
  /** The share of the dump's bytes read at that report (at or past `share`: reports come every PROGRESS_EVERY_MS). */
  readPercent: number;
  reportMs: number;
  predictedMs: number;
  actualMs: number;
  /** Predicted − actual: negative when the ETA promised an earlier end than came. */
  errorMs: number;
  errorPercent: number;
}

function engineFigures(result: EngineResult): EngineFigures {
  const step = (name: string): StepTimes => {
    const times = result.steps[name];
    if (!times) throw new Error(`engine run ${result.runId}: its ${name} step has no start and end`);
    return times;
  };
  const [preflight, restore, validate] = [step("preflight"), step("restore"), step("validate")];
  const duration = (t: StepTimes) => t.finishedAt - t.startedAt;
  const totalMs = validate.finishedAt - result.createdAt;
  const queueMs = preflight.startedAt - result.createdAt;
  const actualMs = duration(restore);
  return {
    totalMs,
    queueMs,
    preflightMs: duration(preflight),
    restoreMs: actualMs,
    validateMs: duration(validate),
    betweenMs: totalMs - queueMs - duration(preflight) - actualMs - duration(validate),
    maxRssMB: result.maxRssMB,
    progressReports: result.progressReports,
    eta: result.marks.map((mark) => {
      const predictedMs = mark.at + mark.etaMs - restore.startedAt;
      return {
        share: mark.share,
        readPercent: (mark.bytesRead / mark.totalBytes) * 100,
        reportMs: mark.at - restore.startedAt,
        predictedMs,
        actualMs,
        errorMs: predictedMs - actualMs,
        errorPercent: ((predictedMs - actualMs) / actualMs) * 100,
      };
    }),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const signed = (ms: number) => `${ms < 0 ? "−" : "+"}${seconds(Math.abs(ms))}`;
const percent = (value: number) => `${value < 0 ? "−" : "+"}${Math.abs(value).toFixed(0)} %`;
const list = (values: number[], format: (v: number) => string) => `[${values.map(format).join(", ")}]`;

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

const discard = () => new Writable({ highWaterMark: 1 << 20, write: (_chunk, _encoding, callback) => callback() });

/**
 * The dump's SQL through gunzip, and optionally the guard, into nothing (Node alone, no server).
 * CPU time as well as wall time: gunzip runs on libuv's pool while the guard runs on the main
 * thread, so on two free cores the wall time hides most of the guard's cost.
 */
async function timeSqlPass(gzFile: string, guard?: PlainDumpGuard): Promise<{ wallMs: number; cpuMs: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  await (guard ? pipeline(createReadStream(gzFile), gunzip, guard, discard()) : pipeline(createReadStream(gzFile), gunzip, discard()));
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

/** A client that outlives the cluster quietly when a failure stops it: the failure is what we report. */
async function connectedClient(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString });
  client.on("error", () => {});
  await client.connect();
  return client;
}

async function tableCounts(connectionString: string): Promise<Record<string, number>> {
  const client = await connectedClient(connectionString);
  try {
    const { rows } = await client.query<Record<string, number>>(
      `SELECT ${TABLES.map((t) => `(SELECT count(*) FROM ${t})::int AS ${t}`).join(", ")}`,
    );
    return rows[0] ?? {};
  } finally {
    await client.end();
  }
}

/** What the loader path must leave: the database and every table owned by the application role, the reporting grant kept. */
async function ownershipProblems(connectionString: string): Promise<string[]> {
  const client = await connectedClient(connectionString);
  try {
    const { rows } = await client.query<{ problem: string }>(
      `SELECT 'database owned by ' || pg_get_userbyid(datdba) AS problem FROM pg_database WHERE datname = current_database() AND pg_get_userbyid(datdba) <> $1
       UNION ALL SELECT tablename || ' owned by ' || tableowner FROM pg_tables WHERE schemaname = 'public' AND tableowner <> $1
       UNION ALL SELECT tablename || ' not readable by ' || $2 FROM pg_tables WHERE schemaname = 'public' AND NOT has_table_privilege($2, format('%I.%I', schemaname, tablename), 'SELECT')`,
      [APP_OWNER_ROLE, REPORTING_ROLE],
    );
    return rows.map((r) => r.problem);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(tmpdir(), "rc-bench-"));
  // Its own folder: LocalCluster hands it to the postgres user, who cannot enter our private one.
  const clusterDir = await mkdtemp(path.join(tmpdir(), "rc-bench-pg-"));
  const superPassword = randomBytes(24).toString("base64url");
  const restorePassword = randomBytes(24).toString("base64url");
  const cluster = await LocalCluster.open({ baseDir: clusterDir, password: superPassword, settings: { synchronous_commit: false } });
  let stopS3: (() => Promise<void>) | undefined;
  // The app's own database lives on a cluster of its own, as it would beside a production target.
  const appClusterDir = await mkdtemp(path.join(tmpdir(), "rc-bench-app-"));
  let appCluster: LocalCluster | undefined;
  try {
    await cluster.start();
    const { connection: superuser } = pgConnectionFromUrl(cluster.url());
    const admin = await connectedClient(cluster.url());
    const pgDump = await findPgTool("pg_dump");
    const { rows: version } = await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    console.log(
      `bench:restore — PostgreSQL ${version[0]?.v}, ${availableParallelism()} cores, target ${SQL_MB} MB of SQL, ${ROUNDS} rounds\n`,
    );

    // ---- roles and data --------------------------------------------------------------------
    await ensureLoanServeRoles(cluster.url(), { name: RESTORE_USER, password: restorePassword });
    const restoreAdmin: AdminTarget = {
      connection: { host: superuser.host, port: superuser.port, user: RESTORE_USER, sslMode: "disable" },
      maintenanceDatabase: "postgres",
    };
    const dumpSize = async (database: string) => {
      let bytes = 0;
      await withPgEnv(superuser, database, async (env) => {
        const child = spawn(pgDump, ["--no-password"], { env, stdio: ["ignore", "pipe", "inherit"] });
        for await (const chunk of child.stdout) bytes += (chunk as Buffer).length;
      });
      return bytes;
    };
    const seeded = async (database: string, scale: number) => {
      await admin.query(`CREATE DATABASE ${database}`);
      await applyLoanServeSchema(cluster.url(database));
      await seedLoanServe(cluster.url(database), { scale });
      await applyLoanServeOwnership(cluster.url(), database);
    };
    // Seeding is linear in the scale (six tenants aside): size it from a small sample's dump.
    const SAMPLE_SCALE = 1;
    await seeded("bench_sample", SAMPLE_SCALE);
    const scale = Math.max(0.05, (SAMPLE_SCALE * SQL_MB * MB) / (await dumpSize("bench_sample")));
    await admin.query("DROP DATABASE bench_sample");
    const generationStarted = performance.now();
    await seeded(SOURCE, scale);
    const sourceCounts = await tableCounts(cluster.url(SOURCE));
    const totalRows = Object.values(sourceCounts).reduce((a, b) => a + b, 0);
    console.log(
      `generated LoanServe at scale ${scale.toFixed(1)}: ${totalRows.toLocaleString("en")} rows in ${seconds(performance.now() - generationStarted)} ` +
        `(${TABLES.map((t) => `${t} ${sourceCounts[t]?.toLocaleString("en")}`).join(", ")})`,
    );

    // ---- dumps -----------------------------------------------------------------------------
    const gzFile = path.join(base, "dump.sql.gz");
    const customFile = path.join(base, "dump.dump");
    await withPgEnv(superuser, SOURCE, async (env) => {
      const child = spawn(pgDump, ["--no-password"], { env, stdio: ["ignore", "pipe", "inherit"] });
      const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
      await pipeline(child.stdout, createGzip({ level: 6 }), createWriteStream(gzFile));
      if ((await exited) !== 0) throw new Error("pg_dump (plain) failed");
      await execFileAsync(pgDump, ["--no-password", "--format=custom", "--file", customFile], { env });
    });
    const gzSize = (await stat(gzFile)).size;
    const customSize = (await stat(customFile)).size;

    // ---- S3-protocol store -----------------------------------------------------------------
    const s3 = await startS3Server({ directory: path.join(base, "s3"), buckets: ["bench"] });
    stopS3 = () => s3.stop();
    const storeSettings: S3StoreSettings = {
      bucket: "bench",
      prefix: "nightly/",
      endpoint: s3.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { ...S3RVER_CREDENTIALS },
    };
    const store = S3BackupStore.fromSettings(storeSettings);
    const gzKey = "nightly/2026-11-01.sql.gz";
    const customKey = "nightly/2026-11-01.dump";
    await store.write(gzKey, createReadStream(gzFile));
    await store.write(customKey, createReadStream(customFile));
    const gzSha = await sha256OfFile(gzFile);
    const customSha = await sha256OfFile(customFile);
    // The plain dump's manifest, as a nightly one has it: the engine's validation compares with its counts.
    const sourceClient = await connectedClient(cluster.url(SOURCE));
    const orphans = await sourceClient.query<{ orphaned_payments: string }>(ORPHANED_PAYMENTS_SQL).finally(() => sourceClient.end());
    const manifest: DumpManifest = {
      file: path.posix.basename(gzKey),
      sha256: gzSha,
      size: gzSize,
      created_at: new Date().toISOString(),
      pg_version: version[0]?.v ?? "",
      source_database: SOURCE,
      format: "plain",
      tables: Object.fromEntries(TABLES.map((t) => [t, sourceCounts[t] ?? 0])) as DumpManifest["tables"],
      checks: { [ORPHANED_PAYMENTS_MANIFEST_KEY]: Number(orphans.rows[0]?.orphaned_payments ?? 0) },
      roles: await rolesNamedByDump(cluster.url(SOURCE)),
    };
    await store.write(gzKey.replace(/\.sql\.gz$/, ".manifest.json"), Buffer.from(JSON.stringify(manifest)));

    // ---- the app: its database, configuration, catalog and a person to start runs ----------
    appCluster = await LocalCluster.open({ baseDir: appClusterDir, password: superPassword });
    await appCluster.start();
    const appAdmin = await connectedClient(appCluster.url());
    await appAdmin.query("CREATE DATABASE restore_console").finally(() => appAdmin.end());
    const appUrl = appCluster.url("restore_console");
    await migrate(appUrl);
    await installJobSchema(appUrl, [restoreRunQueue]);
    const configFile = path.join(base, "restore-console.yaml");
    const config: ConfigFileInput = {
      version: 1,
      defaultEnvironment: ENVIRONMENT,
      environments: [
        {
          name: ENVIRONMENT,
          protected: false,
          backupStore: {
            kind: "s3",
            bucket: storeSettings.bucket,
            prefix: storeSettings.prefix,
            endpoint: storeSettings.endpoint,
            region: storeSettings.region,
            forcePathStyle: true,
            accessKeyIdFrom: { env: S3_KEY_ENV },
            secretAccessKeyFrom: { env: S3_SECRET_ENV },
          },
          restoreTargets: [
            {
              name: TARGET,
              host: superuser.host,
              port: superuser.port,
              database: SOURCE,
              user: RESTORE_USER,
              passwordFrom: { env: TARGET_PASSWORD_ENV },
              sslMode: "disable",
            },
          ],
        },
      ],
    };
    await writeFile(configFile, stringify(config), { mode: 0o600 });
    // The app's settings, read here (catalog) and inherited by the engine children; secrets only in the environment.
    Object.assign(process.env, {
      DATABASE_URL: appUrl,
      NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
      RESTORE_CONSOLE_CONFIG: configFile,
      [S3_KEY_ENV]: S3RVER_CREDENTIALS.accessKeyId,
      [S3_SECRET_ENV]: S3RVER_CREDENTIALS.secretAccessKey,
      [TARGET_PASSWORD_ENV]: restorePassword,
    });
    resetConfigCache();
    const appDb = createDb(appUrl);
    let backupId: string;
    let operator: SessionUser;
    try {
      const environment = resolveEnvironment(ENVIRONMENT);
      await refreshCatalog({ ctx: systemCtx(appDb), input: { environment, store: await backupStoreFor(environment) } });
      backupId = (await appDb.backup.findFirstOrThrow({ where: { environment: ENVIRONMENT, key: gzKey }, select: { id: true } })).id;
      const user = await appDb.user.create({ data: { email: "bench@example.com", role: "operator" } });
      operator = { id: user.id, email: user.email, name: null, role: "operator" };
    } finally {
      await appDb.$disconnect();
    }

    // What the guard sees in the SQL (the same pass the diagnostics below time).
    const roles = await listRoles({ connection: superuser, maintenanceDatabase: "postgres" });
    const survey = new PlainDumpGuard({ existingRoles: roles });
    await timeSqlPass(gzFile, survey);
    const sqlBytes = survey.sqlBytes;
    console.log(
      `plain dump ${(sqlBytes / MB).toFixed(1)} MB of SQL (${survey.lines.toLocaleString("en")} lines, ${survey.rows.toLocaleString("en")} COPY rows, ` +
        `${survey.report.ownerChangesSkipped} OWNER TO), ${(gzSize / MB).toFixed(1)} MB gzipped; custom dump ${(customSize / MB).toFixed(1)} MB`,
    );
    console.log(`uploaded both to ${store.location}; restores run as ${RESTORE_USER} (not a superuser) through a per-run loader role\n`);

    // ---- rounds ----------------------------------------------------------------------------
    let scratchCount = 0;
    /** Checks every row arrived (and, for the product, the hand-over), then drops the copy and checkpoints. */
    const verifiedAndDropped = async (database: string, loaderPath: boolean) => {
      try {
        const counts = await tableCounts(cluster.url(database));
        for (const table of TABLES) {
          if (counts[table] !== sourceCounts[table])
            throw new Error(`${database}.${table} holds ${counts[table]} rows, the source ${sourceCounts[table]}`);
        }
        const problems = loaderPath ? await ownershipProblems(cluster.url(database)) : [];
        if (problems.length > 0) throw new Error(`${database} after the hand-over: ${problems.join("; ")}`);
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        // Each round starts without the previous one's dirty buffers to write out.
        await admin.query("CHECKPOINT");
      }
    };
    const baseline = async () => {
      const database = `bench_scratch_${++scratchCount}`;
      await admin.query(`CREATE DATABASE ${database}`);
      const durationMs = await withPgEnv(superuser, database, async (env) => {
        const started = performance.now();
        await execFileAsync(
          "bash",
          ["-c", 'set -o pipefail; gunzip -c "$1" | psql -X -q -v ON_ERROR_STOP=1 -o /dev/null', "bench", gzFile],
          { env },
        );
        return performance.now() - started;
      });
      await verifiedAndDropped(database, false);
      return durationMs;
    };
    const product = async (format: ChildJob["format"], jobs: number) => {
      const scratchDatabase = `bench_scratch_${++scratchCount}`;
      const custom = format === "custom";
      const job: ChildJob = {
        store: storeSettings,
        key: custom ? customKey : gzKey,
        sha256: custom ? customSha : gzSha,
        size: custom ? customSize : gzSize,
        format,
        jobs,
        admin: restoreAdmin,
        scratchDatabase,
      };
      const result = await runChild<ChildResult>(
        { [CHILD_ENV]: JSON.stringify(job), [PASSWORD_ENV]: restorePassword },
        "product run",
      ).catch(async (error: unknown) => {
        await admin.query(`DROP DATABASE IF EXISTS ${scratchDatabase} WITH (FORCE)`);
        throw error;
      });
      await verifiedAndDropped(scratchDatabase, true);
      return result;
    };
    const engine = async () => {
      const newDatabase = `bench_scratch_${++scratchCount}`;
      const job: EngineJob = { backupId, user: operator, targetDatabase: SOURCE, newDatabase };
      const result = await runChild<EngineResult>({ [ENGINE_CHILD_ENV]: JSON.stringify(job) }, "engine run").catch(
        async (error: unknown) => {
          await admin.query(`DROP DATABASE IF EXISTS ${newDatabase} WITH (FORCE)`);
          throw error;
        },
      );
      await verifiedAndDropped(newDatabase, true);
      return engineFigures(result);
    };

    // Round 1 must not pay for writing out the generated data, the dumps and the store's copies.
    await admin.query("CHECKPOINT");
    await execFileAsync("sync");
    const plain = { baseline: [] as number[], product: [] as number[], rss: [] as number[] };
    const custom = { j1: [] as number[], jN: [] as number[], rss: [] as number[] };
    const engineRuns: EngineFigures[] = [];
    let lastPlain: ChildResult | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate which variant goes first, so none always runs on a warmer cache.
      const steps = [
        async () => plain.baseline.push(await baseline()),
        async () => {
          const run = (lastPlain = await product("plain-gzip", JOBS));
          plain.product.push(run.durationMs);
          plain.rss.push(run.maxRssMB);
        },
        async () => engineRuns.push(await engine()),
      ];
      for (let i = 0; i < steps.length; i++) await steps[(round + i) % steps.length]?.();
      const customSteps = [
        async () => {
          const run = await product("custom", 1);
          custom.j1.push(run.durationMs);
          custom.rss.push(run.maxRssMB);
        },
        async () => {
          const run = await product("custom", JOBS);
          custom.jN.push(run.durationMs);
          custom.rss.push(run.maxRssMB);
        },
      ];
      for (const step of round % 2 === 0 ? customSteps : customSteps.reverse()) await step();
      console.log(
        `round ${round + 1}: baseline ${seconds(plain.baseline.at(-1) ?? NaN)}, product ${seconds(plain.product.at(-1) ?? NaN)}, ` +
          `engine ${seconds(engineRuns.at(-1)?.totalMs ?? NaN)} (restore step ${seconds(engineRuns.at(-1)?.restoreMs ?? NaN)}), ` +
          `custom -j 1 ${seconds(custom.j1.at(-1) ?? NaN)}, -j ${JOBS} ${seconds(custom.jN.at(-1) ?? NaN)}`,
      );
    }
    await admin.end();

    // ---- where the Node side's time goes (no server involved) ----------------------------------
    const gunzipOnly = { wall: [] as number[], cpu: [] as number[] };
    const withGuard = { wall: [] as number[], cpu: [] as number[] };
    for (let i = 0; i < 3; i++) {
      const plainPass = await timeSqlPass(gzFile);
      gunzipOnly.wall.push(plainPass.wallMs);
      gunzipOnly.cpu.push(plainPass.cpuMs);
      const guarded = await timeSqlPass(gzFile, new PlainDumpGuard({ existingRoles: roles }));
      withGuard.wall.push(guarded.wallMs);
      withGuard.cpu.push(guarded.cpuMs);
    }
    const guardCpuMs = median(withGuard.cpu) - median(gunzipOnly.cpu);

    const ratio = median(plain.product) / median(plain.baseline);
    const engineOf = (field: Exclude<keyof EngineFigures, "eta">) => engineRuns.map((run) => run[field]);
    const engineRatio = median(engineOf("totalMs")) / median(plain.baseline);
    const etaOf = (share: number, field: keyof EtaFigure) =>
      engineRuns.map((run) => run.eta.find((e) => e.share === share)?.[field] ?? NaN);
    const etaLines = ETA_SHARES.map((share) => {
      const errors = etaOf(share, "errorMs");
      return (
        `  at ${(share * 100).toFixed(0)} %   report at ${seconds(median(etaOf(share, "reportMs")))} (${median(etaOf(share, "readPercent")).toFixed(0)} % read): ` +
        `predicted end ${seconds(median(etaOf(share, "predictedMs")))}, actual ${seconds(median(etaOf(share, "actualMs")))}, ` +
        `error ${signed(median(errors))} (${percent(median(etaOf(share, "errorPercent")))} of the step)  ` +
        `${list(errors, signed)}`
      );
    }).join("\n");
    const jRatio = median(custom.jN) / median(custom.j1);
    const mb = (v: number) => `${v.toFixed(0)} MB`;
    const rate = (ms: number) => `${(sqlBytes / MB / (ms / 1000)).toFixed(0)} MB/s`;
    console.log(`
plain dump (.sql.gz, ${(sqlBytes / MB).toFixed(0)} MB of SQL) — medians of ${ROUNDS}
  baseline  gunzip -c dump.sql.gz | psql, superuser (local file)   ${seconds(median(plain.baseline))}  ${list(plain.baseline, seconds)}
  product   loadIntoScratch from S3 as ${RESTORE_USER}: loader,   ${seconds(median(plain.product))}  ${list(plain.product, seconds)}
            sha256 + end marker, guard, hand-over to ${APP_OWNER_ROLE}
  ratio     product / baseline                                     ${ratio.toFixed(2)}  (goal ≤ 0.75, issue 12: ${ratio <= 0.75 ? "met" : "NOT met"})
  peak RSS  product process                                        ${mb(Math.max(...plain.rss))}  ${list(plain.rss, mb)}  (goal < 300 MB: ${Math.max(...plain.rss) < 300 ? "met" : "NOT met"})
  guard     ${lastPlain?.ownerChangesSkipped ?? 0} OWNER TO skipped (ownership handed over after the load), roles missing: ${lastPlain?.missingRoles.join(", ") || "none"}
  engine    a new-database run through the engine, queued →        ${seconds(median(engineOf("totalMs")))}  ${list(engineOf("totalMs"), seconds)}
            validated (run created → validate step ended, from the app database; rename after it not included)
  ratio     engine / baseline                                      ${engineRatio.toFixed(2)}
  phases    queue wait ${seconds(median(engineOf("queueMs")))}, preflight ${seconds(median(engineOf("preflightMs")))}, restore ${seconds(median(engineOf("restoreMs")))} \
(${(median(engineOf("restoreMs")) / median(plain.product)).toFixed(2)} of the product's), validate ${seconds(median(engineOf("validateMs")))}, between steps ${seconds(median(engineOf("betweenMs")))} (medians)
  peak RSS  engine process (worker, verb, progress poll)           ${mb(Math.max(...engineOf("maxRssMB")))}  ${list(engineOf("maxRssMB"), mb)}

ETA of the engine's restore step — at the first progress report (written every ${PROGRESS_EVERY_MS} ms; ${median(engineOf("progressReports"))} per run) at or
past each share of the dump's bytes, predicted end = the report's time + its etaMs; times from the step's start; error = predicted − actual
${etaLines}

custom dump (.dump, ${(customSize / MB).toFixed(0)} MB) via loadIntoScratch from S3 — medians of ${ROUNDS}
  pg_restore -j 1                                                  ${seconds(median(custom.j1))}  ${list(custom.j1, seconds)}
  pg_restore -j ${JOBS}                                                  ${seconds(median(custom.jN))}  ${list(custom.jN, seconds)}
  ratio     -j ${JOBS} / -j 1                                              ${jRatio.toFixed(2)}
  peak RSS  product process                                        ${mb(Math.max(...custom.rss))}

Node side of the plain path, no server — medians of 3 (wall / CPU of this process)
  gunzip alone                                                     ${seconds(median(gunzipOnly.wall))} / ${seconds(median(gunzipOnly.cpu))}
  gunzip + statement guard                                         ${seconds(median(withGuard.wall))} / ${seconds(median(withGuard.cpu))}
  the guard's CPU                                                  ${seconds(guardCpuMs)}  (${rate(guardCpuMs)} on one core), ${((guardCpuMs / median(plain.baseline)) * 100).toFixed(0)}% of the baseline's wall time`);
  } finally {
    await stopS3?.();
    await cluster.stop("immediate").catch(() => {});
    await appCluster?.stop("immediate").catch(() => {});
    await rm(base, { recursive: true, force: true });
    await rm(clusterDir, { recursive: true, force: true });
    await rm(appClusterDir, { recursive: true, force: true });
  }
}

const childJob = process.env[CHILD_ENV];
const engineJob = process.env[ENGINE_CHILD_ENV];
if (childJob) await productRun(JSON.parse(childJob) as ChildJob);
else if (engineJob) {
  await engineRun(JSON.parse(engineJob) as EngineJob);
  // The verb's job sender (a pg-boss of its own, kept for the process's life) would hold it open.
  process.exit(0);
} else await main();
