import { describe, expect, it } from "vitest";
import {
  BackupStore,
  EnvironmentConfig,
  PitrSource,
  RestoreTargetConfig,
  SecretRef,
  ValidationCheck,
  ValidationExpectation,
  parseConfigFile,
} from "@/lib/config/schema";
import { DEFAULT_RESTORE_JOBS } from "@/lib/restore/logical/plan";

/** The issues of a failed parse as `path: message` strings (paths joined with dots). */
function issuesOf(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  expect(result.success).toBe(false);
  return (result.error?.issues ?? []).map((i) => `${i.path.map(String).join(".")}: ${i.message}`);
}

const RUNBOOK_OBJECTIVES = {
  rto: {
    pitr: { minMinutes: 15, maxMinutes: 45 },
    logical: { minMinutes: 30, maxMinutes: 120 },
    crossRegion: { minMinutes: 60, maxMinutes: 180 },
  },
  rpo: { pitr: { minutes: 5 }, logical: { minutes: 1440 } },
};

describe("EnvironmentConfig defaults", () => {
  it("applies the runbook's objectives and derives backup freshness from the logical RPO", () => {
    const env = EnvironmentConfig.parse({ name: "prod" });
    expect(env.objectives).toEqual(RUNBOOK_OBJECTIVES);
    expect(env.backupFreshness).toEqual({ maxAgeHours: 24 });
    expect(env).toMatchObject({ protected: false, restoreTargets: [], validation: { checks: [] } });
  });

  it("keeps the other defaults when only rpo.logical is overridden", () => {
    const env = EnvironmentConfig.parse({ name: "prod", objectives: { rpo: { logical: { minutes: 720 } } } });
    expect(env.objectives).toEqual({ ...RUNBOOK_OBJECTIVES, rpo: { pitr: { minutes: 5 }, logical: { minutes: 720 } } });
    expect(env.backupFreshness).toEqual({ maxAgeHours: 12 });
  });

  it("prefers an explicit backupFreshness over the RPO", () => {
    const env = EnvironmentConfig.parse({ name: "prod", backupFreshness: { maxAgeHours: 30 } });
    expect(env.backupFreshness).toEqual({ maxAgeHours: 30 });
  });

  it("overrides one RTO range and keeps the others", () => {
    const env = EnvironmentConfig.parse({ name: "prod", objectives: { rto: { logical: { minMinutes: 10, maxMinutes: 20 } } } });
    expect(env.objectives.rto).toEqual({ ...RUNBOOK_OBJECTIVES.rto, logical: { minMinutes: 10, maxMinutes: 20 } });
  });

  it("rejects an RTO range whose maximum is below its minimum", () => {
    const result = EnvironmentConfig.safeParse({ name: "prod", objectives: { rto: { pitr: { minMinutes: 50, maxMinutes: 40 } } } });
    expect(issuesOf(result)).toEqual(["objectives.rto.pitr.maxMinutes: must not be less than minMinutes"]);
  });

  it("rejects duplicate restore target and check names within an environment", () => {
    const target = { name: "dr", host: "db", database: "loanserve", user: "u" };
    const check = { name: "c", sql: "SELECT 1", expect: { equals: 1 } };
    const result = EnvironmentConfig.safeParse({ name: "prod", restoreTargets: [target, target], validation: { checks: [check, check] } });
    expect(issuesOf(result)).toEqual([
      'restoreTargets.1.name: duplicate restore target name "dr" (already used at index 0)',
      'validation.checks.1.name: duplicate check name "c" (already used at index 0)',
    ]);
  });

  it("suggests the intended field for a misspelt or snake_case key", () => {
    expect(issuesOf(EnvironmentConfig.safeParse({ name: "prod", restore_targets: [] }))).toEqual([
      ': unknown field; did you mean "restoreTargets"?',
    ]);
    expect(issuesOf(EnvironmentConfig.safeParse({ name: "prod", protekted: true }))).toEqual([
      ': unknown field; did you mean "protected"?',
    ]);
  });

  it("rejects names that are not slugs", () => {
    expect(issuesOf(EnvironmentConfig.safeParse({ name: "Prod DB" }))[0]).toMatch(/^name: must be 1–63 lowercase letters/);
  });
});

