/**
 * npm run bench:catalog — the backup catalog's refresh and the Backups API page, against bare S3
 * calls measured in the same run here.
 *
 * Starts its own PostgreSQL cluster (password authentication; one database with every migration
 * applied, as the app runs it) and S3-protocol server (s3rver) in temporary folders, and writes
 * BENCH_OBJECTS (default 10,000) dumps under one prefix, each with its manifest (so twice as many
 * objects; small bodies; every manifest valid for lib/backups/manifest.ts and naming its dump).
 * The environment is read from a configuration file as the product reads it, and each refresh
 * builds its store with backupStoreFor() as the refresh job does. After one untimed pass (the
 * listing and every manifest read) to warm the server's files, BENCH_ROUNDS (default 5) rounds,
 * each alternating which side goes first:
 *   cold  product:  backupStoreFor() + refreshCatalog() on an empty catalog (TRUNCATE and
 *                   CHECKPOINT before, not timed): list every page, read every manifest
 *                   (MANIFEST_CONCURRENCY at a time), insert every row;
 *         baseline: a new S3 client (the product's client settings), ListObjectsV2 over every page,
 *                   then GetObject of every manifest, body read whole, as many at a time;
 *   warm  product:  backupStoreFor() + refreshCatalog() on the catalog the cold run just wrote,
 *                   nothing changed in the store (after VACUUM ANALYZE, not timed, as autovacuum
 *                   would have done in the 15 minutes between two scheduled refreshes);
 *         baseline: a new S3 client, ListObjectsV2 over every page alone;
 *         each twice a round, in ABBA order (BAAB the next round), the round's ratio being the
 *         product's total over the baseline's.
 * A warm refresh must report rowsWritten 0, and (counted outside the timing) no catalog row may
 * have a new version (xmin/ctid). Last, the Backups API page: the real GET handler of
 * app/api/backups/route.ts (route wrapper, session checked against the database, viewer role)
 * called as a function with a signed-in viewer's cookie (one finished refresh recorded, as the page
 * shows it), BENCH_PAGE_CALLS (default 15) times for the first page and for the last page (50 a
 * page) after 2 untimed calls, each timed until its body is read.
 * Goals: cold ≤ 1.3× and warm ≤ 1.1× their baselines, judged on the median of the rounds' own
 * ratios (a round's runs are back to back, so they share the machine's background load; the
 * ratio of the medians is printed too); no row written by a warm refresh; page median < 100 ms.
 * The script exits 1 when a goal is missed.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { GET as listBackupsRoute } from "@/app/api/backups/route";
import { MANIFEST_CONCURRENCY, refreshCatalog, type RefreshResult } from "@/lib/backups/refresh-catalog";
import { backupStoreFor } from "@/lib/backups/store-for-environment";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { ConfigFileInput } from "@/lib/config/schema";
import { createDb, getDb, type Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { migrate } from "@/lib/db/migrate";
import { s3ClientConfig, type S3StoreSettings } from "@/lib/providers/aws/s3-backup-store";
import { LocalCluster } from "@/lib/providers/postgres/cluster";
import { createTestUser, TEST_SECRET } from "@/lib/testing/auth";
import { apiRequest, TEST_ORIGIN } from "@/lib/testing/requests";
import { S3RVER_CREDENTIALS, startS3Server } from "@/scripts/lib/s3-server";

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PAGE_CALLS = Number(process.env.BENCH_PAGE_CALLS ?? 15);
const PAGE_SIZE = 50;
const GOALS = { cold: 1.3, warm: 1.1, pageMs: 100 };
const ENVIRONMENT = "bench";
const BUCKET = "backups";
const PREFIX = "nightly/";
const ENV_PREFIX = "RC_BENCH_CATALOG";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const millis = (ms: number) => `${ms.toFixed(1)} ms`;
const list = (values: number[], format: (v: number) => string) => `[${values.map(format).join(", ")}]`;
const verdict = (ok: boolean) => (ok ? "met" : "NOT met");

/** Night i's dump name: one a day from 2000-01-01. */
const dayOf = (i: number) => new Date(Date.UTC(2000, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** The bare baseline's listing: every ListObjectsV2 page, as the product asks for them (URL-encoded keys). */
async function listKeys(client: S3Client): Promise<string[]> {
  const keys: string[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX, ContinuationToken: continuationToken, EncodingType: "url" }),
    );
    for (const item of page.Contents ?? []) if (item.Key !== undefined) keys.push(decodeURIComponent(item.Key));
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);
  return keys;
}

