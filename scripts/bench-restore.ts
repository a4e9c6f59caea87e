/**
 * npm run bench:restore — the product's streaming restore against the runbook's
 * `gunzip -c dump.sql.gz | psql`, measured in one run on this machine.
 *
 * Starts its own PostgreSQL cluster and S3-protocol server in a temporary folder, generates a
 * database whose plain dump is BENCH_SQL_MB (default 320) MB of SQL, then alternates 3 rounds of:
 *   (a) baseline: `gunzip -c dump.sql.gz | psql -X -q -v ON_ERROR_STOP=1 -o /dev/null` from a local file;
 *   (b) product:  restoreDump() from the S3 store, sha256 checked, into an empty scratch database;
 * and, for the custom-format dump, restoreDump() with pg_restore -j 1 against -j 2.
 * Each product run happens in a child process so its peak RSS can be read (goal: flat, < 300 MB).
 */
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { createGunzip, createGzip } from "node:zlib";
import pg from "pg";
import { S3BackupStore, type S3StoreSettings } from "@/lib/providers/aws/s3-backup-store";
import { LocalCluster } from "@/lib/providers/postgres/cluster";
import { pgConnectionFromUrl, withPgEnv, type PgConnection } from "@/lib/providers/postgres/connection";
import { restoreDump, type RestoreDumpOptions } from "@/lib/providers/postgres/restore-dump";
import { findPgTool } from "@/lib/providers/postgres/tools";
import { S3RVER_CREDENTIALS, startS3Server } from "@/scripts/lib/s3-server";

const execFileAsync = promisify(execFile);

const SQL_MB = Number(process.env.BENCH_SQL_MB ?? 320);
const ROUNDS = 3;
const JOBS = 2;
const MB = 1e6;
/** Rows per generation unit; the unit count is sized from a one-unit sample dump. */
const UNIT = { users: 1000, loans: 2000, payments: 8000, audit_logs: 4000, documents: 400 } as const;

/** What the parent hands a product-run child (no secrets: the bench cluster has no password). */
interface ChildJob {
  store: S3StoreSettings;
  key: string;
  sha256: string;
  size: number;
  format: RestoreDumpOptions["format"];
  jobs: number;
  target: PgConnection;
  database: string;
}

interface ChildResult {
  durationMs: number;
  maxRssMB: number;
  rows: number;
}

const CHILD_ENV = "BENCH_RESTORE_CHILD_JOB";