describe("SecretRef", () => {
  it("accepts an environment variable name or an absolute file path", () => {
    expect(SecretRef.parse({ env: "DR_DB_PASSWORD" })).toEqual({ env: "DR_DB_PASSWORD" });
    expect(SecretRef.parse({ file: "/run/secrets/dr" })).toEqual({ file: "/run/secrets/dr" });
  });

  it("rejects both, neither, a literal value, a bad variable name and a relative path", () => {
    expect(issuesOf(SecretRef.safeParse({ env: "A", file: "/x" }))[0]).toMatch(
      /^: expected exactly one of \{ env: NAME \} or \{ file: PATH \}/,
    );
    expect(issuesOf(SecretRef.safeParse({}))[0]).toMatch(/expected exactly one of/);
    const literal = issuesOf(SecretRef.safeParse("hunter2"));
    expect(literal[0]).toMatch(/^: expected \{ env: NAME \} or \{ file: PATH \}.*received text$/);
    expect(literal.join()).not.toContain("hunter2");
    expect(issuesOf(SecretRef.safeParse({ env: "dr-password" }))).toEqual([
      "env: must be an environment variable name such as DR_DB_PASSWORD (A–Z, 0–9, _)",
    ]);
    expect(issuesOf(SecretRef.safeParse({ file: "secrets/dr" }))).toEqual(["file: must be an absolute path (starting with /)"]);
  });
});

describe("RestoreTargetConfig", () => {
  const base = { name: "dr", host: "db.internal", database: "loanserve", user: "restore" };

  it("fills in port, sslMode and maintenanceDatabase", () => {
    expect(RestoreTargetConfig.parse(base)).toEqual({ ...base, port: 5432, sslMode: "prefer", maintenanceDatabase: "postgres" });
  });

  it("tells someone who writes a literal password to use passwordFrom, without echoing it", () => {
    const issues = issuesOf(RestoreTargetConfig.safeParse({ ...base, password: "hunter2" }));
    expect(issues).toEqual([": secrets never go in this file; use passwordFrom: { env: NAME } (or { file: PATH }) instead"]);
  });

  it("rejects odd database and user names, bad ports and a database equal to maintenanceDatabase", () => {
    expect(issuesOf(RestoreTargetConfig.safeParse({ ...base, database: 'loan"serve' }))).toEqual([
      "database: must be 1–63 characters: letters, digits, _ or -",
    ]);
    expect(issuesOf(RestoreTargetConfig.safeParse({ ...base, user: "a".repeat(64) }))).toEqual([
      "user: must be 1–63 characters: letters, digits, _ or -",
    ]);
    expect(issuesOf(RestoreTargetConfig.safeParse({ ...base, port: 70000 }))).toEqual(["port: expected a number between 1 and 65535"]);
    expect(issuesOf(RestoreTargetConfig.safeParse({ ...base, port: 54.5 }))).toEqual(["port: expected a number between 1 and 65535"]);
    expect(issuesOf(RestoreTargetConfig.safeParse({ ...base, database: "postgres" }))[0]).toMatch(
      /^database: must differ from maintenanceDatabase/,
    );
    expect(issuesOf(RestoreTargetConfig.safeParse({ ...base, database: "template1" }))).toEqual([
      "database: must not be a template database",
    ]);
    expect(issuesOf(RestoreTargetConfig.safeParse({ ...base, host: "postgres://db" }))[0]).toMatch(/^host: must be a host name/);
  });

  it("takes jobs, the connections a restore loads with, as a whole number from 1 to 16 (absent: the default, applied where used)", () => {
    expect(DEFAULT_RESTORE_JOBS).toBe(2);
    expect(RestoreTargetConfig.parse(base).jobs).toBeUndefined();
    expect(RestoreTargetConfig.parse({ ...base, jobs: 1 }).jobs).toBe(1);
    expect(RestoreTargetConfig.parse({ ...base, jobs: 16 }).jobs).toBe(16);
    for (const jobs of [0, 17, 2.5, "4"]) {
      expect(issuesOf(RestoreTargetConfig.safeParse({ ...base, jobs }))).toEqual([
        "jobs: expected a whole number of connections from 1 to 16",
      ]);
    }
  });
});

