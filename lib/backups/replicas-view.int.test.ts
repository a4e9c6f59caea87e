import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { resetConfigCache } from "@/lib/config/load-config";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { EnvironmentConfig, type ConfigFileInput } from "@/lib/config/schema";
import { createDb, type Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { startTestS3, type TestS3 } from "@/lib/testing/s3";
import { S3RVER_CREDENTIALS } from "@/scripts/lib/s3-server";
import { getBackup } from "./get-backup";
import { listBackups, ListBackupsInput } from "./list-backups";
import { refreshCatalog } from "./refresh-catalog";
import { refreshReplicas } from "./refresh-replicas";
import { getReplicaHealth } from "./replica-health";
import { backupStoreFor } from "./store-for-environment";

// What the backups list and a backup's page say of its replicas: read from the catalog's copy rows,
// named and ordered as the configuration names them.

const ENV = "replicas-view";
const AN_INSTANT = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/);
const PREFIX = "prod/pg/";
const DR_PREFIX = "dr/pg/";

let primaryS3: TestS3;
let replicaS3: TestS3;
let db: Db;
let dbUrl: string;
let dir: string;

const ctx = () => systemCtx(db);
const dump = (night: string, extra = "") =>
  Buffer.from(`-- PostgreSQL database dump ${night}${extra}\n-- PostgreSQL database dump complete\n`);
const manifestFor = (file: string, data: Buffer) =>
  Buffer.from(
    JSON.stringify({
      file,
      sha256: createHash("sha256").update(data).digest("hex"),
      size: data.length,
      created_at: `${file.slice(0, 10)}T02:00:00Z`,
    }),
  );

async function writeConfig(): Promise<void> {
  const s3Store = (s3: TestS3, prefix: string) => ({
    kind: "s3" as const,
    bucket: s3.bucket,
    prefix,
    endpoint: s3.server.endpoint,
    forcePathStyle: true,
    accessKeyIdFrom: { env: "RV_S3_KEY" },
    secretAccessKeyFrom: { env: "RV_S3_SECRET" },
  });
  const config: ConfigFileInput = {
    version: 1,
    environments: [
      {
        name: ENV,
        backupStore: s3Store(primaryS3, PREFIX),
        backupReplicas: [
          { name: "us-west-2", label: "us-west-2 (DR)", store: s3Store(replicaS3, DR_PREFIX) },
          // Never listed: its folder does not exist.
          { name: "nas", store: { kind: "local", path: path.join(dir, "no-such-folder") } },
        ],
      },
    ],
  };
  const file = path.join(dir, "restore-console.json");
  await writeFile(file, JSON.stringify(config));
  vi.stubEnv("RESTORE_CONSOLE_CONFIG", file);
  vi.stubEnv("RV_S3_KEY", S3RVER_CREDENTIALS.accessKeyId);
  vi.stubEnv("RV_S3_SECRET", S3RVER_CREDENTIALS.secretAccessKey);
  resetConfigCache();
}

