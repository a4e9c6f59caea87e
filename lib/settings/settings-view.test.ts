import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OidcSettings } from "@/lib/auth/oidc-policy";
import { describeConfig } from "@/lib/config/describe-config";
import { loadConfig, resetConfigCache } from "@/lib/config/load-config";
import { environmentSettings, secretValue, signInSection, type EnvironmentSettings } from "@/lib/settings/settings-view";

const SECRET = "Zq8-very-secret-4f2a";
const NOW = new Date("2025-01-01T00:00:00Z"); // a Wednesday
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "restore-console-settings-"));
  vi.stubEnv("RESTORE_CONSOLE_CONFIG", undefined);
  resetConfigCache();
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

function settingsOf(yaml: string): EnvironmentSettings[] {
  const file = path.join(dir, "config.yaml");
  writeFileSync(file, yaml);
  const config = describeConfig(loadConfig({ path: file }));
  return config.environments.map((env) => environmentSettings(env, { defaultEnvironment: config.defaultEnvironment, now: NOW }));
}

const sectionOf = (env: EnvironmentSettings | undefined, key: string) => env?.sections.find((s) => s.key === key);
const valuesOf = (facts: { term: string; value: unknown }[] | undefined) => Object.fromEntries((facts ?? []).map((f) => [f.term, f.value]));

