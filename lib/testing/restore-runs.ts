import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { stringify } from "yaml";
import { resetConfigCache } from "@/lib/config/load-config";
import type { ConfigFileInput } from "@/lib/config/schema";
import { createDb, type Db } from "@/lib/db/client";
import { installJobSchema } from "@/lib/jobs/boss";
import { getRestoreRun } from "@/lib/restore/get-restore-run";
import type { BackupStore } from "@/lib/providers/types";
import type { DumpManifest } from "@/scripts/lib/demo/nightly-dump";
import { applyLoanServeSchema, seedLoanServe } from "@/scripts/lib/demo/seed-loanserve";
import { S3RVER_CREDENTIALS } from "@/scripts/lib/s3-server";
import { useTestEnv } from "./auth";
import { adminUrl, createMigratedDatabase, withDatabase } from "./databases";
import { startTestS3, type TestS3 } from "./s3";
import { collect } from "./streams";
import { systemCtx } from "@/lib/db/ctx";

// What the restore integration tests share: the app and its services, LoanServe databases to
// restore, a configuration whose environments restore from the test S3 server into the shared
// test cluster, finding a backup and waiting for a run.

export interface RestoreTestApp {
  /** The app's own database: migrated, with the job schema, and the app's env pointed at it. */
  appUrl: string;
  db: Db;
  s3: TestS3;
  /** A temporary folder for the configuration file and whatever else a test writes. */
  tempDir: string;
  /** Disconnects and removes all of the above; stop the worker first. */
  stop(): Promise<void>;
}

export async function startRestoreTestApp(tempPrefix: string): Promise<RestoreTestApp> {
  const s3 = await startTestS3();
  const appUrl = await createMigratedDatabase();
  // eslint-disable-next-line react-hooks/rules-of-hooks -- useTestEnv sets process.env; it is no React hook.
  useTestEnv(appUrl);
  await installJobSchema(appUrl);
  const db = createDb(appUrl);
  const tempDir = await mkdtemp(path.join(tmpdir(), tempPrefix));
  return {
    appUrl,
    db,
    s3,
    tempDir,
    async stop() {
      await db.$disconnect();
      await s3.stop();
      await rm(tempDir, { recursive: true, force: true });
      resetConfigCache();
    },
  };
}

/** LoanServe in `source` (the dumps' "production") and in each target, with different data, so a swap is visible. */
export async function seedLoanServeDatabases(source: string, targets: string[]): Promise<void> {
  await applyLoanServeSchema(withDatabase(adminUrl(), source));
  await seedLoanServe(withDatabase(adminUrl(), source), { scale: 0.05, now: new Date("2026-11-20T12:00:00Z") });
  for (const database of targets) {
    await applyLoanServeSchema(withDatabase(adminUrl(), database));
    await seedLoanServe(withDatabase(adminUrl(), database), { scale: 0.04, now: new Date("2026-11-10T12:00:00Z") });
  }
}

export type RunDetail = Awaited<ReturnType<typeof getRestoreRun>>;