beforeAll(async () => {
  [primaryS3, replicaS3] = await Promise.all([startTestS3(), startTestS3()]);
  dbUrl = await createMigratedDatabase();
  db = createDb(dbUrl);
  dir = await mkdtemp(path.join(tmpdir(), "rc-replicas-view-"));
  await writeConfig();

  const primary = primaryS3.store(PREFIX);
  const replica = replicaS3.store(DR_PREFIX);
  for (const night of ["2026-11-19", "2026-11-20", "2026-11-21"]) {
    await primary.write(`${PREFIX}${night}.sql.gz`, dump(night));
    await primary.write(`${PREFIX}${night}.manifest.json`, manifestFor(`${night}.sql.gz`, dump(night)));
  }
  // 19th: an exact copy. 20th: never arrived. 21st: other bytes under the same name.
  await replica.write(`${DR_PREFIX}2026-11-19.sql.gz`, dump("2026-11-19"));
  await replica.write(`${DR_PREFIX}2026-11-21.sql.gz`, dump("2026-11-21", " truncated elsewhere"));

  const environment = resolveEnvironment(ENV);
  await refreshCatalog({ ctx: ctx(), input: { environment, store: await backupStoreFor(environment) } });
  await refreshReplicas({ ctx: ctx(), input: { environment, openStore: (r) => backupStoreFor(environment, r.name) } });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  resetConfigCache();
  await db?.$disconnect();
  await Promise.all([primaryS3?.stop(), replicaS3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function backupId(name: string): Promise<string> {
  return (await db.backup.findFirstOrThrow({ where: { environment: ENV, name } })).id;
}

describe("the backups list", () => {
  it("gives every backup each configured replica's copy, in the configuration's order", async () => {
    const list = await listBackups({ ctx: ctx(), input: ListBackupsInput.parse({ environment: ENV }) });
    const byName = Object.fromEntries(list.backups.map((b) => [b.name, b.replicas]));
    const unchecked = { name: "nas", label: "nas", state: "unchecked", lastModified: null };
    expect(byName["2026-11-19.sql.gz"]).toEqual([
      { name: "us-west-2", label: "us-west-2 (DR)", state: "same", lastModified: AN_INSTANT },
      unchecked,
    ]);
    expect(byName["2026-11-20.sql.gz"]).toEqual([
      { name: "us-west-2", label: "us-west-2 (DR)", state: "missing", lastModified: null },
      unchecked,
    ]);
    expect(byName["2026-11-21.sql.gz"]?.[0]).toMatchObject({ state: "differs", lastModified: AN_INSTANT });
  });

  it("filters and pages as before, the copies riding along", async () => {
    const page = await listBackups({ ctx: ctx(), input: ListBackupsInput.parse({ environment: ENV, search: "11-21", pageSize: 10 }) });
    expect(page.total).toBe(1);
    expect(page.backups[0]?.replicas.map((r) => r.state)).toEqual(["differs", "unchecked"]);
  });

  it("reads the copies of a whole page in one statement, not one per backup", async () => {
    const logged = new PrismaClient({ adapter: new PrismaPg({ connectionString: dbUrl }), log: [{ emit: "event", level: "query" }] });
    const statements: string[] = [];
    logged.$on("query", (event) => statements.push(event.query));
    try {
      await listBackups({ ctx: systemCtx(logged), input: ListBackupsInput.parse({ environment: ENV }) });
    } finally {
      await logged.$disconnect();
    }
    expect(statements.filter((sql) => sql.includes("backup_replica_copies"))).toHaveLength(1);
  });
});

describe("a backup's copies", () => {
  it("lists the primary's object and an exact copy with the same size and ETag", async () => {
    const { copies, backup } = await getBackup({ ctx: ctx(), input: { backupId: await backupId("2026-11-19.sql.gz") } });
    expect(copies.primary).toMatchObject({
      location: `s3://${primaryS3.bucket}/${PREFIX} at ${primaryS3.server.endpoint}`,
      size: backup.size,
      lastModified: backup.lastModified,
    });
    expect(copies.primary.etag).toBeTruthy();
    const [dr, nas] = copies.replicas;
    expect(dr).toMatchObject({
      name: "us-west-2",
      label: "us-west-2 (DR)",
      location: `s3://${replicaS3.bucket}/${DR_PREFIX} at ${replicaS3.server.endpoint}`,
      state: "same",
      size: backup.size,
      etag: copies.primary.etag,
      differences: [],
    });
    expect(dr?.observedAt).toEqual(AN_INSTANT);
    expect(nas).toMatchObject({ name: "nas", state: "unchecked", size: null, etag: null, observedAt: null });
    expect(backup.replicas.map((r) => r.state)).toEqual(["same", "unchecked"]);
  });

  it("says what differs of a copy that is not exact, and shows a missing one as missing", async () => {
    const differs = await getBackup({ ctx: ctx(), input: { backupId: await backupId("2026-11-21.sql.gz") } });
    expect(differs.copies.replicas[0]).toMatchObject({ state: "differs", differences: ["size", "ETag"] });
    expect(differs.copies.replicas[0]?.size).not.toBe(differs.backup.size);

    const missing = await getBackup({ ctx: ctx(), input: { backupId: await backupId("2026-11-20.sql.gz") } });
    expect(missing.copies.replicas[0]).toMatchObject({ state: "missing", size: null, lastModified: null, differences: [] });
  });

  it("counts a replica whose listing never worked as not checked, not as missing", async () => {
    const health = await getReplicaHealth({
      ctx: ctx(),
      input: { environment: resolveEnvironment(ENV), now: new Date("2026-11-22T12:00:00Z") },
    });
    const nas = health.find((replica) => replica.name === "nas");
    expect(nas?.recent).toEqual({ same: 0, differs: 0, missing: 0, unchecked: 3 });
    expect(nas?.summary).toContain("3 backups of the last 7 days not checked yet");
    expect(nas?.listing?.error).toBeTruthy();
  });

  it("an environment no longer configured keeps its catalog, without replicas or a location", async () => {
    const gone = EnvironmentConfig.parse({ name: "gone", backupStore: { kind: "local", path: "/unused" } });
    await refreshCatalog({ ctx: ctx(), input: { environment: gone, store: primaryS3.store(PREFIX) } });
    const list = await listBackups({ ctx: ctx(), input: ListBackupsInput.parse({ environment: "gone" }) });
    expect(list.backups.length).toBe(3);
    expect(list.backups.every((b) => b.replicas.length === 0)).toBe(true);
    const detail = await getBackup({ ctx: ctx(), input: { backupId: list.backups[0]?.id ?? "" } });
    expect(detail.copies).toMatchObject({ primary: { location: null }, replicas: [] });
  });
});
