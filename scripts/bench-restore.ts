/**
 * npm run bench:restore — the product's restore, with the statement guard and the least-privilege
 * loader on, against the runbook's `gunzip -c dump.sql.gz | psql`, measured in one run here.
 *
 * Starts its own PostgreSQL cluster (password authentication) and S3-protocol server in a
 * temporary folder and generates LoanServe with its real schema (scripts/lib/demo: primary keys,
 * foreign keys, unique and secondary indexes, checks), owned by the application role `loanserve`
 * and readable by `reporting`, sized so its plain dump is BENCH_SQL_MB (default 320) MB of SQL.
 * The dump therefore carries what a real one does: COPY data, then index and foreign-key builds,
 * OWNER TO and GRANT lines. Then BENCH_ROUNDS (default 3) rounds, alternating which goes first:
 *   (a) baseline: `gunzip -c dump.sql.gz | psql -X -q -v ON_ERROR_STOP=1 -o /dev/null` from a local
 *       file, as the superuser, into an empty database created beforehand;
 *   (b) product:  loadIntoScratch() as `restore_admin` (LOGIN CREATEDB CREATEROLE, member of
 *       loanserve, not a superuser) from the S3 store: loader role and scratch database created,
 *       sha256 and end marker checked, statement guard, psql as the loader, everything handed to
 *       loanserve, loader dropped — all inside the timing;
 * and, for the custom-format dump, the same loadIntoScratch() with pg_restore -j 1 against -j 2.
 * Each product run happens in a child process so its peak RSS can be read (goal: flat, < 300 MB).
 * Last, where the Node side of the plain path spends its time: the guard alone against gunzip alone.
 */
import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { createGunzip, createGzip } from "node:zlib";
import pg from "pg";
import { S3BackupStore, type S3StoreSettings } from "@/lib/providers/aws/s3-backup-store";
import type { AdminTarget } from "@/lib/providers/postgres/admin";
import { LocalCluster } from "@/lib/providers/postgres/cluster";
import { pgConnectionFromUrl, withPgEnv } from "@/lib/providers/postgres/connection";
import { loadIntoScratch } from "@/lib/providers/postgres/load-scratch";
import { listRoles } from "@/lib/providers/postgres/loader-role";
import { PlainDumpGuard } from "@/lib/providers/postgres/plain-dump-guard";
import type { RestoreDumpOptions } from "@/lib/providers/postgres/restore-dump";
import { findPgTool } from "@/lib/providers/postgres/tools";
import {
  APP_OWNER_ROLE,
  applyLoanServeOwnership,
  ensureLoanServeRoles,
  REPORTING_ROLE,
  RESTORE_USER,
} from "@/scripts/lib/demo/loanserve-roles";
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

function runChild(job: ChildJob, password: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", import.meta.filename], {
      env: { ...process.env, [CHILD_ENV]: JSON.stringify(job), [PASSWORD_ENV]: password, NODE_NO_WARNINGS: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      const last = stdout.trim().split("\n").at(-1);
      if (code === 0 && last) resolve(JSON.parse(last) as ChildResult);
      else reject(new Error(`product run failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
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
      const result = await runChild(job, restorePassword).catch(async (error: unknown) => {
        await admin.query(`DROP DATABASE IF EXISTS ${scratchDatabase} WITH (FORCE)`);
        throw error;
      });
      await verifiedAndDropped(scratchDatabase, true);
      return result;
    };

    // Round 1 must not pay for writing out the generated data, the dumps and the store's copies.
    await admin.query("CHECKPOINT");
    await execFileAsync("sync");
    const plain = { baseline: [] as number[], product: [] as number[], rss: [] as number[] };
    const custom = { j1: [] as number[], jN: [] as number[], rss: [] as number[] };
    let lastPlain: ChildResult | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which variant goes first, so neither always runs on a warmer cache.
      const steps = [
        async () => plain.baseline.push(await baseline()),
        async () => {
          const run = (lastPlain = await product("plain-gzip", JOBS));
          plain.product.push(run.durationMs);
          plain.rss.push(run.maxRssMB);
        },
      ];
      for (const step of round % 2 === 0 ? steps : steps.reverse()) await step();
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
    const jRatio = median(custom.jN) / median(custom.j1);
    const mb = (v: number) => `${v.toFixed(0)} MB`;
    const rate = (ms: number) => `${(sqlBytes / MB / (ms / 1000)).toFixed(0)} MB/s`;
    console.log(`
plain dump (.sql.gz, ${(sqlBytes / MB).toFixed(0)} MB of SQL) — medians of ${ROUNDS}
  baseline  gunzip -c dump.sql.gz | psql, superuser (local file)   ${seconds(median(plain.baseline))}  ${list(plain.baseline, seconds)}
  product   loadIntoScratch from S3 as ${RESTORE_USER}: loader,   ${seconds(median(plain.product))}  ${list(plain.product, seconds)}
            sha256 + end marker, guard, hand-over to ${APP_OWNER_ROLE}
  ratio     product / baseline                                     ${ratio.toFixed(2)}  (target ≤ 1.10: ${ratio <= 1.1 ? "met" : "NOT met"})
  peak RSS  product process                                        ${mb(Math.max(...plain.rss))}  ${list(plain.rss, mb)}  (goal < 300 MB: ${Math.max(...plain.rss) < 300 ? "met" : "NOT met"})
  guard     ${lastPlain?.ownerChangesSkipped ?? 0} OWNER TO skipped (ownership handed over after the load), roles missing: ${lastPlain?.missingRoles.join(", ") || "none"}

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
    await rm(base, { recursive: true, force: true });
    await rm(clusterDir, { recursive: true, force: true });
  }
}

const childJob = process.env[CHILD_ENV];
await (childJob ? productRun(JSON.parse(childJob) as ChildJob) : main());