describe("PitrSource", () => {
  const aurora = { provider: "aws", clusterIdentifier: "loanserve-prod-aurora", region: "us-east-1", user: "loanserve" };

  it("defaults to Aurora, with the runbook's instance class and a derived identifier prefix", () => {
    expect(PitrSource.parse(aurora)).toEqual({
      ...aurora,
      engine: "aurora-postgresql",
      writerInstanceClass: "db.r6g.large",
      database: "loanserve",
      restoredIdentifierPrefix: "loanserve-prod-aurora-restore",
    });
  });

  it("requires instanceIdentifier for an RDS instance and points out the mix-up", () => {
    const rds = { provider: "aws", engine: "postgres", instanceIdentifier: "loanserve-staging", region: "us-east-1", user: "u" };
    expect(PitrSource.parse(rds)).toMatchObject({ engine: "postgres", restoredIdentifierPrefix: "loanserve-staging-restore" });
    const issues = issuesOf(PitrSource.safeParse({ ...rds, instanceIdentifier: undefined, clusterIdentifier: "x" }));
    expect(issues.join("\n")).toContain("instanceIdentifier: ");
    expect(issues.join("\n")).toContain("clusterIdentifier is for Aurora; with engine: postgres use instanceIdentifier");
  });

  it("requires clusterIdentifier for Aurora and rejects an unknown provider or engine", () => {
    const { clusterIdentifier: _omitted, ...withoutCluster } = aurora;
    expect(issuesOf(PitrSource.safeParse(withoutCluster))[0]).toMatch(/^clusterIdentifier: /);
    expect(issuesOf(PitrSource.safeParse({ ...aurora, provider: "gcp" }))).toEqual(['provider: expected provider "aws" or "local"']);
    expect(issuesOf(PitrSource.safeParse({ ...aurora, engine: "mysql" }))[0]).toMatch(/^engine: expected engine "aurora-postgresql"/);
  });

  it("accepts a local source with defaults for host and port, and insists on absolute paths", () => {
    const local = {
      provider: "local",
      dataDir: "/d",
      archiveDir: "/a",
      baseBackupDir: "/b",
      restoreDir: "/r",
      database: "loanserve",
      user: "postgres",
    };
    expect(PitrSource.parse(local)).toMatchObject({ host: "127.0.0.1", port: 5432 });
    expect(issuesOf(PitrSource.safeParse({ ...local, archiveDir: "wal" }))).toEqual([
      "archiveDir: must be an absolute path (starting with /)",
    ]);
    expect(issuesOf(PitrSource.safeParse({ ...local, baseBackupSchedule: "daily" }))[0]).toMatch(
      /^baseBackupSchedule: expected a cron expression/,
    );
    expect(PitrSource.parse({ ...local, baseBackupSchedule: "0 2 * * *" })).toMatchObject({ baseBackupSchedule: "0 2 * * *" });
  });
});

