import "server-only";
import { execFile, type ExecFileOptions } from "node:child_process";
import { chown, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { findPgBinaries, type PgBinaries } from "./binaries";

const execFileAsync = promisify(execFile);

/** Server settings written into postgresql.conf (e.g. archive_command for the demo). */
export type ServerSettings = Record<string, string | number | boolean>;

export interface ClusterOptions {
  /** Folder that holds data/ and server.log; created if missing. */
  baseDir: string;
  /** Superuser password (scram-sha-256 over TCP). Without one, loopback connections are trusted. */
  password?: string;
  settings?: ServerSettings;
  /** WAL segment size in MB (initdb --wal-segsize; a power of two, default 16). */
  walSegmentMb?: number;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** initdb refuses to run as root, so as root every server tool runs as the postgres user. */
export async function runAsPostgres(file: string, args: string[], options: ExecFileOptions = {}) {
  return isRoot() ? execFileAsync("runuser", ["-u", "postgres", "--", file, ...args], options) : execFileAsync(file, args, options);
}

function runAsOwner(binaries: PgBinaries, tool: string, args: string[], options: ExecFileOptions = {}) {
  return runAsPostgres(binaries.path(tool), args, options);
}

/** As root, hands a file or folder to the postgres user, so the server can write there. */
export async function giveToOwner(target: string): Promise<void> {
  if (!isRoot()) return;
  const { stdout } = await execFileAsync("id", ["-u", "postgres"]).catch(() => {
    throw new Error("Running as root needs a 'postgres' system user to own the database files (apt-get install postgresql creates it).");
  });
  const { stdout: gid } = await execFileAsync("id", ["-g", "postgres"]);
  await chown(target, Number(stdout.trim()), Number(gid.trim()));
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function formatSetting(value: string | number | boolean): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "on" : "off";
  // postgresql.conf strings treat a backslash as an escape character.
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * A PostgreSQL cluster we own on this machine, listening on 127.0.0.1 only (no Unix socket).
 * Used for the app's embedded database, the demo's clusters, and test harnesses.
 */
export class LocalCluster {
  readonly dataDir: string;
  readonly logFile: string;
  private currentPort: number | undefined;

  private constructor(
    readonly baseDir: string,
    readonly binaries: PgBinaries,
    private readonly password: string | undefined,
  ) {
    this.dataDir = path.join(baseDir, "data");
    this.logFile = path.join(baseDir, "server.log");
  }

  /** Opens (initialising if needed) the cluster under `baseDir`. Does not start it. */
  static async open(options: ClusterOptions): Promise<LocalCluster> {
    const binaries = await findPgBinaries();
    const cluster = new LocalCluster(path.resolve(options.baseDir), binaries, options.password);
    if (!(await exists(path.join(cluster.dataDir, "PG_VERSION")))) await cluster.initialize(options.settings ?? {}, options.walSegmentMb);
    return cluster;
  }

  get port(): number {
    if (this.currentPort === undefined) throw new Error(`cluster ${this.baseDir} is not running`);
    return this.currentPort;
  }

  private async initialize(settings: ServerSettings, walSegmentMb?: number): Promise<void> {
    // Parents stay traversable (the server runs as postgres when we are root); only baseDir is private.
    await mkdir(path.dirname(this.baseDir), { recursive: true });
    await mkdir(this.baseDir, { recursive: true, mode: 0o700 });
    await giveToOwner(this.baseDir);
    const args = ["-D", this.dataDir, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"];
    if (walSegmentMb) args.push(`--wal-segsize=${walSegmentMb}`);
    const pwfile = path.join(this.baseDir, ".initdb-pw");
    if (this.password) {
      await writeFile(pwfile, this.password, { mode: 0o600 });
      await giveToOwner(pwfile);
      args.push("--auth-host=scram-sha-256", "--auth-local=peer", `--pwfile=${pwfile}`);
    } else {
      args.push("--auth=trust");
    }
    try {
      await runAsOwner(this.binaries, "initdb", args);
    } finally {
      await rm(pwfile, { force: true });
    }
    const conf = {
      listen_addresses: "127.0.0.1",
      unix_socket_directories: "",
      fsync: true,
      ...settings,
    };
    const lines = Object.entries(conf).map(([key, value]) => `${key} = ${formatSetting(value)}`);
    const confFile = path.join(this.dataDir, "postgresql.conf");
    const original = await readFile(confFile, "utf8");
    await writeFile(confFile, `${original}\n# restore-console\n${lines.join("\n")}\n`);
  }

  /** The port of a running postmaster, from line 4 of postmaster.pid; undefined if stopped. */
  private async runningPort(): Promise<number | undefined> {
    try {
      await runAsOwner(this.binaries, "pg_ctl", ["status", "-D", this.dataDir]);
    } catch {
      return undefined;
    }
    const pidFile = await readFile(path.join(this.dataDir, "postmaster.pid"), "utf8");
    const port = Number(pidFile.split("\n")[3]);
    return Number.isInteger(port) && port > 0 ? port : undefined;
  }

  /**
   * Starts the server on a free loopback port, or adopts it if it is already running.
   * `startedHere` tells the caller whether stopping it later is theirs to do.
   */
  async start(preferredPort?: number): Promise<{ port: number; startedHere: boolean }> {
    const running = await this.runningPort();
    if (running) return { port: (this.currentPort = running), startedHere: false };
    for (let attempt = 0; ; attempt++) {
      const port = attempt === 0 && preferredPort ? preferredPort : await freeLoopbackPort();
      try {
        await runAsOwner(this.binaries, "pg_ctl", ["-D", this.dataDir, "-l", this.logFile, "-o", `-p ${port}`, "-w", "-t", "60", "start"]);
        return { port: (this.currentPort = port), startedHere: true };
      } catch (error) {
        // Another process may have taken the port between our probe and the bind: try another.
        if (attempt >= 3) throw new Error(`PostgreSQL did not start; see ${this.logFile}`, { cause: error });
      }
    }
  }

  async stop(mode: "smart" | "fast" | "immediate" = "fast"): Promise<void> {
    if (!(await this.runningPort())) return;
    await runAsOwner(this.binaries, "pg_ctl", ["-D", this.dataDir, "-m", mode, "-w", "-t", "60", "stop"]);
    this.currentPort = undefined;
  }

  /** A connection URL; the password is only included when the cluster has one. */
  url(database = "postgres", user = "postgres"): string {
    const url = new URL(`postgresql://127.0.0.1:${this.port}/${encodeURIComponent(database)}`);
    url.username = user;
    if (this.password) url.password = this.password;
    return url.toString();
  }
}
