import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { demoConfig, demoRoot } from "@/lib/config/demo";
import { ConfigFile } from "@/lib/config/schema";

afterEach(() => vi.unstubAllEnvs());

function unsetDemoEnv() {
  for (const name of ["RESTORE_CONSOLE_DATA_DIR", "DEMO_S3_ENDPOINT", "DEMO_S3_DR_ENDPOINT", "DEMO_PG_PORT"]) vi.stubEnv(name, undefined);
}

describe("demoConfig", () => {
  it("describes the demo environment with the run command's defaults", () => {
    unsetDemoEnv();
    const config = demoConfig({ cwd: "/srv/console" });
    expect(ConfigFile.safeParse(config).success).toBe(true);
    expect(config.environments).toHaveLength(1);
    const [demo] = config.environments;
    expect(demo).toMatchObject({
      name: "demo",
      displayName: "Demo (LoanServe on this machine)",
      protected: false,
      pitr: {
        provider: "local",
        dataDir: "/srv/console/.data/demo/production/data",
        archiveDir: "/srv/console/.data/demo/wal-archive",
        baseBackupDir: "/srv/console/.data/demo/base-backups",
        restoreDir: "/srv/console/.data/demo/pitr-restores",
        host: "127.0.0.1",
        port: 54329,
        database: "loanserve",
        user: "postgres",
        passwordFrom: { env: "DEMO_PG_PASSWORD" },
      },
      backupStore: {
        kind: "s3",
        bucket: "loanserve-backups",
        prefix: "prod/pg/",
        endpoint: "http://127.0.0.1:4569",
        forcePathStyle: true,
        accessKeyIdFrom: { env: "DEMO_S3_ACCESS_KEY_ID" },
        secretAccessKeyFrom: { env: "DEMO_S3_SECRET_ACCESS_KEY" },
      },
    });
    // A second local S3 server plays the DR region, with its own bucket; same credentials (s3rver's).
    expect(demo?.backupReplicas).toEqual([
      {
        name: "dr",
        label: "us-west-2 (DR, demo)",
        store: {
          kind: "s3",
          bucket: "loanserve-backups-dr",
          prefix: "prod/pg/",
          endpoint: "http://127.0.0.1:4570",
          region: "us-west-2",
          forcePathStyle: true,
          accessKeyIdFrom: { env: "DEMO_S3_ACCESS_KEY_ID" },
          secretAccessKeyFrom: { env: "DEMO_S3_SECRET_ACCESS_KEY" },
        },
      },
    ]);
    expect(demoRoot({ cwd: "/srv/console" })).toBe("/srv/console/.data/demo");
    expect(demo?.restoreTargets).toEqual([
      // Not a superuser: the demo restores through the least-privilege loader, like a managed database.
      {
        name: "demo-production",
        host: "127.0.0.1",
        port: 54329,
        database: "loanserve",
        user: "restore_admin",
        passwordFrom: { env: "DEMO_RESTORE_PASSWORD" },
        ownerRole: "loanserve",
        sslMode: "disable",
        maintenanceDatabase: "postgres",
      },
      {
        name: "demo-dr",
        host: "127.0.0.1",
        port: 54329,
        database: "loanserve_dr",
        user: "restore_admin",
        passwordFrom: { env: "DEMO_RESTORE_PASSWORD" },
        ownerRole: "loanserve",
        sslMode: "disable",
        maintenanceDatabase: "postgres",
      },
      {
        name: "demo-drill",
        host: "127.0.0.1",
        port: 54329,
        database: "loanserve_drill",
        user: "restore_admin",
        passwordFrom: { env: "DEMO_RESTORE_PASSWORD" },
        ownerRole: "loanserve",
        sslMode: "disable",
        maintenanceDatabase: "postgres",
        production: false,
      },
    ]);
    // Drills restore onto the sandbox target, nightly, and never onto a database anyone uses.
    expect(demo?.drills).toEqual({ schedule: "0 4 * * *", timeZone: "UTC", target: "demo-drill", backup: "newest-verified", pitr: true });
    // Defaults come from the schema, as for a file.
    expect(demo?.objectives.rto.pitr).toEqual({ minMinutes: 15, maxMinutes: 45 });
    expect(demo?.backupFreshness).toEqual({ maxAgeHours: 24 });
  });

  it("follows the run command's environment variables", () => {
    vi.stubEnv("RESTORE_CONSOLE_DATA_DIR", "state");
    vi.stubEnv("DEMO_S3_ENDPOINT", "http://127.0.0.1:9000");
    vi.stubEnv("DEMO_S3_DR_ENDPOINT", "http://127.0.0.1:9001");
    vi.stubEnv("DEMO_PG_PORT", "6543");
    const [demo] = demoConfig({ cwd: "/srv/console" }).environments;
    expect(demo?.backupReplicas[0]?.store).toMatchObject({ endpoint: "http://127.0.0.1:9001" });
    expect(demoRoot({ cwd: "/srv/console" })).toBe("/srv/console/state/demo");
    expect(demo?.pitr).toMatchObject({ archiveDir: path.join("/srv/console/state/demo/wal-archive"), port: 6543 });
    expect(demo?.backupStore).toMatchObject({ endpoint: "http://127.0.0.1:9000" });
    expect(demo?.restoreTargets.map((t) => t.port)).toEqual([6543, 6543, 6543]);
  });

  it("falls back instead of throwing on unusable values", () => {
    vi.stubEnv("DEMO_S3_ENDPOINT", "not a url");
    vi.stubEnv("DEMO_S3_DR_ENDPOINT", "ftp://127.0.0.1:9001");
    vi.stubEnv("DEMO_PG_PORT", "99999");
    vi.stubEnv("RESTORE_CONSOLE_DATA_DIR", "   ");
    const [demo] = demoConfig({ cwd: "/srv/console" }).environments;
    expect(demo?.pitr).toMatchObject({ port: 54329, dataDir: "/srv/console/.data/demo/production/data" });
    expect(demo?.backupStore).toMatchObject({ endpoint: "http://127.0.0.1:4569" });
    expect(demo?.backupReplicas[0]?.store).toMatchObject({ endpoint: "http://127.0.0.1:4570" });
    vi.stubEnv("DEMO_S3_ENDPOINT", "http://user:pw@127.0.0.1:9000");
    vi.stubEnv("DEMO_PG_PORT", "54a");
    const [again] = demoConfig({ cwd: "/srv/console" }).environments;
    expect(again?.backupStore).toMatchObject({ endpoint: "http://127.0.0.1:4569" });
    expect(again?.pitr).toMatchObject({ port: 54329 });
  });
});