describe("PitrSource dr (regional failure)", () => {
  const aurora = { provider: "aws", clusterIdentifier: "loanserve-prod-aurora", region: "us-east-1", user: "loanserve" };
  const instance = { provider: "aws", engine: "postgres", instanceIdentifier: "loanserve-prod", region: "us-east-1", user: "loanserve" };
  const BACKUPS_ARN = "arn:aws:rds:us-west-2:123456789012:auto-backup:ab-L2IJCEXJP7XQ7HOJ4SIEXAMPLE";

  it("accepts replicated automated backups for an RDS instance, with optional placement in the DR region", () => {
    const dr = {
      region: "us-west-2",
      automatedBackupsArn: BACKUPS_ARN,
      dbSubnetGroupName: "dr-subnets",
      vpcSecurityGroupIds: ["sg-0123456789abcdef0"],
      dbParameterGroupName: "dr-pg16",
    };
    expect(PitrSource.parse({ ...instance, dr })).toMatchObject({ dr });
    expect(PitrSource.parse({ ...instance, dr: { region: "us-west-2" } })).toMatchObject({ dr: { region: "us-west-2" } });
    expect(PitrSource.parse(instance)).not.toHaveProperty("dr");
  });

  it("accepts an Aurora copied-snapshot DR and an Aurora global database DR (by identifier or ARN)", () => {
    const snapshot = { mode: "snapshot", region: "us-west-2", dbClusterParameterGroupName: "dr-aurora-pg16", kmsKeyId: "alias/dr" };
    expect(PitrSource.parse({ ...aurora, dr: snapshot })).toMatchObject({ dr: snapshot });
    const global = {
      mode: "global",
      region: "us-west-2",
      globalClusterIdentifier: "loanserve-global",
      secondaryClusterIdentifier: "loanserve-dr",
    };
    expect(PitrSource.parse({ ...aurora, dr: global })).toMatchObject({ dr: global });
    const byArn = { ...global, secondaryClusterIdentifier: "arn:aws:rds:us-west-2:123456789012:cluster:loanserve-dr" };
    expect(PitrSource.parse({ ...aurora, dr: byArn })).toMatchObject({ dr: byArn });
  });

  it("refuses a DR region that is the source's own", () => {
    expect(issuesOf(PitrSource.safeParse({ ...instance, dr: { region: "us-east-1" } }))).toEqual([
      "dr.region: must differ from the source's region (us-east-1): the DR region is where the database is recovered when that region fails",
    ]);
    expect(issuesOf(PitrSource.safeParse({ ...aurora, dr: { mode: "snapshot", region: "us-east-1" } }))).toEqual([
      "dr.region: must differ from the source's region (us-east-1): the DR region is where the database is recovered when that region fails",
    ]);
  });

  it("refuses ARNs that are malformed or outside the DR region", () => {
    expect(issuesOf(PitrSource.safeParse({ ...instance, dr: { region: "us-west-2", automatedBackupsArn: "ab-123" } }))).toEqual([
      "dr.automatedBackupsArn: must be an ARN such as arn:aws:rds:us-west-2:123456789012:auto-backup:ab-L2IJCEXJP7XQ7HOJ4SIEXAMPLE",
    ]);
    expect(issuesOf(PitrSource.safeParse({ ...instance, dr: { region: "eu-west-1", automatedBackupsArn: BACKUPS_ARN } }))).toEqual([
      "dr.automatedBackupsArn: is in us-west-2, not in the DR region eu-west-1",
    ]);
    const global = { mode: "global", region: "eu-west-1", globalClusterIdentifier: "loanserve-global" };
    expect(
      issuesOf(
        PitrSource.safeParse({
          ...aurora,
          dr: { ...global, secondaryClusterIdentifier: "arn:aws:rds:us-west-2:123456789012:cluster:loanserve-dr" },
        }),
      ),
    ).toEqual(["dr.secondaryClusterIdentifier: is in us-west-2, not in the DR region eu-west-1"]);
    expect(issuesOf(PitrSource.safeParse({ ...aurora, dr: { ...global, secondaryClusterIdentifier: "loanserve_dr" } }))[0]).toMatch(
      /^dr\.secondaryClusterIdentifier: must be a DB cluster identifier or a DB cluster ARN/,
    );
    expect(
      issuesOf(
        PitrSource.safeParse({ ...aurora, dr: { ...global, globalClusterIdentifier: "9-global", secondaryClusterIdentifier: "x" } }),
      ),
    ).toEqual([
      "dr.globalClusterIdentifier: must start with a letter and contain only letters, digits, hyphens, colons, dots or underscores",
    ]);
  });

  it("wants a mode for Aurora, and the fields of that mode only, saying where a field belongs", () => {
    expect(issuesOf(PitrSource.safeParse({ ...aurora, dr: { region: "us-west-2" } }))[0]).toMatch(
      /^dr\.mode: expected mode "snapshot" \(restore the newest cluster snapshot copied to the DR region\) or "global"/,
    );
    const global = { mode: "global", region: "us-west-2", globalClusterIdentifier: "g", secondaryClusterIdentifier: "loanserve-dr" };
    expect(issuesOf(PitrSource.safeParse({ ...aurora, dr: { ...global, dbSubnetGroupName: "dr-subnets" } }))).toEqual([
      "dr: applies to mode: snapshot; mode: global promotes the existing secondary cluster, whose network, parameter groups and key are already set",
    ]);
    expect(
      issuesOf(PitrSource.safeParse({ ...aurora, dr: { mode: "snapshot", region: "us-west-2", globalClusterIdentifier: "g" } })),
    ).toEqual(["dr: applies to mode: global (failing over to the global database's secondary cluster)"]);
    expect(
      issuesOf(PitrSource.safeParse({ ...aurora, dr: { mode: "snapshot", region: "us-west-2", automatedBackupsArn: BACKUPS_ARN } }))[0],
    ).toMatch(/^dr: applies to RDS for PostgreSQL instances/);
  });

  it("tells someone who sets a KMS key or a mode on an RDS instance's DR why it does not apply", () => {
    expect(issuesOf(PitrSource.safeParse({ ...instance, dr: { region: "us-west-2", kmsKeyId: "alias/dr" } }))).toEqual([
      "dr: not used: a restore from replicated backups keeps the KMS key they are encrypted with in the DR region (chosen when replication was started)",
    ]);
    expect(issuesOf(PitrSource.safeParse({ ...instance, dr: { region: "us-west-2", mode: "snapshot" } }))[0]).toMatch(
      /^dr: applies to Aurora sources/,
    );
  });
});

