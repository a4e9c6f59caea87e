import { createHash } from "node:crypto";
import { randomUUID } from "node:crypto";
import { DeleteObjectCommand, S3Client } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EnvironmentConfig } from "@/lib/config/schema";
import { createDb, type Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { s3ClientConfig } from "@/lib/providers/aws/s3-backup-store";
import { BackupStoreError, InvalidKeyError } from "@/lib/providers/types";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { startTestS3, type TestS3 } from "@/lib/testing/s3";
import { S3RVER_CREDENTIALS } from "@/scripts/lib/s3-server";
import { getBackup } from "./get-backup";
import { getBackupHealth } from "./get-backup-health";
import { listBackups, ListBackupsInput } from "./list-backups";
import { refreshCatalog } from "./refresh-catalog";
import { verifyBackup } from "./verify-backup";

let s3: TestS3;
let db: Db;

const environment = (name: string) => EnvironmentConfig.parse({ name, backupStore: { kind: "local", path: "/unused" } });
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const manifestFor = (file: string, data: Buffer, extra: Record<string, unknown> = {}) =>
  Buffer.from(
    JSON.stringify({ file, sha256: sha256(data), size: data.length, created_at: "2026-11-20T02:00:00Z", tables: { loans: 3 }, ...extra }),
  );

beforeAll(async () => {
  s3 = await startTestS3();
  db = createDb(await createMigratedDatabase());
});

afterAll(async () => {
  await db?.$disconnect();
  await s3?.stop();
});

async function newVerification(backupId: string) {
  const backup = await db.backup.findUniqueOrThrow({ where: { id: backupId } });
  return db.backupVerification.create({
    data: {
      backupId,
      status: "queued",
      expectedSha256: backup.expectedSha256,
      expectedSize: (backup.manifest as { size: number } | null)?.size ?? null,
      bytesTotal: backup.size,
      requestedByEmail: "tester@example.com",
    },
  });
}

describe("pairing dumps with manifests", () => {
  const prefix = "prod/pg/";
  const dump = Buffer.from("-- PostgreSQL database dump\nSELECT 1;\n-- PostgreSQL database dump complete\n");
  const env = environment("pairing");

  beforeAll(async () => {
    const store = s3.store(prefix);
    await store.write(`${prefix}2026-11-20.sql.gz`, dump);
    await store.write(`${prefix}2026-11-20.manifest.json`, manifestFor("2026-11-20.sql.gz", dump));
    await store.write(`${prefix}2026-11-19.sql.gz`, dump); // no manifest
    await store.write(`${prefix}2026-11-18.sql.gz`, dump);
    await store.write(`${prefix}2026-11-18.manifest.json`, Buffer.from("{ this is not json"));
    await store.write(`${prefix}2026-11-17.sql.gz`, dump);
    await store.write(`${prefix}2026-11-17.manifest.json`, Buffer.from(JSON.stringify({ sha256: "nope", created_at: "yesterday" })));
    await store.write(`${prefix}2026-11-16.sql.gz`, dump);
    await store.write(`${prefix}2026-11-16.manifest.json`, manifestFor("2026-11-15.sql.gz", dump));
    await store.write(`${prefix}2026-11-15.dump`, dump);
    await store.write(
      `${prefix}2026-11-15.manifest.json`,
      manifestFor("2026-11-15.dump", dump, { created_at: "2026-11-15T02:30:00+00:00" }),
    );
    await store.write(`${prefix}README.txt`, Buffer.from("not a backup"));
    await s3.store("prod/").write(`prod/other/2026-11-20.sql.gz`, dump); // beside, not under, the prefix
    await refreshCatalog({ ctx: systemCtx(db), input: { environment: env, store } });
  });

  it("classifies every manifest state and format", async () => {
    const list = await listBackups({ ctx: systemCtx(db), input: ListBackupsInput.parse({ environment: env.name }) });
    const byName = Object.fromEntries(list.backups.map((b) => [b.name, b]));
    expect(Object.keys(byName).sort()).toEqual([
      "2026-11-15.dump",
      "2026-11-16.sql.gz",
      "2026-11-17.sql.gz",
      "2026-11-18.sql.gz",
      "2026-11-19.sql.gz",
      "2026-11-20.sql.gz",
    ]);
    expect(byName["2026-11-20.sql.gz"]).toMatchObject({
      manifestState: "present",
      expectedSha256: sha256(dump),
      format: "plain-gzip",
      takenAt: "2026-11-20T02:00:00.000Z",
    });
    expect(byName["2026-11-19.sql.gz"]).toMatchObject({
      manifestState: "missing",
      expectedSha256: null,
      takenAt: "2026-11-19T00:00:00.000Z",
    });
    expect(byName["2026-11-18.sql.gz"]).toMatchObject({ manifestState: "unreadable", manifestError: "The manifest is not valid JSON." });
    expect(byName["2026-11-17.sql.gz"]?.manifestState).toBe("unreadable");
    expect(byName["2026-11-17.sql.gz"]?.manifestError).toMatch(/sha256/);
    expect(byName["2026-11-16.sql.gz"]).toMatchObject({ manifestState: "names-another-file", expectedSha256: null });
    expect(byName["2026-11-15.dump"]).toMatchObject({ manifestState: "present", format: "custom", takenAt: "2026-11-15T02:30:00.000Z" });
    // Newest first.
    expect(list.backups.map((b) => b.name)[0]).toBe("2026-11-20.sql.gz");
  });

  it("filters by manifest state and date range", async () => {
    const missing = await listBackups({
      ctx: systemCtx(db),
      input: ListBackupsInput.parse({ environment: env.name, manifest: "missing" }),
    });
    expect(missing.backups.map((b) => b.name)).toEqual(["2026-11-19.sql.gz"]);
    const range = await listBackups({
      ctx: systemCtx(db),
      input: ListBackupsInput.parse({ environment: env.name, from: "2026-11-16", to: "2026-11-18" }),
    });
    expect(range.backups.map((b) => b.name)).toEqual(["2026-11-18.sql.gz", "2026-11-17.sql.gz", "2026-11-16.sql.gz"]);
  });

  it("only an admin override makes a manifest-less backup restorable", async () => {
    const row = await db.backup.findFirstOrThrow({ where: { environment: env.name, name: "2026-11-19.sql.gz" } });
    expect((await getBackup({ ctx: systemCtx(db), input: { backupId: row.id } })).restorable.allowed).toBe(false);
    await db.backupRestoreOverride.create({
      data: { backupId: row.id, reason: "only copy we have", grantedById: randomUUID(), grantedByEmail: "admin@example.com" },
    });
    expect((await getBackup({ ctx: systemCtx(db), input: { backupId: row.id } })).restorable).toMatchObject({ allowed: true });
  });
});

describe("streamed verification", () => {
  const prefix = "verify/";
  const env = environment("verify");
  const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);

  beforeAll(async () => {
    const store = s3.store(prefix);
    await store.write(`${prefix}2026-11-20.sql.gz`, data);
    await store.write(`${prefix}2026-11-20.manifest.json`, manifestFor("2026-11-20.sql.gz", data));
    await store.write(`${prefix}2026-11-19.sql.gz`, data);
    await store.write(`${prefix}2026-11-19.manifest.json`, manifestFor("2026-11-19.sql.gz", Buffer.from("something else")));
    // Truncated: the upload stopped short of what the manifest describes.
    await store.write(`${prefix}2026-11-18.sql.gz`, data.subarray(0, 1024 * 1024));
    await store.write(`${prefix}2026-11-18.manifest.json`, manifestFor("2026-11-18.sql.gz", data));
    await refreshCatalog({ ctx: systemCtx(db), input: { environment: env, store } });
  });

  const verify = async (name: string) => {
    const backup = await db.backup.findFirstOrThrow({ where: { environment: env.name, name } });
    const verification = await newVerification(backup.id);
    const outcome = await verifyBackup({ ctx: systemCtx(db), input: { verificationId: verification.id, store: s3.store(prefix) } });
    return {
      outcome,
      verification: await db.backupVerification.findUniqueOrThrow({ where: { id: verification.id } }),
      backup: await db.backup.findUniqueOrThrow({ where: { id: backup.id } }),
    };
  };

  it("a good backup is verified, with every byte counted", async () => {
    const { outcome, verification, backup } = await verify("2026-11-20.sql.gz");
    expect(outcome).toBe("verified");
    expect(verification).toMatchObject({ status: "verified", actualSha256: sha256(data), bytesDone: BigInt(data.length), error: null });
    expect(backup).toMatchObject({ verificationState: "verified", actualSha256: sha256(data) });
    const audit = await db.auditEvent.findFirst({ where: { action: "backup.verify.result", subjectId: backup.id } });
    expect(audit?.payload).toMatchObject({ result: "verified" });
  });

  it("a mismatch reports expected and actual digests", async () => {
    const { outcome, verification } = await verify("2026-11-19.sql.gz");
    expect(outcome).toBe("mismatch");
    expect(verification.error).toContain(sha256(data));
    expect(verification.error).toContain(sha256(Buffer.from("something else")));
  });

  it("a truncated object is a mismatch that says so", async () => {
    const { outcome, verification } = await verify("2026-11-18.sql.gz");
    expect(outcome).toBe("mismatch");
    expect(verification.error).toMatch(/1048576 bytes, the manifest says 3145745 \(truncated\?\)/);
  });

  it("health is green only for a verified backup within the objective, and amber while a recent backup is broken", async () => {
    const health = await getBackupHealth({ ctx: systemCtx(db), input: { environment: env, now: new Date("2026-11-20T12:00:00Z") } });
    // Fresh, but the week's backups include the mismatched and truncated ones verified above.
    expect(health).toMatchObject({ status: "amber", newestVerified: { name: "2026-11-20.sql.gz", ageHours: 10 } });
    expect(health.problems.mismatch).toBeGreaterThanOrEqual(2);
    expect(health.headline).toMatch(/^Fresh, but \d+ recent backups are broken$/);
    expect(health.summary).toMatch(/Of the last 7 days' backups, \d+ failed its checksum/);
    // A week later those are history: only freshness counts.
    const calm = await getBackupHealth({ ctx: systemCtx(db), input: { environment: env, now: new Date("2026-11-28T12:00:00Z") } });
    expect(calm.problems).toEqual({ mismatch: 0, unreadable: 0, noManifest: 0 });
    const late = await getBackupHealth({ ctx: systemCtx(db), input: { environment: env, now: new Date("2026-11-23T12:00:00Z") } });
    expect(late.status).toBe("red");
  });
});

describe("hostile object keys", () => {
  const prefix = "hostile/";
  const env = environment("hostile");
  const longSegment = "a".repeat(200);
  const names = [
    // (No `../` here: s3rver, unlike S3, resolves dot segments onto its own disk. The local store's test covers them.)
    "..hidden; DROP TABLE loans;--.sql.gz",
    "2026-11-20; rm -rf ~.sql.gz",
    `2026-11-21 "quoted" 'single'.sql.gz`,
    "<script>alert(1)</script>.sql.gz",
    "line\nbreak.sql.gz",
    "plus+and space.sql.gz",
    `${Array.from({ length: 6 }, () => longSegment)
      .join("/")
      .slice(0, 1024 - prefix.length - 7)}.sql.gz`,
  ];

  beforeAll(async () => {
    const store = s3.store(prefix);
    for (const name of names) await store.write(prefix + name, Buffer.from(name));
    await refreshCatalog({ ctx: systemCtx(db), input: { environment: env, store } });
  });

  it("are listed and stored exactly, as data", async () => {
    const keys: string[] = [];
    for await (const page of s3.store(prefix).list()) keys.push(...page.map((o) => o.key));
    expect(keys.sort()).toEqual(names.map((n) => prefix + n).sort());
    expect(Buffer.byteLength(keys.find((k) => k.length > 1000) ?? "")).toBe(1024);
    const rows = await db.backup.findMany({ where: { environment: env.name } });
    expect(rows.map((r) => r.name).sort()).toEqual([...names].sort());
  });

  it("cannot be used to read outside the prefix", async () => {
    const store = s3.store(prefix);
    await expect(store.read("other/secret.sql.gz")).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.stat("hostile")).rejects.toBeInstanceOf(InvalidKeyError);
    const { LocalBackupStore } = await import("@/lib/providers/local/local-backup-store");
    await expect(new LocalBackupStore("/tmp").read("../etc/passwd")).rejects.toBeInstanceOf(InvalidKeyError);
  });
});