describe("environmentSettings", () => {
  it("reads an Aurora environment as sections, secrets only as where they come from", () => {
    for (const name of ["T_PG_PASSWORD", "T_S3_KEY", "T_S3_SECRET", "T_WEBHOOK"]) vi.stubEnv(name, SECRET);
    vi.stubEnv("T_DR_PASSWORD", undefined);
    const [prod, staging] = settingsOf(`version: 1
environments:
  - name: prod
    displayName: LoanServe production
    protected: true
    pitr: { provider: aws, clusterIdentifier: loanserve-prod, region: us-east-1, user: app, passwordFrom: { env: T_PG_PASSWORD } }
    backupStore:
      kind: s3
      bucket: loanserve-backups
      prefix: prod/pg
      endpoint: http://127.0.0.1:45123
      accessKeyIdFrom: { env: T_S3_KEY }
      secretAccessKeyFrom: { env: T_S3_SECRET }
    restoreTargets:
      - { name: dr, host: dr.internal, database: loanserve, user: restore, passwordFrom: { env: T_DR_PASSWORD } }
      - { name: sandbox, host: sandbox.internal, port: 6432, database: loanserve, user: restore, production: false, jobs: 4 }
    drills: { schedule: "0 3 * * 1", timeZone: Europe/Berlin, target: sandbox }
    fourEyes: { approverRole: admin, targets: [dr, pitr] }
    notifications: { webhookUrlFrom: { env: T_WEBHOOK } }
    validation:
      checks:
        - { name: loans-exist, sql: SELECT count(*) FROM loans, expect: { atLeast: 1 }, severity: warn }
  - name: staging
`);

    expect(JSON.stringify([prod, staging])).not.toContain(SECRET);
    expect(prod).toMatchObject({ name: "prod", title: "LoanServe production", protected: true, isDefault: true });

    const pitr = sectionOf(prod, "pitr");
    expect(pitr?.summary).toBe("AWS Aurora PostgreSQL");
    expect(valuesOf(pitr?.facts)).toMatchObject({
      Cluster: { kind: "code", text: "loanserve-prod" },
      Password: { kind: "secret", source: "env T_PG_PASSWORD", state: "set", available: true },
      "CA bundle": { kind: "unset", text: "none: runs stop at preflight" },
      "Restored names start with": { kind: "code", text: "loanserve-prod-restore" },
    });

    const store = sectionOf(prod, "backup-store");
    expect(store?.summary).toBe("S3-compatible store");
    expect(valuesOf(store?.facts)).toMatchObject({
      Bucket: { kind: "code", text: "loanserve-backups" },
      Prefix: { kind: "address", text: "prod/pg/" },
      Endpoint: { kind: "address", text: "http://127.0.0.1:45123" },
      Region: { kind: "code", text: "us-east-1" },
      Addressing: { kind: "text", text: "path-style" },
      "Secret access key": { kind: "secret", source: "env T_S3_SECRET", state: "set", available: true },
    });

    expect(valuesOf(sectionOf(prod, "objectives")?.facts)).toMatchObject({
      "RTO, point-in-time": { kind: "text", text: "15–45 min" },
      "RPO, logical": { kind: "text", text: "1 d" },
      "Restored copies kept for": { kind: "text", text: "7 days" },
    });

    // Mondays at 03:00 in Berlin (UTC+1 in January).
    expect(valuesOf(sectionOf(prod, "drills")?.facts)).toMatchObject({
      "Next run": { kind: "time", at: "2025-01-06T02:00:00.000Z" },
      "Logical drill": { kind: "text", text: "the newest verified backup onto sandbox" },
      "Point-in-time drill": { kind: "unset", text: "none" },
    });
    expect(valuesOf(sectionOf(prod, "four-eyes")?.facts)).toMatchObject({
      "Approved by": { kind: "text", text: "another admin" },
      "Applies to runs onto": { kind: "code", text: "dr, pitr (point-in-time)" },
    });
    expect(valuesOf(sectionOf(prod, "notifications")?.facts)).toMatchObject({
      "Webhook URL": { kind: "secret", source: "env T_WEBHOOK", available: true },
    });

    const [dr, sandbox] = prod?.targets ?? [];
    expect(dr).toMatchObject({ name: "dr", production: true, drillTarget: false });
    expect(valuesOf(dr?.facts)).toMatchObject({
      Address: { kind: "address", text: "dr.internal:5432/loanserve" },
      "Production data": { kind: "text", text: "yes, as the environment is protected" },
      Password: { kind: "secret", source: "env T_DR_PASSWORD", state: "not set", available: false },
      "Loads with": { kind: "text", text: "2 connections (default)" },
    });
    expect(sandbox).toMatchObject({ production: false, drillTarget: true });
    expect(valuesOf(sandbox?.facts)).toMatchObject({
      Address: { kind: "address", text: "sandbox.internal:6432/loanserve" },
      "Production data": { kind: "text", text: "no" },
      Password: { kind: "unset" },
      "Loads with": { kind: "text", text: "4 connections" },
    });
    expect(prod?.checks).toEqual([{ name: "loans-exist", description: null, severity: "warn" }]);

    // An environment with nothing but a name says what it lacks.
    expect(staging).toMatchObject({ title: "staging", isDefault: false, targets: [], checks: [] });
    for (const key of ["pitr", "backup-store", "drills"]) {
      expect(sectionOf(staging, key)).toMatchObject({ summary: "Not configured", facts: [] });
    }
    expect(sectionOf(staging, "four-eyes")?.summary).toBe("Off");
  });

  it("reads a local PostgreSQL source and a folder store", () => {
    const [local] = settingsOf(`version: 1
environments:
  - name: local
    pitr:
      provider: local
      dataDir: /srv/pg/data
      archiveDir: /srv/pg/wal
      baseBackupDir: /srv/pg/base
      restoreDir: /srv/pg/restores
      database: loanserve
      user: postgres
    backupStore: { kind: local, path: /var/backups/loanserve }
`);
    const pitr = sectionOf(local, "pitr");
    expect(pitr?.summary).toBe("Local PostgreSQL (WAL archive and base backups)");
    expect(valuesOf(pitr?.facts)).toMatchObject({
      Server: { kind: "address", text: "127.0.0.1:5432/loanserve" },
      "WAL archive": { kind: "address", text: "/srv/pg/wal" },
      "Base backup schedule": { kind: "unset" },
      "Connectivity test": { kind: "code", text: "SELECT count(*) FROM loans (default)" },
    });
    expect(sectionOf(local, "backup-store")).toMatchObject({
      summary: "Folder on this machine",
      facts: [{ term: "Path", value: { kind: "address", text: "/var/backups/loanserve" } }],
    });
  });

  it("shows each replica of the backup store after it, with its label, kind and location", () => {
    vi.stubEnv("T_DR_KEY", SECRET);
    vi.stubEnv("T_DR_SECRET", SECRET);
    const [env] = settingsOf(`version: 1
environments:
  - name: prod
    backupStore: { kind: s3, bucket: loanserve-backups, prefix: prod/pg }
    backupReplicas:
      - name: us-west-2
        label: us-west-2 (DR)
        store:
          kind: s3
          bucket: loanserve-backups-dr
          prefix: prod/pg
          region: us-west-2
          accessKeyIdFrom: { env: T_DR_KEY }
          secretAccessKeyFrom: { env: T_DR_SECRET }
      - { name: nas, store: { kind: local, path: /mnt/nas/loanserve } }
`);
    expect(JSON.stringify(env)).not.toContain(SECRET);
    expect(env?.sections.map((s) => s.key).slice(1, 4)).toEqual(["backup-store", "backup-replica-us-west-2", "backup-replica-nas"]);
    const dr = sectionOf(env, "backup-replica-us-west-2");
    expect(dr).toMatchObject({ title: "Backup replica us-west-2 (DR)", summary: "Amazon S3" });
    expect(valuesOf(dr?.facts)).toMatchObject({
      Name: { kind: "code", text: "us-west-2" },
      Bucket: { kind: "code", text: "loanserve-backups-dr" },
      Prefix: { kind: "address", text: "prod/pg/" },
      Region: { kind: "code", text: "us-west-2" },
      "Access key ID": { kind: "secret", source: "env T_DR_KEY", state: "set", available: true },
    });
    expect(sectionOf(env, "backup-replica-nas")).toMatchObject({
      title: "Backup replica nas",
      summary: "Folder on this machine",
      facts: [
        { term: "Name", value: { kind: "code", text: "nas" } },
        { term: "Path", value: { kind: "address", text: "/mnt/nas/loanserve" } },
      ],
    });
  });
});