/** The bare baseline's reads: GetObject of every manifest, body read whole, MANIFEST_CONCURRENCY at a time. */
async function readManifests(client: S3Client, keys: string[]): Promise<number> {
  const limit = pLimit(MANIFEST_CONCURRENCY);
  const sizes = await Promise.all(
    keys
      .filter((key) => key.endsWith(".manifest.json"))
      .map((key) =>
        limit(async () => {
          const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
          return (await object.Body?.transformToByteArray())?.length ?? 0;
        }),
      ),
  );
  return sizes.length;
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(tmpdir(), "rc-bench-catalog-"));
  // Its own folder: LocalCluster hands it to the postgres user, who cannot enter our private one.
  const clusterDir = await mkdtemp(path.join(tmpdir(), "rc-bench-catalog-pg-"));
  const cluster = await LocalCluster.open({ baseDir: clusterDir, password: randomBytes(24).toString("base64url") });
  let stopS3: (() => Promise<void>) | undefined;
  let missed = false;
  let db: Db | undefined;
  try {
    await cluster.start();
    const appUrl = cluster.url("restore_console");
    const admin = createDb(cluster.url());
    await admin.$executeRawUnsafe("CREATE DATABASE restore_console");
    await admin.$disconnect();
    await migrate(appUrl);
    // The app's environment, as the run command sets it (the secret is the one the session cookie is signed with).
    Object.assign(process.env, { DATABASE_URL: appUrl, NEXTAUTH_SECRET: TEST_SECRET, NEXTAUTH_URL: TEST_ORIGIN });
    const appDb = (db = getDb());
    const [{ v: version } = { v: "?" }] = await appDb.$queryRaw<Array<{ v: string }>>`SELECT current_setting('server_version') AS v`;
    console.log(
      `bench:catalog — PostgreSQL ${version}, ${availableParallelism()} cores, ${OBJECTS.toLocaleString("en")} dumps + ` +
        `${OBJECTS.toLocaleString("en")} manifests, ${ROUNDS} rounds\n`,
    );

    // ---- the store and the configuration -------------------------------------------------------
    const s3 = await startS3Server({ directory: path.join(base, "s3"), buckets: [BUCKET] });
    stopS3 = () => s3.stop();
    const settings: S3StoreSettings = {
      bucket: BUCKET,
      prefix: PREFIX,
      endpoint: s3.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { ...S3RVER_CREDENTIALS },
    };
    const config: ConfigFileInput = {
      version: 1,
      environments: [
        {
          name: ENVIRONMENT,
          backupStore: {
            kind: "s3",
            bucket: BUCKET,
            prefix: PREFIX,
            endpoint: s3.endpoint,
            region: "us-east-1",
            forcePathStyle: true,
            accessKeyIdFrom: { env: `${ENV_PREFIX}_S3_KEY` },
            secretAccessKeyFrom: { env: `${ENV_PREFIX}_S3_SECRET` },
          },
        },
      ],
    };
    const configFile = path.join(base, "restore-console.json");
    await writeFile(configFile, JSON.stringify(config, null, 2));
    process.env.RESTORE_CONSOLE_CONFIG = configFile;
    process.env[`${ENV_PREFIX}_S3_KEY`] = S3RVER_CREDENTIALS.accessKeyId;
    process.env[`${ENV_PREFIX}_S3_SECRET`] = S3RVER_CREDENTIALS.secretAccessKey;
    const environment = resolveEnvironment(ENVIRONMENT);

    const writer = new S3Client(s3ClientConfig(settings));
    const uploadStarted = performance.now();
    const put = pLimit(32);
    await Promise.all(
      Array.from({ length: OBJECTS }, (_, i) =>
        put(async () => {
          const day = dayOf(i);
          const dump = Buffer.from(`-- PostgreSQL database dump of ${day}\n-- PostgreSQL database dump complete\n`);
          const manifest = {
            file: `${day}.sql.gz`,
            sha256: createHash("sha256").update(dump).digest("hex"),
            size: dump.length,
            created_at: `${day}T02:00:00Z`,
            format: "plain-gzip",
            pg_version: "15",
            source_database: "loanserve",
            tables: { loans: 1000 + (i % 97), payments: 5000 + (i % 89) },
          };
          await writer.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${day}.sql.gz`, Body: dump }));
          await writer.send(
            new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${day}.manifest.json`, Body: Buffer.from(JSON.stringify(manifest)) }),
          );
        }),
      ),
    );
    writer.destroy();
    console.log(`wrote ${(2 * OBJECTS).toLocaleString("en")} objects to ${s3.endpoint} in ${seconds(performance.now() - uploadStarted)}`);

    // ---- the two sides -------------------------------------------------------------------------
    const product = async (): Promise<{ ms: number; value: RefreshResult }> =>
      timed(async () => refreshCatalog({ ctx: systemCtx(appDb), input: { environment, store: await backupStoreFor(environment) } }));
    const bare = async (withManifests: boolean): Promise<number> => {
      const started = performance.now();
      const client = new S3Client(s3ClientConfig(settings));
      try {
        const keys = await listKeys(client);
        if (keys.length !== 2 * OBJECTS) throw new Error(`the baseline listed ${keys.length} objects, expected ${2 * OBJECTS}`);
        if (withManifests && (await readManifests(client, keys)) !== OBJECTS) throw new Error("the baseline read the wrong manifests");
        return performance.now() - started;
      } finally {
        client.destroy();
      }
    };
    /** Each catalog row's version; a row written (even to the same values) gets a new xmin and ctid. */
    const rowVersions = async () =>
      new Map(
        (
          await appDb.$queryRaw<Array<{ key: string; version: string }>>`
            SELECT key, xmin::text || '/' || ctid::text AS version FROM backups WHERE environment = ${ENVIRONMENT}`
        ).map((r) => [r.key, r.version]),
      );
    const emptyCatalog = async () => {
      await appDb.$executeRaw`TRUNCATE backups CASCADE`;
      await appDb.$executeRaw`CHECKPOINT`;
    };

    // Untimed: the server's files and both code paths warmed once.
    await bare(true);
    await emptyCatalog();
    await product();

    const cold = { baseline: [] as number[], product: [] as number[], ratios: [] as number[] };
    const warm = {
      baseline: [] as number[],
      product: [] as number[],
      ratios: [] as number[],
      written: [] as number[],
      newVersions: [] as number[],
    };
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    for (let round = 0; round < ROUNDS; round++) {
      const coldBaseline = async () => cold.baseline.push(await bare(true));
      const coldProduct = async () => {
        await emptyCatalog();
        const run = await product();
        if (run.value.rowsWritten !== OBJECTS || run.value.manifestsRead !== OBJECTS)
          throw new Error(`a cold refresh wrote ${run.value.rowsWritten} rows and read ${run.value.manifestsRead} manifests`);
        cold.product.push(run.ms);
        await appDb.$executeRawUnsafe("VACUUM ANALYZE backups");
      };
      for (const step of round % 2 === 0 ? [coldBaseline, coldProduct] : [coldProduct, coldBaseline]) await step();
      cold.ratios.push((cold.product.at(-1) ?? NaN) / (cold.baseline.at(-1) ?? NaN));

      const warmBaseline = async () => warm.baseline.push(await bare(false));
      const warmProduct = async () => {
        const before = await rowVersions();
        const run = await product();
        const after = await rowVersions();
        warm.product.push(run.ms);
        warm.written.push(run.value.rowsWritten);
        warm.newVersions.push([...after].filter(([key, v]) => before.get(key) !== v).length + (before.size - after.size));
        if (run.value.manifestsRead !== 0) throw new Error(`a warm refresh read ${run.value.manifestsRead} manifests`);
      };
      // Twice each, ABBA (BAAB the next round): a listing is short, so a load that rises or falls
      // during the round weighs on both sides alike.
      const warmOrder =
        round % 2 === 0 ? [warmBaseline, warmProduct, warmProduct, warmBaseline] : [warmProduct, warmBaseline, warmBaseline, warmProduct];
      for (const step of warmOrder) await step();
      warm.ratios.push(sum(warm.product.slice(-2)) / sum(warm.baseline.slice(-2)));
      console.log(
        `round ${round + 1}: cold baseline ${seconds(cold.baseline.at(-1) ?? NaN)}, product ${seconds(cold.product.at(-1) ?? NaN)}; ` +
          `warm baseline ${list(warm.baseline.slice(-2), seconds)}, product ${list(warm.product.slice(-2), seconds)} ` +
          `(rows written ${list(warm.written.slice(-2), String)}, new row versions ${list(warm.newVersions.slice(-2), String)})`,
      );
    }

    // ---- the Backups API page on the cached catalog -------------------------------------------
    await appDb.backupCatalogRefresh.create({
      data: {
        environment: ENVIRONMENT,
        status: "ok",
        requestedByEmail: "system",
        finishedAt: new Date(),
        objectCount: 2 * OBJECTS,
        backupCount: OBJECTS,
      },
    });
    const viewer = await createTestUser(appUrl, "viewer");
    const lastPage = Math.max(1, Math.ceil(OBJECTS / PAGE_SIZE));
    const timePage = async (page: number): Promise<number[]> => {
      const call = async () => {
        const started = performance.now();
        const response = await listBackupsRoute(
          apiRequest(`/api/backups?environment=${ENVIRONMENT}&page=${page}&pageSize=${PAGE_SIZE}`, { cookie: viewer.cookie }),
          { params: Promise.resolve({}) },
        );
        const body = await response.text();
        const ms = performance.now() - started;
        const parsed = JSON.parse(body) as { total?: number; backups?: unknown[] };
        if (response.status !== 200 || parsed.total !== OBJECTS || !parsed.backups?.length)
          throw new Error(`GET /api/backups page ${page} answered ${response.status}: ${body.slice(0, 300)}`);
        return ms;
      };
      for (let i = 0; i < 2; i++) await call();
      const times: number[] = [];
      for (let i = 0; i < PAGE_CALLS; i++) times.push(await call());
      return times;
    };
    const firstPage = await timePage(1);
    const finalPage = await timePage(lastPage);

    // ---- figures ---------------------------------------------------------------------------------
    // The goal is judged on each round's own ratio (its runs back to back, so under about the same
    // background load), medianed; the ratio of the medians is printed beside it.
    const coldRatio = median(cold.ratios);
    const warmRatio = median(warm.ratios);
    const ratioOfMedians = (side: { baseline: number[]; product: number[] }) => (median(side.product) / median(side.baseline)).toFixed(2);
    const ratios = (values: number[]) => list(values, (v) => v.toFixed(2));
    const noWrites = warm.written.every((n) => n === 0) && warm.newVersions.every((n) => n === 0);
    const pageOk = median(firstPage) < GOALS.pageMs && median(finalPage) < GOALS.pageMs;
    missed = !(coldRatio <= GOALS.cold && warmRatio <= GOALS.warm && noWrites && pageOk);
    const line = (label: string, figure: string) => `  ${label.padEnd(84)}${figure}`;
    console.log(
      [
        "",
        `cold refresh (empty catalog) — medians of ${ROUNDS}`,
        line(
          `baseline  ListObjectsV2 pages + GetObject of every manifest (${MANIFEST_CONCURRENCY} at a time)`,
          `${seconds(median(cold.baseline))}  ${list(cold.baseline, seconds)}`,
        ),
        line(
          `product   refreshCatalog: list, read every manifest, insert ${OBJECTS.toLocaleString("en")} rows`,
          `${seconds(median(cold.product))}  ${list(cold.product, seconds)}`,
        ),
        line(
          "ratio     product / baseline, median of the rounds' ratios",
          `${coldRatio.toFixed(2)}  ${ratios(cold.ratios)}  (goal ≤ ${GOALS.cold.toFixed(2)}: ${verdict(coldRatio <= GOALS.cold)}); ratio of the medians ${ratioOfMedians(cold)}`,
        ),
        "",
        `warm refresh (nothing changed) — ${ROUNDS} rounds of two runs each; medians of ${2 * ROUNDS} runs`,
        line("baseline  ListObjectsV2 pages alone", `${seconds(median(warm.baseline))}  ${list(warm.baseline, seconds)}`),
        line(
          "product   refreshCatalog: list, compare with the catalog",
          `${seconds(median(warm.product))}  ${list(warm.product, seconds)}`,
        ),
        line(
          "ratio     product / baseline, median of the rounds' ratios",
          `${warmRatio.toFixed(2)}  ${ratios(warm.ratios)}  (goal ≤ ${GOALS.warm.toFixed(2)}: ${verdict(warmRatio <= GOALS.warm)}); ratio of the medians ${ratioOfMedians(warm)}`,
        ),
        line(
          "writes    rowsWritten / new row versions (xmin, ctid) per run",
          `${list(warm.written, String)} / ${list(warm.newVersions, String)}  (goal 0: ${verdict(noWrites)})`,
        ),
        "",
        `Backups API page (GET /api/backups, viewer session, ${PAGE_SIZE} a page) — ${PAGE_CALLS} calls each`,
        line(
          "first page",
          `median ${millis(median(firstPage))}, slowest ${millis(Math.max(...firstPage))}  (goal < ${GOALS.pageMs} ms: ${verdict(median(firstPage) < GOALS.pageMs)})`,
        ),
        line(
          `last page (${lastPage})`,
          `median ${millis(median(finalPage))}, slowest ${millis(Math.max(...finalPage))}  (goal < ${GOALS.pageMs} ms: ${verdict(median(finalPage) < GOALS.pageMs)})`,
        ),
      ].join("\n"),
    );
    if (missed) console.log("\nA goal was missed.");
  } finally {
    await db?.$disconnect().catch(() => {});
    await stopS3?.();
    await cluster.stop("immediate").catch(() => {});
    await rm(base, { recursive: true, force: true });
    await rm(clusterDir, { recursive: true, force: true });
  }
  if (missed) process.exitCode = 1;
}

await main();