describe("a store that cannot be used", () => {
  const collect = async (store: ReturnType<TestS3["store"]>) => {
    for await (const page of store.list()) void page;
  };

  it("unreachable, wrong credentials and a missing bucket each say what is wrong", async () => {
    await expect(collect(s3.store("x/", { endpoint: "http://127.0.0.1:9" }))).rejects.toMatchObject({ failure: "unreachable" });
    await expect(collect(s3.store("x/", { credentials: { accessKeyId: "WRONG", secretAccessKey: "wrong" } }))).rejects.toMatchObject({
      failure: "access-denied",
    });
    const missing = collect(s3.store("x/", { bucket: "no-such-bucket" }));
    await expect(missing).rejects.toBeInstanceOf(BackupStoreError);
    await expect(missing).rejects.toMatchObject({ failure: "bucket-missing", message: expect.stringMatching(/does not exist/) });
  });
});

describe("a refresh writes only what changed", () => {
  const prefix = "changes/";
  const env = environment("changes");
  const days = ["2026-11-18", "2026-11-19", "2026-11-20"];
  const dumpOf = (day: string, version = 1) => Buffer.from(`-- dump of ${day}, version ${version}\n`);
  const refresh = () => refreshCatalog({ ctx: systemCtx(db), input: { environment: env, store: s3.store(prefix) } });
  /** Each row's version: PostgreSQL gives a row a new xmin (and ctid) whenever it is written. */
  const versions = async () =>
    Object.fromEntries(
      (
        await db.$queryRaw<Array<{ name: string; version: string }>>`
          SELECT name, xmin::text || '/' || ctid::text AS version FROM backups WHERE environment = ${env.name}`
      ).map((r) => [r.name, r.version]),
    );
  const rowOf = (day: string) => db.backup.findFirstOrThrow({ where: { environment: env.name, name: `${day}.sql.gz` } });

  beforeAll(async () => {
    const store = s3.store(prefix);
    for (const day of days) {
      await store.write(`${prefix}${day}.sql.gz`, dumpOf(day));
      await store.write(`${prefix}${day}.manifest.json`, manifestFor(`${day}.sql.gz`, dumpOf(day), { created_at: `${day}T02:00:00Z` }));
    }
  });

  it("writes every row once, then nothing while the store is unchanged", async () => {
    expect(await refresh()).toEqual({ objectCount: 6, backupCount: 3, manifestsRead: 3, rowsWritten: 3 });
    // A verified backup stays verified across refreshes that find it unchanged.
    await db.backup.update({ where: { id: (await rowOf("2026-11-18")).id }, data: { verificationState: "verified" } });
    const before = await versions();
    expect(await refresh()).toEqual({ objectCount: 6, backupCount: 3, manifestsRead: 0, rowsWritten: 0 });
    expect(await refresh()).toMatchObject({ rowsWritten: 0 });
    expect(await versions()).toEqual(before);
    expect((await rowOf("2026-11-18")).verificationState).toBe("verified");
  });

  it("a changed object or manifest rewrites exactly its row", async () => {
    const store = s3.store(prefix);
    const before = await versions();
    const changed = dumpOf("2026-11-19", 2);
    await store.write(`${prefix}2026-11-19.sql.gz`, changed);
    await store.write(
      `${prefix}2026-11-19.manifest.json`,
      manifestFor("2026-11-19.sql.gz", changed, { created_at: "2026-11-19T02:00:00Z" }),
    );
    expect(await refresh()).toMatchObject({ manifestsRead: 1, rowsWritten: 1 });
    const after = await versions();
    expect(after["2026-11-19.sql.gz"]).not.toBe(before["2026-11-19.sql.gz"]);
    expect({ ...after, "2026-11-19.sql.gz": null }).toEqual({ ...before, "2026-11-19.sql.gz": null });
    expect(await rowOf("2026-11-19")).toMatchObject({ expectedSha256: sha256(changed), size: BigInt(changed.length) });

    // The manifest alone: a new created_at moves the backup's date.
    await store.write(
      `${prefix}2026-11-20.manifest.json`,
      manifestFor("2026-11-20.sql.gz", dumpOf("2026-11-20"), { created_at: "2026-11-20T03:30:00Z" }),
    );
    expect(await refresh()).toMatchObject({ manifestsRead: 1, rowsWritten: 1 });
    expect((await rowOf("2026-11-20")).takenAt.toISOString()).toBe("2026-11-20T03:30:00.000Z");
    // The verified, unchanged backup was never touched.
    expect((await versions())["2026-11-18.sql.gz"]).toBe(before["2026-11-18.sql.gz"]);
    expect((await rowOf("2026-11-18")).verificationState).toBe("verified");
  });

  it("a dump replaced under the same manifest keeps the stored manifest and loses its verification", async () => {
    const before = await rowOf("2026-11-18");
    await s3.store(prefix).write(`${prefix}2026-11-18.sql.gz`, dumpOf("2026-11-18", 2));
    expect(await refresh()).toMatchObject({ manifestsRead: 0, rowsWritten: 1 });
    const after = await rowOf("2026-11-18");
    expect(after.etag).not.toBe(before.etag);
    expect(after).toMatchObject({ manifestState: "present", expectedSha256: before.expectedSha256, verificationState: "never" });
    expect(after.manifest).toEqual(before.manifest);
    expect(await refresh()).toMatchObject({ rowsWritten: 0 });
  });

  it("a removed object is marked removed once, and restored when it comes back", async () => {
    const client = new S3Client(
      s3ClientConfig({
        bucket: s3.bucket,
        prefix,
        endpoint: s3.server.endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { ...S3RVER_CREDENTIALS },
      }),
    );
    try {
      await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: `${prefix}2026-11-18.sql.gz` }));
    } finally {
      client.destroy();
    }
    expect(await refresh()).toMatchObject({ backupCount: 2, rowsWritten: 1 });
    const removed = await rowOf("2026-11-18");
    expect(removed.removedAt).not.toBeNull();
    const list = await listBackups({ ctx: systemCtx(db), input: ListBackupsInput.parse({ environment: env.name }) });
    expect(list.backups.map((b) => b.name)).toEqual(["2026-11-20.sql.gz", "2026-11-19.sql.gz"]);
    // Still gone: nothing to write, and the removal keeps its time.
    expect(await refresh()).toMatchObject({ rowsWritten: 0 });
    expect((await rowOf("2026-11-18")).removedAt).toEqual(removed.removedAt);

    await s3.store(prefix).write(`${prefix}2026-11-18.sql.gz`, dumpOf("2026-11-18"));
    expect(await refresh()).toMatchObject({ backupCount: 3, rowsWritten: 1 });
    expect((await rowOf("2026-11-18")).removedAt).toBeNull();
  });

  it("last_seen_at moves once it is a day old, not on every refresh", async () => {
    const row = await rowOf("2026-11-19");
    const dayAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
    await db.backup.update({ where: { id: row.id }, data: { lastSeenAt: dayAgo } });
    expect(await refresh()).toMatchObject({ manifestsRead: 0, rowsWritten: 1 });
    const after = await rowOf("2026-11-19");
    expect(after.lastSeenAt.getTime()).toBeGreaterThan(dayAgo.getTime() + 60 * 60 * 1000);
    // Rebuilt from the stored manifest, which it keeps.
    expect(after).toMatchObject({
      manifestState: "present",
      manifest: row.manifest,
      expectedSha256: row.expectedSha256,
      takenAt: row.takenAt,
    });
    expect(await refresh()).toMatchObject({ rowsWritten: 0 });
  });
});