describe("secretValue", () => {
  it("splits a described reference into where and whether", () => {
    expect(secretValue("file /run/secrets/pg (readable)")).toEqual({
      kind: "secret",
      source: "file /run/secrets/pg",
      state: "readable",
      available: true,
    });
    expect(secretValue("file /run/secrets/pg (missing)")).toMatchObject({ state: "missing", available: false });
    expect(secretValue("env PGPASSWORD")).toEqual({ kind: "secret", source: "env PGPASSWORD", state: null, available: false });
  });
});

describe("signInSection", () => {
  const oidc: OidcSettings = {
    issuer: "https://sso.example.com/realms/ops",
    clientId: "restore-console",
    clientSecret: SECRET,
    name: "Okta",
    scopes: "openid email profile groups",
    allowedDomains: ["example.com"],
    allowedGroups: [],
    groupsClaim: "groups",
    roleClaim: "groups",
    roleMap: [{ value: "dba", role: "admin" }],
    defaultRole: undefined,
  };

  it("names the client secret's variable, never its value", () => {
    const section = signInSection(oidc, 12);
    expect(JSON.stringify(section)).not.toContain(SECRET);
    expect(section.summary).toBe("Email and password, and single sign-on (Okta)");
    expect(valuesOf(section.facts)).toMatchObject({
      Issuer: { kind: "address", text: "https://sso.example.com/realms/ops" },
      "Client secret": { kind: "secret", source: "env OIDC_CLIENT_SECRET", available: true },
      "Required groups": { kind: "unset", text: "none" },
      Roles: { kind: "code", text: "groups: dba=admin" },
      "No mapping matches": { kind: "text", text: "refused" },
      "Sessions last": { kind: "text", text: "12 h from sign-in" },
    });
  });

  it("says how to turn single sign-on on when it is off", () => {
    const section = signInSection(undefined, 0.5);
    expect(section).toMatchObject({ summary: "Email and password", facts: [{ value: { text: "30 min from sign-in" } }] });
    expect(section.note).toContain("OIDC_ISSUER");
  });
});
