import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { describeConfig } from "@/lib/config/describe-config";
import { loadConfig, resetConfigCache } from "@/lib/config/load-config";

const SECRET = "Zq8-very-secret-4f2a";
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "restore-console-describe-"));
  vi.stubEnv("RESTORE_CONSOLE_CONFIG", undefined);
  resetConfigCache();
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe("describeConfig", () => {
  it("replaces every secret reference with its description and never contains a secret", () => {
    const secretFile = path.join(dir, "webhook-url");
    writeFileSync(secretFile, `${SECRET}\n`);
    for (const name of ["T_PG_PASSWORD", "T_S3_KEY", "T_S3_SECRET", "T_DR_PASSWORD"]) vi.stubEnv(name, SECRET);
    vi.stubEnv("T_UNSET", undefined);
    const file = path.join(dir, "config.yaml");
    writeFileSync(
      file,
      `version: 1
environments:
  - name: prod
    pitr: { provider: aws, clusterIdentifier: db, region: us-east-1, user: app, passwordFrom: { env: T_PG_PASSWORD } }
    backupStore:
      kind: s3
      bucket: backups
      endpoint: http://127.0.0.1:9000
      accessKeyIdFrom: { env: T_S3_KEY }
      secretAccessKeyFrom: { env: T_S3_SECRET }
    restoreTargets:
      - { name: dr, host: dr.internal, database: loanserve, user: restore, passwordFrom: { env: T_DR_PASSWORD } }
      - { name: scratch, host: scratch.internal, database: loanserve, user: restore, passwordFrom: { env: T_UNSET } }
    notifications:
      webhookUrlFrom: { file: ${secretFile} }
`,
    );
    const description = describeConfig(loadConfig({ path: file }));
    const json = JSON.stringify(description);

    expect(json).not.toContain(SECRET);
    expect(JSON.parse(json)).toEqual(description); // plain JSON: nothing lost in serialisation
    expect(description.source).toBe(file);
    expect(description.sourceKind).toBe("file");
    expect(description.defaultEnvironment).toBe("prod");
    const [prod] = description.environments;
    expect(prod?.pitr?.passwordFrom).toBe("env T_PG_PASSWORD (set)");
    expect(prod?.backupStore).toMatchObject({ accessKeyIdFrom: "env T_S3_KEY (set)", secretAccessKeyFrom: "env T_S3_SECRET (set)" });
    expect(prod?.restoreTargets.map((t) => t.passwordFrom)).toEqual(["env T_DR_PASSWORD (set)", "env T_UNSET (not set)"]);
    expect(prod?.notifications?.webhookUrlFrom).toBe(`file ${secretFile} (readable)`);
    // Non-secret settings are shown as configured.
    expect(prod?.restoreTargets[0]).toMatchObject({ host: "dr.internal", port: 5432, sslMode: "prefer" });
  });

  it("labels the built-in demo", () => {
    vi.stubEnv("DEMO_PG_PASSWORD", SECRET);
    const description = describeConfig(loadConfig({ cwd: dir }));
    expect(description).toMatchObject({ source: "built-in demo", sourceKind: "demo", defaultEnvironment: "demo" });
    expect(description.environments[0]?.pitr?.passwordFrom).toBe("env DEMO_PG_PASSWORD (set)");
    expect(JSON.stringify(description)).not.toContain(SECRET);
  });
});
