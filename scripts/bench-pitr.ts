import { runAsPostgres } from "@/lib/providers/postgres/cluster";
// Local PITR: the product's path (window check → preflight → restore → wait → connectivity
// check) against the bare recipe (copy the base backup, write recovery settings, start, wait
// for promotion), on the same base backup, archive and target, alternating, in one run.
//   npm run bench:pitr
import { randomBytes } from "node:crypto";
import { appendFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import type { LocalPitrSource } from "@/lib/config/schema";
import { takeBaseBackup, type BaseBackup } from "@/lib/providers/local/base-backups";
import { LocalPitrProvider } from "@/lib/providers/local/local-pitr-provider";
import { findPgBinaries } from "@/lib/providers/postgres/binaries";
import { freeLoopbackPort, giveToOwner, LocalCluster } from "@/lib/providers/postgres/cluster";

const ROUNDS = 3;
const TARGET_RATIO = 1.2;
const POLL_MS = 100;
const PASSWORD_ENV = "RC_BENCH_PITR_PASSWORD";
const EVENTS = 1_200_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** The source: ~180 MB of data in a base backup, then WAL after it, up to a target time and past it. */
async function prepareSource(tmp: string, password: string) {
  const archiveDir = path.join(tmp, "wal-archive");
  await mkdir(archiveDir, { mode: 0o700 });
  await giveToOwner(archiveDir);
  const source = await LocalCluster.open({
    baseDir: path.join(tmp, "source"),
    password,
    settings: {
      wal_level: "replica",
      archive_mode: true,
      archive_command: `test ! -f ${archiveDir}/%f && cp %p ${archiveDir}/%f.tmp && mv ${archiveDir}/%f.tmp ${archiveDir}/%f`,
      archive_timeout: 60,
      max_wal_size: "1GB",
    },
  });
  await source.start();
  await query(source.url(), "CREATE DATABASE bench");
  const url = source.url("bench");
  console.log(`loading ${EVENTS.toLocaleString("en")} events…`);
  await query(
    url,
    `CREATE TABLE events AS SELECT g AS id, now() - g * interval '1 second' AS at, md5(g::text) AS a,
       md5((g * 7)::text) AS b, repeat('x', 40) AS pad FROM generate_series(1, ${EVENTS}) g`,
  );
  await query(url, "CREATE TABLE loans (id serial PRIMARY KEY, amount numeric NOT NULL)");
  await query(url, "INSERT INTO loans (amount) SELECT g * 10 FROM generate_series(1, 10000) g");
  const [size] = await query<{ size: string }>(url, "SELECT pg_size_pretty(pg_database_size('bench')) AS size");

  console.log("taking a base backup…");
  const started = performance.now();
  const backup = await takeBaseBackup({
    source: { host: "127.0.0.1", port: source.port, user: "postgres", password },
    baseBackupDir: path.join(tmp, "base-backups"),
  });
  console.log(
    `base backup ${Math.round(backup.sizeBytes / 1024 / 1024)} MB in ${seconds(performance.now() - started)} (database ${size?.size})`,
  );

  // WAL to replay: a tenth of the events rewritten, loans added before and after the target.
  await query(url, "UPDATE events SET pad = repeat('y', 40) WHERE id % 10 = 0");
  await query(url, "INSERT INTO loans (amount) SELECT g FROM generate_series(1, 5000) g");
  await delay(200);
  const [at] = await query<{ t: Date }>(url, "SELECT clock_timestamp() AS t");
  await delay(200);
  await query(url, "INSERT INTO loans (amount) SELECT g FROM generate_series(1, 5000) g");
  const [switched] = await query<{ wal: string }>(url, "SELECT pg_walfile_name(pg_switch_wal()) AS wal");
  for (let i = 0; ; i++) {
    const [archiver] = await query<{ wal: string | null }>(url, "SELECT last_archived_wal AS wal FROM pg_stat_archiver");
    if (archiver?.wal && archiver.wal >= switched!.wal) break;
    if (i > 600) throw new Error("the WAL was not archived within 60 s");
    await delay(100);
  }
  const segments = (await readdir(archiveDir)).filter(
    (name) => /^[0-9A-F]{24}$/.test(name) && name.slice(8) >= backup.startWalFile.slice(8),
  );
  console.log(`${segments.length} archived WAL segments from the base backup's start to the target and past it`);
  return { source, archiveDir, backup, target: at!.t };
}

/** The recipe from ENVIRONMENT.md, by hand: what a person with a shell would do. */
async function bareRecipe(dir: string, backup: BaseBackup, archiveDir: string, target: Date, password: string): Promise<number> {
  const { path: tool } = await findPgBinaries();
  const dataDir = path.join(dir, "data");
  const started = performance.now();
  await mkdir(dir, { mode: 0o700 });
  await giveToOwner(dir);
  await runAsPostgres("cp", ["-a", backup.dataDir, dataDir]);
  const port = await freeLoopbackPort();
  const time = target.toISOString().replace("T", " ").replace("Z", "+00");
  await appendFile(
    path.join(dataDir, "postgresql.auto.conf"),
    `port = ${port}\narchive_mode = off\nrestore_command = 'cp ${archiveDir}/%f %p'\n` +
      `recovery_target_time = '${time}'\nrecovery_target_action = 'promote'\n`,
  );
  await writeFile(path.join(dataDir, "recovery.signal"), "");
  await giveToOwner(path.join(dataDir, "recovery.signal"));
  await runAsPostgres(tool("pg_ctl"), ["-D", dataDir, "-l", path.join(dir, "server.log"), "-w", "start"]);
  let client: pg.Client | undefined;
  try {
    for (;;) {
      try {
        client ??= await connectQuietly({ host: "127.0.0.1", port, user: "postgres", password, database: "bench" });
        const { rows } = await client.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r");
        if (rows[0]?.r === false) break;
      } catch {
        await client?.end().catch(() => undefined);
        client = undefined;
      }
      await delay(POLL_MS);
    }
    const elapsed = performance.now() - started;
    await expectTargetState(client, "bare recipe");
    return elapsed;
  } finally {
    await client?.end().catch(() => undefined);
    await runAsPostgres(tool("pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

async function connectQuietly(config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client(config);
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/** Both paths must land on the same point: 10,000 + 5,000 loans, not the 5,000 after the target. */
async function expectTargetState(client: pg.Client | undefined, what: string): Promise<void> {
  const rows = await client?.query<{ n: number }>("SELECT count(*)::int AS n FROM loans");
  const n = rows?.rows[0]?.n;
  if (n !== 15_000) throw new Error(`${what} restored ${n} loans, expected 15000`);
}

type Phase = "window" | "preflight" | "restore" | "wait" | "check";

async function productPath(
  config: LocalPitrSource,
  runId: string,
  target: Date,
  password: string,
  phases: Record<Phase, number[]>,
): Promise<number> {
  const provider = new LocalPitrProvider(config);
  const restoreTarget = { kind: "time", time: target } as const;
  const started = performance.now();
  let mark = started;
  const lap = (phase: Phase) => {
    const now = performance.now();
    phases[phase].push(now - mark);
    mark = now;
  };
  try {
    await provider.describeWindow();
    lap("window");
    const preflight = await provider.preflight(runId, restoreTarget);
    if (!preflight.ok) throw new Error(`preflight failed: ${JSON.stringify(preflight.checks)}`);
    lap("preflight");
    await provider.restore(runId, restoreTarget);
    lap("restore");
    const endpoint = await provider.waitUntilAvailable(runId, { timeoutMs: 120_000 });
    lap("wait");
    const client = await connectQuietly({ ...endpoint, password });
    try {
      // The runbook's connectivity check; it also proves the point the restore landed on.
      await expectTargetState(client, "product");
      lap("check");
      return performance.now() - started;
    } finally {
      await client.end();
    }
  } finally {
    // A benchmark's scratch server: nothing worth a final snapshot.
    await provider.cleanup(runId, { finalSnapshot: false });
  }
}

async function main() {
  const tmp = await mkdtemp(path.join(tmpdir(), "rc-bench-pitr-"));
  await giveToOwner(tmp);
  const password = randomBytes(12).toString("hex");
  process.env[PASSWORD_ENV] = password;
  let source: LocalCluster | undefined;
  try {
    const prepared = await prepareSource(tmp, password);
    source = prepared.source;
    const config: LocalPitrSource = {
      provider: "local",
      dataDir: source.dataDir,
      archiveDir: prepared.archiveDir,
      baseBackupDir: path.dirname(prepared.backup.path),
      restoreDir: path.join(tmp, "restores"),
      host: "127.0.0.1",
      port: source.port,
      database: "bench",
      user: "postgres",
      passwordFrom: { env: PASSWORD_ENV },
    };
    const bare: number[] = [];
    const product: number[] = [];
    const phases: Record<Phase, number[]> = { window: [], preflight: [], restore: [], wait: [], check: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const runBare = async () =>
        bare.push(await bareRecipe(path.join(tmp, `bare-${round}`), prepared.backup, prepared.archiveDir, prepared.target, password));
      const runProduct = async () => product.push(await productPath(config, `bench-round-${round}`, prepared.target, password, phases));
      // Alternate which goes first, so neither always finds a warm page cache.
      for (const step of round % 2 === 0 ? [runBare, runProduct] : [runProduct, runBare]) await step();
      console.log(`round ${round + 1}: bare ${seconds(bare.at(-1)!)}, product ${seconds(product.at(-1)!)}`);
    }
    const ratio = median(product) / median(bare);
    console.log("");
    console.log(`bare recipe (copy, settings, start, promoted)            median ${seconds(median(bare))}`);
    console.log(`product (window → preflight → restore → wait → count)    median ${seconds(median(product))}`);
    console.log(
      `  product phases (medians): ${Object.entries(phases)
        .map(([phase, ms]) => `${phase} ${seconds(median(ms))}`)
        .join(", ")}`,
    );
    console.log(`ratio ${ratio.toFixed(2)}× (target ≤ ${TARGET_RATIO}×): ${ratio <= TARGET_RATIO ? "within target" : "ABOVE TARGET"}`);
  } finally {
    await source?.stop("immediate");
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