describe("10,000 objects", () => {
  const prefix = "many/";
  const env = environment("many");
  const count = 5_000; // dumps, each with a manifest: 10,000 objects

  beforeAll(async () => {
    const store = s3.store(prefix);
    const limit = pLimit(32);
    const body = Buffer.from("x");
    await Promise.all(
      Array.from({ length: count }, (_, i) => {
        const day = new Date(Date.UTC(2000, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
        return limit(async () => {
          await store.write(`${prefix}${day}.sql.gz`, body);
          await store.write(`${prefix}${day}.manifest.json`, manifestFor(`${day}.sql.gz`, body, { created_at: `${day}T02:00:00Z` }));
        });
      }),
    );
  }, 300_000);

  it("pages through every object and catalogs every pair; a second refresh reads no manifest again", async () => {
    let pages = 0;
    let objects = 0;
    for await (const page of s3.store(prefix).list()) {
      pages++;
      objects += page.length;
    }
    expect(objects).toBe(2 * count);
    expect(pages).toBeGreaterThanOrEqual(10);

    const first = await refreshCatalog({ ctx: systemCtx(db), input: { environment: env, store: s3.store(prefix) } });
    expect(first).toEqual({ objectCount: 2 * count, backupCount: count, manifestsRead: count, rowsWritten: count });
    const second = await refreshCatalog({ ctx: systemCtx(db), input: { environment: env, store: s3.store(prefix) } });
    expect(second.manifestsRead).toBe(0);
    expect(second.rowsWritten).toBe(0);

    const page3 = await listBackups({
      ctx: systemCtx(db),
      input: ListBackupsInput.parse({ environment: env.name, page: 3, pageSize: 100 }),
    });
    expect(page3.total).toBe(count);
    expect(page3.pageCount).toBe(50);
    expect(page3.backups).toHaveLength(100);
    expect(page3.backups.every((b) => b.manifestState === "present")).toBe(true);
  }, 300_000);
});
