import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { defaultEnvironment, getEnvironment, loadConfig, resetConfigCache } from "@/lib/config/load-config";
import { ConfigurationError, NotFoundError } from "@/lib/errors";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

const VALID_YAML = `version: 1
environments:
  - name: prod
    restoreTargets:
      - name: dr
        host: db.internal
        database: loanserve
        user: restore
`;

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "restore-console-config-"));
  vi.stubEnv("RESTORE_CONSOLE_CONFIG", undefined);
  resetConfigCache();
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The ConfigurationError thrown by loading `text` as restore-console.yaml in the temp dir. */
function loadError(text: string): ConfigurationError {
  write("restore-console.yaml", text);
  try {
    loadConfig({ cwd: dir });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error("expected loadConfig to throw");
}

describe("loadConfig: valid configurations", () => {
  it("loads the example file with both environments and its overrides", () => {
    const file = path.join(REPO_ROOT, "restore-console.example.yaml");
    const { source, config } = loadConfig({ path: file });
    expect(source).toEqual({ kind: "file", path: file });
    expect(config.environments.map((e) => e.name)).toEqual(["production", "staging"]);
    const production = getEnvironment(config, "production");
    expect(production).toMatchObject({
      protected: true,
      pitr: {
        provider: "aws",
        engine: "aurora-postgresql",
        clusterIdentifier: "loanserve-prod-aurora",
        region: "us-east-1",
        dr: { mode: "snapshot", region: "us-west-2" },
      },
      backupStore: { kind: "s3", bucket: "loanserve-backups", prefix: "prod/pg/", forcePathStyle: false },
      restoreTargets: [
        { name: "dr", passwordFrom: { env: "DR_DB_PASSWORD" } },
        { name: "drill-sandbox", production: false },
      ],
      backupFreshness: { maxAgeHours: 26 },
      drills: { schedule: "0 3 * * 1", timeZone: "Europe/Berlin", target: "drill-sandbox", backup: "newest-verified" },
    });
    expect(production.validation.checks.length).toBeGreaterThan(0);
    const staging = getEnvironment(config, "staging");
    expect(staging).toMatchObject({
      protected: false,
      pitr: { engine: "postgres", instanceIdentifier: "loanserve-staging", dr: { region: "us-west-2" } },
    });
    expect(staging.objectives.rpo).toEqual({ pitr: { minutes: 5 }, logical: { minutes: 10080 } });
    expect(staging.backupFreshness).toEqual({ maxAgeHours: 168 });
    expect(defaultEnvironment(config).name).toBe("production");
  });

  it("runs the built-in demo when there is no file", () => {
    const app = loadConfig({ cwd: dir });
    expect(app.source).toEqual({ kind: "demo" });
    expect(app.config.environments.map((e) => e.name)).toEqual(["demo"]);
    expect(app.config.environments[0]?.pitr).toMatchObject({ dataDir: path.join(dir, ".data", "demo", "production", "data") });
  });

  it("resolves explicit path, then RESTORE_CONSOLE_CONFIG, then .yaml, then .json", () => {
    const named = (name: string) => VALID_YAML.replace("name: prod", `name: ${name}`);
    const json = write("restore-console.json", JSON.stringify({ version: 1, environments: [{ name: "from-json" }] }));
    expect(loadConfig({ cwd: dir }).source).toEqual({ kind: "file", path: json });

    const yaml = write("restore-console.yaml", named("from-yaml"));
    expect(loadConfig({ cwd: dir }).source).toEqual({ kind: "file", path: yaml });

    const fromEnv = write("env.yaml", named("from-env"));
    vi.stubEnv("RESTORE_CONSOLE_CONFIG", "env.yaml"); // relative to cwd
    expect(loadConfig({ cwd: dir }).config.environments[0]?.name).toBe("from-env");
    expect(loadConfig({ cwd: dir }).source).toEqual({ kind: "file", path: fromEnv });

    write("explicit.yaml", named("explicit"));
    expect(loadConfig({ cwd: dir, path: "explicit.yaml" }).config.environments[0]?.name).toBe("explicit");
  });

  it("caches per file, freezes the result, and reads again after resetConfigCache", () => {
    const file = write("restore-console.yaml", VALID_YAML);
    const first = loadConfig({ cwd: dir });
    expect(loadConfig({ cwd: dir })).toBe(first);
    expect(Object.isFrozen(first.config.environments[0]?.restoreTargets[0])).toBe(true);

    writeFileSync(file, VALID_YAML.replace("name: prod", "name: changed"));
    expect(loadConfig({ cwd: dir }).config.environments[0]?.name).toBe("prod");
    resetConfigCache();
    expect(loadConfig({ cwd: dir }).config.environments[0]?.name).toBe("changed");
  });
});

describe("loadConfig: bad files name the field (and line)", () => {
  it("wrong type", () => {
    const error = loadError(VALID_YAML.replace("user: restore", "user: restore\n        port: lots"));
    expect(error.message).toMatch(
      /^restore-console\.yaml: environments\[0\]\.restoreTargets\[0\]\.port: expected a number between 1 and 65535 \(line 9\)/,
    );
  });

  it("unknown key, reported at the key itself with a suggestion", () => {
    const error = loadError(VALID_YAML.replace("host:", "hots:"));
    expect(error.message).toContain('environments[0].restoreTargets[0].hots: unknown field; did you mean "host"? (line 6)');
    // ...and the now-missing host is reported too: every issue, not just the first.
    expect(error.message).toContain("restore-console.yaml: 2 problems:");
    expect(error.message).toContain("environments[0].restoreTargets[0].host: is required (expected text) (line 5)");
  });

  it("missing required field", () => {
    const error = loadError(VALID_YAML.replace("        database: loanserve\n", ""));
    expect(error.message).toMatch(/^restore-console\.yaml: environments\[0\]\.restoreTargets\[0\]\.database: is required/);
  });

  it("literal password, without repeating it", () => {
    const error = loadError(VALID_YAML.replace("user: restore", "user: restore\n        password: s3cret-Value"));
    expect(error.message).toContain(
      "environments[0].restoreTargets[0].password: secrets never go in this file; use passwordFrom: { env: NAME } (or { file: PATH }) instead (line 9)",
    );
    expect(error.message).not.toContain("s3cret-Value");
    expect(JSON.stringify(error.details)).not.toContain("s3cret-Value");
  });

  it("duplicate environment name", () => {
    const error = loadError(`${VALID_YAML}  - name: prod\n`);
    expect(error.message).toContain('environments[1].name: duplicate environment name "prod" (already used at index 0) (line 9)');
  });

  it("a drill onto production data, a bad schedule or an unknown zone is refused at start-up, with the field and line", () => {
    const drilling = (target: string, extra = "") =>
      `version: 1
environments:
  - name: prod
    protected: true
    restoreTargets:
      - name: dr
        host: db.internal
        database: loanserve
        user: restore
      - name: sandbox
        host: drill.internal
        database: loanserve
        user: restore
        production: false
    drills:
      target: ${target}
      schedule: "0 3 * * *"
${extra}`;
    // The environment is protected, so its targets hold production data unless they say otherwise.
    expect(loadError(drilling("dr")).message).toContain(
      'environments[0].drills.target: "dr" holds production data (the environment is protected); a drill needs a non-production target: add one with production: false (line 16)',
    );
    expect(loadError(drilling("nowhere")).message).toContain(
      'environments[0].drills.target: "nowhere" is not one of this environment\'s restore targets (dr, sandbox) (line 16)',
    );
    expect(loadError(drilling("sandbox", '      timeZone: "Mars/Olympus"\n')).message).toContain(
      "environments[0].drills.timeZone: expected an IANA time zone such as UTC or Europe/Berlin (line 18)",
    );
    expect(loadError(drilling("sandbox").replace('"0 3 * * *"', '"0 25 * * *"')).message).toMatch(
      /environments\[0\]\.drills\.schedule: expected a cron expression such as "0 2 \* \* \*" \(.*expected range 0-23\) \(line 17\)/,
    );
    // A non-production target on the production server is refused too: the copy would load there.
    expect(loadError(drilling("sandbox").replace("drill.internal", "db.internal")).message).toContain(
      'environments[0].drills.target: "sandbox" is on the same server as the production target "dr" (db.internal:5432); a drill must not load its copy onto a production server (line 16)',
    );
    write("restore-console.yaml", drilling("sandbox", "      timeZone: Europe/Berlin\n      backup: oldest-in-retention\n"));
    expect(loadConfig({ cwd: dir }).config.environments[0]?.drills).toEqual({
      target: "sandbox",
      schedule: "0 3 * * *",
      timeZone: "Europe/Berlin",
      backup: "oldest-in-retention",
      pitr: false,
    });
  });

  it("defaultEnvironment naming no environment", () => {
    const error = loadError(`defaultEnvironment: production\n${VALID_YAML}`);
    expect(error.message).toMatch(
      /^restore-console\.yaml: defaultEnvironment: "production" is not one of the environments \(prod\) \(line 1\)/,
    );
  });

  it("YAML syntax error, with line and column", () => {
    const error = loadError(VALID_YAML.replace("        user: restore", "        user: [restore"));
    expect(error.message).toMatch(/^restore-console\.yaml: YAML syntax error at line \d+, column \d+: /);
    const brokenLine = loadError("version: 1\nenvironments:\n  - name: prod\n   bad: indent: here\n");
    expect(brokenLine.message).toMatch(/YAML syntax error at line 4, column \d+/);
  });

  it("an empty file", () => {
    expect(loadError("").message).toMatch(/^restore-console\.yaml: the file is empty/);
  });

  it("a nonexistent explicit path or RESTORE_CONSOLE_CONFIG is an error, not the demo", () => {
    expect(() => loadConfig({ cwd: dir, path: "missing.yaml" })).toThrow(
      /^missing\.yaml: the configuration file \(explicit path\) does not exist/,
    );
    vi.stubEnv("RESTORE_CONSOLE_CONFIG", path.join(dir, "nope", "config.yaml"));
    expect(() => loadConfig({ cwd: dir })).toThrow(ConfigurationError);
    expect(() => loadConfig({ cwd: dir })).toThrow(/\(RESTORE_CONSOLE_CONFIG\) does not exist/);
  });

  it("JSON files get line numbers too", () => {
    write("restore-console.json", '{\n  "version": 1,\n  "environments": [\n    { "name": "Prod" }\n  ]\n}\n');
    expect(() => loadConfig({ cwd: dir })).toThrow(/environments\[0\]\.name: must be 1–63 lowercase letters.* \(line 4\)/);
  });

  it("does not cache a failure", () => {
    const file = write("restore-console.yaml", "version: 1\nenvironments: []\n");
    expect(() => loadConfig({ cwd: dir })).toThrow(/environments: must list at least one environment/);
    writeFileSync(file, VALID_YAML);
    expect(loadConfig({ cwd: dir }).config.environments[0]?.name).toBe("prod");
  });
});

describe("getEnvironment and defaultEnvironment", () => {
  it("finds an environment or names the known ones", () => {
    write("restore-console.yaml", `${VALID_YAML}  - name: staging\n`);
    const { config } = loadConfig({ cwd: dir });
    expect(getEnvironment(config, "staging").name).toBe("staging");
    expect(() => getEnvironment(config, "qa")).toThrow(NotFoundError);
    expect(() => getEnvironment(config, "qa")).toThrow('There is no environment "qa". Configured environments: prod, staging.');
    expect(defaultEnvironment(config).name).toBe("prod");
  });
});