describe("BackupStore", () => {
  it("normalises the prefix and defaults region and path style", () => {
    expect(BackupStore.parse({ kind: "s3", bucket: "loanserve-backups", prefix: "prod/pg" })).toEqual({
      kind: "s3",
      bucket: "loanserve-backups",
      prefix: "prod/pg/",
      region: "us-east-1",
      forcePathStyle: false,
    });
    expect(BackupStore.parse({ kind: "s3", bucket: "b-1", endpoint: "http://127.0.0.1:4569" })).toMatchObject({
      prefix: "",
      forcePathStyle: true,
    });
    expect(BackupStore.parse({ kind: "s3", bucket: "b-1", endpoint: "http://127.0.0.1:4569", forcePathStyle: false })).toMatchObject({
      forcePathStyle: false,
    });
  });

  it("wants both S3 key references or neither, and no credentials in the endpoint", () => {
    expect(issuesOf(BackupStore.safeParse({ kind: "s3", bucket: "b-1", accessKeyIdFrom: { env: "KEY" } }))[0]).toMatch(
      /^secretAccessKeyFrom: give both accessKeyIdFrom and secretAccessKeyFrom/,
    );
    const withUser = issuesOf(BackupStore.safeParse({ kind: "s3", bucket: "b-1", endpoint: "http://me:pw@s3.local" }));
    expect(withUser).toEqual(["endpoint: must not contain credentials; use accessKeyIdFrom and secretAccessKeyFrom"]);
    expect(issuesOf(BackupStore.safeParse({ kind: "s3", bucket: "b-1", prefix: "/prod" }))[0]).toMatch(/^prefix: must not start with "\/"/);
    expect(issuesOf(BackupStore.safeParse({ kind: "s3", bucket: "b-1", secretAccessKey: "x" }))[0]).toContain("use secretAccessKeyFrom");
  });
});

