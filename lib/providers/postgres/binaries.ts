import "server-only";
import { execFile } from "node:child_process";
import { access, readdir, realpath } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { ConfigurationError } from "@/lib/errors";

const execFileAsync = promisify(execFile);

/** The server tools we need; client tools (psql, pg_dump…) normally sit beside them. */
const SERVER_TOOLS = ["initdb", "pg_ctl", "postgres"] as const;

export interface PgBinaries {
  binDir: string;
  /** Major version, e.g. 15. */
  major: number;
  path(tool: string): string;
}

export class PostgresNotInstalledError extends ConfigurationError {
  constructor() {
    super(
      "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH, via pg_config, " +
        "or in /usr/lib/postgresql/*/bin. Install them (Debian/Ubuntu: `apt-get install postgresql`) " +
        "or point PG_BIN_DIR at the folder that holds them.",
    );
  }
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, 1 /* X_OK */);
    return true;
  } catch {
    return false;
  }
}

async function hasServerTools(dir: string): Promise<boolean> {
  for (const tool of SERVER_TOOLS) {
    if (!(await isExecutable(path.join(dir, tool)))) return false;
  }
  return true;
}

/** initdb on PATH is often a symlink (/usr/local/bin/initdb → /usr/lib/postgresql/15/bin). */
async function dirOfToolOnPath(tool: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, tool);
    if (await isExecutable(candidate)) return path.dirname(await realpath(candidate));
  }
  return undefined;
}

async function pgConfigBinDir(): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync("pg_config", ["--bindir"]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

async function debianBinDirs(): Promise<string[]> {
  try {
    const versions = await readdir("/usr/lib/postgresql");
    return versions
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a))
      .map((v) => `/usr/lib/postgresql/${v}/bin`);
  } catch {
    return [];
  }
}

async function serverMajorVersion(binDir: string): Promise<number> {
  const { stdout } = await execFileAsync(path.join(binDir, "postgres"), ["--version"]);
  const match = /(\d+)(?:\.\d+)?/.exec(stdout);
  if (!match?.[1]) throw new PostgresNotInstalledError();
  return Number(match[1]);
}

let cached: Promise<PgBinaries> | undefined;

/**
 * Finds PostgreSQL server binaries: PG_BIN_DIR, then PATH, then pg_config, then
 * /usr/lib/postgresql/<newest>/bin.
 */
export function findPgBinaries(): Promise<PgBinaries> {
  cached ??= (async () => {
    const candidates = [process.env.PG_BIN_DIR, await dirOfToolOnPath("initdb"), await pgConfigBinDir(), ...(await debianBinDirs())];
    for (const dir of candidates) {
      if (dir && (await hasServerTools(dir))) {
        const major = await serverMajorVersion(dir);
        return { binDir: dir, major, path: (tool: string) => path.join(dir, tool) };
      }
    }
    throw new PostgresNotInstalledError();
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
