import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const execFileAsync = promisify(execFile);
const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("the run command", () => {
  it("refuses a malformed configuration file before starting anything, naming the bad field", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "rc-start-"));
    dirs.push(dir);
    const configFile = path.join(dir, "restore-console.yaml");
    await writeFile(
      configFile,
      [
        "version: 1",
        "environments:",
        "  - name: prod",
        "    restoreTargets:",
        "      - name: dr",
        "        host: db.internal",
        "        port: seventy",
        "        database: loanserve",
        "        user: loanserve",
        "",
      ].join("\n"),
    );
    const dataDir = path.join(dir, "data");
    const run = execFileAsync(path.join(process.cwd(), "node_modules", ".bin", "tsx"), ["--conditions=react-server", "scripts/start.ts"], {
      env: { ...process.env, RESTORE_CONSOLE_CONFIG: configFile, RESTORE_CONSOLE_DATA_DIR: dataDir, DATABASE_URL: "", PORT: "3999" },
      timeout: 60_000,
    });
    const failure = (await run.then(
      () => null,
      (error: unknown) => error,
    )) as { code: number; stderr: string } | null;
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/environments\[0\]\.restoreTargets\[0\]\.port/);
    expect(failure?.stderr).toMatch(/line 7/);
    // Nothing was started or created: no embedded database, no demo.
    expect(await readdir(dataDir).catch(() => [])).toEqual([]);
  });
});