describe("ValidationCheck", () => {
  const check = (sql: string) => ValidationCheck.safeParse({ name: "c", sql, expect: { zero: true } });

  it.each([
    "SELECT count(*) FROM loans",
    "select count(*) from loans;",
    "WITH recent AS (SELECT * FROM payments) SELECT count(*) FROM recent",
    "SELECT count(*) FROM audit_logs WHERE action = 'delete; drop table x'",
    "-- don't worry\nSELECT count(*) FROM loans WHERE updated_at > now() - interval '1 day'",
  ])("accepts a read-only query: %s", (sql) => {
    expect(check(sql).success).toBe(true);
  });

  it.each([
    ["SELECT 1; DROP TABLE loans", "must be a single statement"],
    ["DELETE FROM loans", "must be a read-only query starting with SELECT or WITH"],
    ["WITH gone AS (DELETE FROM loans RETURNING 1) SELECT count(*) FROM gone", "must be read-only (it contains DELETE)"],
    ["SELECT * INTO copy_of_loans FROM loans", "must be read-only (it contains INTO)"],
    ["SELECT count(*) FROM loans FOR UPDATE", "must be read-only (it contains UPDATE)"],
  ])("rejects %s", (sql, message) => {
    expect(issuesOf(check(sql))[0]).toContain(`sql: ${message}`);
  });

  it("takes exactly one expectation", () => {
    expect(ValidationExpectation.parse({ withinPercentOfManifest: { table: "public.loans", percent: 1 } })).toEqual({
      withinPercentOfManifest: { table: "public.loans", percent: 1 },
    });
    expect(ValidationExpectation.parse({ withinPercentOfSource: 2 })).toEqual({ withinPercentOfSource: 2 });
    expect(issuesOf(ValidationExpectation.safeParse({ equals: 1, atMost: 2 }))[0]).toMatch(/^: expected exactly one of/);
    expect(issuesOf(ValidationExpectation.safeParse({ zero: false }))).toEqual(["zero: expected true"]);
    expect(issuesOf(ValidationExpectation.safeParse({ withinPercentOfSource: 150 }))).toEqual([
      "withinPercentOfSource: expected a percentage between 0 and 100",
    ]);
  });
});

describe("parseConfigFile", () => {
  it("reports missing fields as required and wrong kinds without the value", () => {
    const issues = issuesOf(
      parseConfigFile({
        version: 1,
        environments: [{ name: "p", restoreTargets: [{ name: "dr", host: "h", database: "d", user: ["x"] }] }],
      }),
    );
    expect(issues).toEqual(["environments.0.restoreTargets.0.user: expected text, received a list"]);
    expect(issuesOf(parseConfigFile({ version: 1, environments: [{ restoreTargets: [] }] }))).toEqual([
      "environments.0.name: is required (expected text)",
    ]);
  });

  it("checks the version, the environment list and defaultEnvironment", () => {
    expect(issuesOf(parseConfigFile({ environments: [{ name: "p" }] }))).toEqual([
      "version: is required: add `version: 1` at the top of the file",
    ]);
    expect(issuesOf(parseConfigFile({ version: 2, environments: [{ name: "p" }] }))[0]).toMatch(/^version: expected 1/);
    expect(issuesOf(parseConfigFile({ version: 1, environments: [] }))).toEqual(["environments: must list at least one environment"]);
    expect(issuesOf(parseConfigFile({ version: 1, defaultEnvironment: "prod", environments: [{ name: "p" }] }))).toEqual([
      'defaultEnvironment: "prod" is not one of the environments (p)',
    ]);
  });
});