/** Polls the run until its status is one of `statuses`; on timeout, says what it last saw. */
export async function waitForRunStatus(db: Db, runId: string, statuses: string[], timeoutMs = 60_000): Promise<RunDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const detail = await getRestoreRun({ ctx: systemCtx(db), input: { runId } });
    if (statuses.includes(detail.run.status)) return detail;
    if (Date.now() > deadline) {
      const steps = detail.steps.map((s) => `${s.name}: ${s.status}`).join(", ");
      throw new Error(
        `run ${runId} did not become ${statuses.join(" or ")}; last seen ${detail.run.status} (${steps}) ${detail.run.error ?? ""}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** The catalog id of the backup `name` in `environment` (after a catalog refresh). */
export async function backupIdOf(db: Db, environment: string, name: string): Promise<string> {
  return (await db.backup.findFirstOrThrow({ where: { environment, name }, select: { id: true } })).id;
}

type EnvironmentInput = ConfigFileInput["environments"][number];

export interface TestRestoreEnvironment {
  name: string;
  protected: boolean;
  /** Restore target name → the database on the shared test cluster it restores over. */
  targets: Record<string, string>;
  validation?: EnvironmentInput["validation"];
  fourEyes?: EnvironmentInput["fourEyes"];
  notifications?: EnvironmentInput["notifications"];
  drills?: EnvironmentInput["drills"];
}

export interface TestRestoreConfig {
  /** The first one is the default environment. */
  environments: TestRestoreEnvironment[];
  /** The role every target connects as, and its password. */
  user: string;
  password: string;
  /** Every environment reads its backups here. */
  s3: TestS3;
  prefix: string;
  /** Names the variables the secrets travel in: `<envPrefix>_TARGET_PASSWORD`, `_S3_KEY`, `_S3_SECRET`. */
  envPrefix: string;
  /** A second S3 server every environment declares as its backup replica (another region). */
  replica?: { name: string; label: string; s3: TestS3; prefix: string };
}

/** The configuration file's text; secrets are references to the variables `writeRestoreConfig` sets. */
export function restoreConfigYaml(config: TestRestoreConfig): string {
  const { s3, envPrefix, replica } = config;
  const s3Store = (server: TestS3, prefix: string) => ({
    kind: "s3" as const,
    bucket: server.bucket,
    prefix,
    endpoint: server.server.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    accessKeyIdFrom: { env: `${envPrefix}_S3_KEY` },
    secretAccessKeyFrom: { env: `${envPrefix}_S3_SECRET` },
  });
  const port = Number(new URL(adminUrl()).port);
  const file: ConfigFileInput = {
    version: 1,
    defaultEnvironment: config.environments[0]?.name,
    environments: config.environments.map((environment) => ({
      name: environment.name,
      protected: environment.protected,
      backupStore: s3Store(s3, config.prefix),
      ...(replica ? { backupReplicas: [{ name: replica.name, label: replica.label, store: s3Store(replica.s3, replica.prefix) }] } : {}),
      restoreTargets: Object.entries(environment.targets).map(([name, database]) => ({
        name,
        host: "127.0.0.1",
        port,
        database,
        user: config.user,
        passwordFrom: { env: `${envPrefix}_TARGET_PASSWORD` },
        sslMode: "disable",
      })),
      ...(environment.validation ? { validation: environment.validation } : {}),
      ...(environment.fourEyes ? { fourEyes: environment.fourEyes } : {}),
      ...(environment.notifications ? { notifications: environment.notifications } : {}),
      ...(environment.drills ? { drills: environment.drills } : {}),
    })),
  };
  return stringify(file);
}

/** Writes the configuration into `dir`, points the app at it with its secrets set, and drops the cached one. */
export async function writeRestoreConfig(dir: string, config: TestRestoreConfig): Promise<void> {
  const configFile = path.join(dir, "restore-console.yaml");
  await writeFile(configFile, restoreConfigYaml(config));
  process.env.RESTORE_CONSOLE_CONFIG = configFile;
  process.env[`${config.envPrefix}_S3_KEY`] = S3RVER_CREDENTIALS.accessKeyId;
  process.env[`${config.envPrefix}_S3_SECRET`] = S3RVER_CREDENTIALS.secretAccessKey;
  process.env[`${config.envPrefix}_TARGET_PASSWORD`] = config.password;
  resetConfigCache();
}

/**
 * Writes `<date>.sql.gz` beside the plain dump `from` (`<prefix><date>.sql.gz`): its SQL changed by
 * `transform`, with a manifest that matches it, so it is a valid backup that behaves differently
 * (sleeps, carries hostile statements…).
 */
export async function writeChangedDump(
  store: BackupStore,
  args: { prefix: string; from: string; manifest: DumpManifest; date: string; transform: (sql: string) => string },
): Promise<void> {
  const original = await collect(await store.read(`${args.prefix}${args.from}.sql.gz`));
  const changed = gzipSync(Buffer.from(args.transform(gunzipSync(original).toString("utf8"))));
  const file = `${args.date}.sql.gz`;
  await store.write(`${args.prefix}${file}`, changed);
  const manifest = {
    ...args.manifest,
    file,
    created_at: `${args.date}T02:00:00.000Z`,
    sha256: createHash("sha256").update(changed).digest("hex"),
    size: changed.length,
  };
  await store.write(`${args.prefix}${args.date}.manifest.json`, Buffer.from(JSON.stringify(manifest)));
}

/** The dump with `SELECT pg_sleep(seconds)` before its end marker: a valid backup whose restore takes a while. */
export function sleepBeforeEnd(seconds: number): (sql: string) => string {
  const marker = "-- PostgreSQL database dump complete";
  return (sql) => {
    if (!sql.includes(marker)) throw new Error("the dump has no end marker");
    return sql.replace(marker, `SELECT pg_sleep(${seconds});\n\n${marker}`);
  };
}