/** Child mode: one product restore, then its duration and this process's peak RSS on stdout. */
async function productRun(job: ChildJob): Promise<void> {
  const store = S3BackupStore.fromSettings(job.store);
  const result = await restoreDump({
    format: job.format,
    open: (signal) => store.read(job.key, { signal }),
    expectedSha256: job.sha256,
    totalBytes: job.size,
    target: job.target,
    database: job.database,
    jobs: job.jobs,
  });
  const out: ChildResult = { durationMs: result.durationMs, maxRssMB: process.resourceUsage().maxRSS / 1024, rows: result.rows };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(job: ChildJob): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", import.meta.filename], {
      env: { ...process.env, [CHILD_ENV]: JSON.stringify(job), NODE_NO_WARNINGS: "1" },
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

/** Bytes of SQL in a .sql.gz. */
async function sqlBytesOf(gzFile: string): Promise<number> {
  let bytes = 0;
  for await (const chunk of createReadStream(gzFile).pipe(createGunzip())) bytes += (chunk as Buffer).length;
  return bytes;
}

/** A client that outlives the cluster quietly when a failure stops it: the failure is what we report. */
function connectedClient(connectionString: string): pg.Client {
  const client = new pg.Client({ connectionString });
  client.on("error", () => {});
  return client;
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(tmpdir(), "rc-bench-"));
  // Its own folder: LocalCluster hands it to the postgres user, who cannot enter our private one.
  const clusterDir = await mkdtemp(path.join(tmpdir(), "rc-bench-pg-"));
  const cluster = await LocalCluster.open({ baseDir: clusterDir, settings: { synchronous_commit: false } });
  let stopS3: (() => Promise<void>) | undefined;
  try {
    await cluster.start();
    const { connection: target } = pgConnectionFromUrl(cluster.url());
    const admin = connectedClient(cluster.url());
    await admin.connect();
    const pgDump = await findPgTool("pg_dump");
    const { rows: version } = await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    console.log(`bench:restore — PostgreSQL ${version[0]?.v}, ${availableParallelism()} cores, target ${SQL_MB} MB of SQL, ${ROUNDS} rounds\n`);

    // ---- data ------------------------------------------------------------------------------
    await admin.query("CREATE DATABASE bench_source");
    const source = connectedClient(cluster.url("bench_source"));
    await source.connect();
    await source.query(`
      CREATE TABLE users (id bigint, email text, full_name text, created_at timestamptz);
      CREATE TABLE loans (id bigint, user_id bigint, principal numeric(12,2), rate numeric(5,3), status text, created_at timestamptz, notes text);
      CREATE TABLE payments (id bigint, loan_id bigint, amount numeric(12,2), paid_at timestamptz, reference text);
      CREATE TABLE audit_logs (id bigint, actor text, action text, payload jsonb, created_at timestamptz);
      CREATE TABLE documents (id bigint, loan_id bigint, title text, body text)`);
    const generate = async (units: number) => {
      const n = (table: keyof typeof UNIT) => UNIT[table] * units;
      const started = performance.now();
      await source.query("TRUNCATE users, loans, payments, audit_logs, documents");
      await source.query(`INSERT INTO users SELECT g, 'user' || g || '@example.com', initcap(substr(md5(g::text), 1, 10)) || ' ' || initcap(substr(md5(g::text), 11, 12)),
        timestamptz '2020-01-01 00:00+00' + g * interval '7 minutes' FROM generate_series(1::bigint, ${n("users")}) g`);
      await source.query(`INSERT INTO loans SELECT g, 1 + (g * 7919) % ${n("users")}, round((1000 + (g * 37) % 500000) / 1.7, 2), 2 + (g % 900) / 100.0,
        (ARRAY['active','closed','defaulted','pending'])[1 + g % 4], timestamptz '2020-01-01 00:00+00' + g * interval '3 minutes', 'loan ' || md5(g::text)
        FROM generate_series(1::bigint, ${n("loans")}) g`);
      await source.query(`INSERT INTO payments SELECT g, 1 + (g * 104729) % ${n("loans")}, round(((g * 31) % 250000) / 3.3, 2),
        timestamptz '2020-01-01 00:00+00' + g * interval '41 seconds', 'PAY-' || upper(substr(md5(g::text), 1, 16)) FROM generate_series(1::bigint, ${n("payments")}) g`);
      await source.query(`INSERT INTO audit_logs SELECT g, 'user' || (1 + g % ${n("users")}) || '@example.com', (ARRAY['login','update','approve','export'])[1 + g % 4],
        jsonb_build_object('ip', '10.0.' || (g % 256) || '.' || (g % 251), 'request', md5(g::text), 'n', g), timestamptz '2020-01-01 00:00+00' + g * interval '1 minute'
        FROM generate_series(1::bigint, ${n("audit_logs")}) g`);
      await source.query(`INSERT INTO documents SELECT g, 1 + g % ${n("loans")}, 'Document ' || g, repeat(md5(g::text) || ' ', 8) FROM generate_series(1::bigint, ${n("documents")}) g`);
      return performance.now() - started;
    };
    const dumpSize = async () => {
      let bytes = 0;
      await withPgEnv(target, "bench_source", async (env) => {
        const child = spawn(pgDump, ["--no-password"], { env, stdio: ["ignore", "pipe", "inherit"] });
        for await (const chunk of child.stdout) bytes += (chunk as Buffer).length;
      });
      return bytes;
    };
    await generate(1);
    const units = Math.ceil((SQL_MB * MB) / (await dumpSize()));
    const generationMs = await generate(units);
    await source.query(`
      ALTER TABLE users ADD PRIMARY KEY (id); ALTER TABLE loans ADD PRIMARY KEY (id); ALTER TABLE payments ADD PRIMARY KEY (id);
      ALTER TABLE audit_logs ADD PRIMARY KEY (id); ALTER TABLE documents ADD PRIMARY KEY (id);
      CREATE INDEX ON loans (user_id); CREATE INDEX ON payments (loan_id); CREATE INDEX ON audit_logs (created_at)`);
    await source.query("VACUUM ANALYZE");
    const { rows: counted } = await source.query<{ n: string }>(
      "SELECT ((SELECT count(*) FROM users) + (SELECT count(*) FROM loans) + (SELECT count(*) FROM payments) + (SELECT count(*) FROM audit_logs) + (SELECT count(*) FROM documents))::text AS n",
    );
    const sourceRows = Number(counted[0]?.n);
    await source.end();
    console.log(`generated ${units} units, ${sourceRows.toLocaleString("en")} rows in ${seconds(generationMs)}`);

    // ---- dumps -----------------------------------------------------------------------------
    const gzFile = path.join(base, "dump.sql.gz");
    const customFile = path.join(base, "dump.dump");
    await withPgEnv(target, "bench_source", async (env) => {
      const child = spawn(pgDump, ["--no-password"], { env, stdio: ["ignore", "pipe", "inherit"] });
      const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
      await pipeline(child.stdout, createGzip({ level: 6 }), createWriteStream(gzFile));
      if ((await exited) !== 0) throw new Error("pg_dump (plain) failed");
      await execFileAsync(pgDump, ["--no-password", "--format=custom", "--file", customFile], { env });
    });
    const sqlBytes = await sqlBytesOf(gzFile);
    const gzSize = (await stat(gzFile)).size;
    const customSize = (await stat(customFile)).size;
    console.log(`plain dump ${(sqlBytes / MB).toFixed(1)} MB of SQL, ${(gzSize / MB).toFixed(1)} MB gzipped; custom dump ${(customSize / MB).toFixed(1)} MB`);

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
    console.log(`uploaded both to ${store.location}\n`);

    // ---- rounds ----------------------------------------------------------------------------
    let scratchCount = 0;
    /** Runs `restore` into a fresh empty database, checks every row arrived, drops it, checkpoints. */
    const inScratch = async <T>(restore: (database: string) => Promise<T>): Promise<T> => {
      const database = `bench_scratch_${++scratchCount}`;
      await admin.query(`CREATE DATABASE ${database}`);
      try {
        const result = await restore(database);
        const client = connectedClient(cluster.url(database));
        await client.connect();
        const { rows } = await client.query<{ n: string }>(
          "SELECT ((SELECT count(*) FROM users) + (SELECT count(*) FROM loans) + (SELECT count(*) FROM payments) + (SELECT count(*) FROM audit_logs) + (SELECT count(*) FROM documents))::text AS n",
        );
        await client.end();
        if (Number(rows[0]?.n) !== sourceRows) throw new Error(`${database} holds ${rows[0]?.n} rows, the source ${sourceRows}`);
        return result;
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        // Each round starts without the previous one's dirty buffers to write out.
        await admin.query("CHECKPOINT");
      }
    };
    const baseline = () =>
      inScratch((database) =>
        withPgEnv(target, database, async (env) => {
          const started = performance.now();
          await execFileAsync("bash", ["-c", 'set -o pipefail; gunzip -c "$1" | psql -X -q -v ON_ERROR_STOP=1 -o /dev/null', "bench", gzFile], { env });
          return performance.now() - started;
        }),
      );
    const product = (format: ChildJob["format"], jobs: number) =>
      inScratch((database) =>
        runChild({
          store: storeSettings,
          key: format === "custom" ? customKey : gzKey,
          sha256: format === "custom" ? customSha : gzSha,
          size: format === "custom" ? customSize : gzSize,
          format,
          jobs,
          target,
          database,
        }),
      );

    // Round 1 must not pay for writing out the generated data, the dumps and the store's copies.
    await admin.query("CHECKPOINT");
    await execFileAsync("sync");
    const plain = { baseline: [] as number[], product: [] as number[], rss: [] as number[] };
    const custom = { j1: [] as number[], jN: [] as number[], rss: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which variant goes first, so neither always runs on a warmer cache.
      const steps = [
        async () => plain.baseline.push(await baseline()),
        async () => {
          const run = await product("plain-gzip", JOBS);
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

    const ratio = median(plain.product) / median(plain.baseline);
    const jRatio = median(custom.jN) / median(custom.j1);
    const mb = (v: number) => `${v.toFixed(0)} MB`;
    console.log(`
plain dump (.sql.gz, ${(sqlBytes / MB).toFixed(0)} MB of SQL) — medians of ${ROUNDS}
  baseline  gunzip -c dump.sql.gz | psql (local file)     ${seconds(median(plain.baseline))}  ${list(plain.baseline, seconds)}
  product   restoreDump from S3, sha256 + end marker      ${seconds(median(plain.product))}  ${list(plain.product, seconds)}
  ratio     product / baseline                            ${ratio.toFixed(2)}  (target ≤ 1.10: ${ratio <= 1.1 ? "met" : "NOT met"})
  peak RSS  product process                               ${mb(Math.max(...plain.rss))}  ${list(plain.rss, mb)}  (goal < 300 MB: ${Math.max(...plain.rss) < 300 ? "met" : "NOT met"})

custom dump (.dump, ${(customSize / MB).toFixed(0)} MB) via restoreDump from S3 — medians of ${ROUNDS}
  pg_restore -j 1                                         ${seconds(median(custom.j1))}  ${list(custom.j1, seconds)}
  pg_restore -j ${JOBS}                                         ${seconds(median(custom.jN))}  ${list(custom.jN, seconds)}
  ratio     -j ${JOBS} / -j 1                                     ${jRatio.toFixed(2)}
  peak RSS  product process                               ${mb(Math.max(...custom.rss))}`);
  } finally {
    await stopS3?.();
    await cluster.stop("immediate").catch(() => {});
    await rm(base, { recursive: true, force: true });
    await rm(clusterDir, { recursive: true, force: true });
  }
}

const childJob = process.env[CHILD_ENV];
await (childJob ? productRun(JSON.parse(childJob) as ChildJob) : main());
