import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Objectives } from "@/lib/config/schema";
import type { Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { startRestoreTestApp, writeRestoreConfig, type RestoreTestApp } from "@/lib/testing/restore-runs";
import { loadMethodFacts } from "./method-facts";

// What the method advice is told about an environment, read from the configuration and the catalog.

let app: RestoreTestApp;
let db: Db;
const ctx = () => systemCtx(db);

async function backup(environment: string, name: string, state: { manifestState?: string; verificationState?: string; removedAt?: Date }) {
  const at = new Date();
  await db.backup.create({
    data: {
      environment,
      key: `${environment}/${name}`,
      name,
      size: 10n,
      lastModified: at,
      takenAt: at,
      format: "plain-gzip",
      manifestKey: `${environment}/${name}.manifest.json`,
      manifestState: "present",
      lastSeenAt: at,
      ...state,
    },
  });
}

beforeAll(async () => {
  app = await startRestoreTestApp("rc-method-facts-it-");
  db = app.db;
  await writeRestoreConfig(app.tempDir, {
    environments: [
      { name: "main", protected: true, targets: { prod: "unused" } },
      { name: "spare", protected: false, targets: { dev: "unused" } },
    ],
    user: "nobody",
    password: "unused",
    s3: app.s3,
    prefix: "facts/",
    envPrefix: "RC_FACTS",
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

describe("method facts", () => {
  it("an environment without a PITR source, and only refused or removed backups: nothing to restore from", async () => {
    await backup("main", "no-manifest.sql.gz", { manifestState: "missing" });
    await backup("main", "bad-checksum.sql.gz", { verificationState: "mismatch" });
    await backup("main", "failed.sql.gz", { verificationState: "failed" });
    await backup("main", "removed.sql.gz", { removedAt: new Date() });
    await backup("spare", "spare.sql.gz", {});
    expect(await loadMethodFacts(ctx(), "main")).toEqual({
      environment: "main",
      pitr: { state: "absent" },
      hasRestorableBackup: false,
      objectives: Objectives.parse({}),
    });
  });

  it("a backup with a manifest and no failed checksum is restorable; no name means the default environment", async () => {
    await backup("main", "good.sql.gz", { verificationState: "verified" });
    expect(await loadMethodFacts(ctx())).toMatchObject({ environment: "main", hasRestorableBackup: true });
    expect(await loadMethodFacts(ctx(), "spare")).toMatchObject({ environment: "spare", hasRestorableBackup: true });
  });

  it("an environment no longer configured: no facts", async () => {
    expect(await loadMethodFacts(ctx(), "gone")).toBeNull();
  });
});
