import "server-only";
import { spawn, type ChildProcess } from "node:child_process";
import { access } from "node:fs/promises";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { ConfigurationError } from "@/lib/errors";
import { findPgBinaries } from "./binaries";

export type PgClientTool = "psql" | "pg_restore" | "pg_dump";

async function isExecutable(file: string): Promise<boolean> {
  return access(file, 1 /* X_OK */).then(
    () => true,
    () => false,
  );
}

/** A PostgreSQL client tool: from PATH, else beside the server binaries. */
export async function findPgTool(tool: PgClientTool): Promise<string> {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && (await isExecutable(path.join(dir, tool)))) return path.join(dir, tool);
  }
  const fallback = await findPgBinaries().then(
    (binaries) => binaries.path(tool),
    () => undefined,
  );
  if (fallback && (await isExecutable(fallback))) return fallback;
  throw new ConfigurationError(
    `${tool} was not found on PATH or beside the PostgreSQL server binaries. Install the PostgreSQL client tools ` +
      "(Debian/Ubuntu: `apt-get install postgresql-client`) or point PG_BIN_DIR at the folder that holds them.",
  );
}

const MASK = "********";

/**
 * Masks secrets in a line a tool printed: the given literal secrets, `password=…` (conninfo,
 * PGPASSWORD=…) and the password part of `postgres[ql]://user:pass@` URLs.
 */
export function maskSecrets(line: string, secrets: readonly string[] = []): string {
  let masked = line;
  for (const secret of secrets) if (secret) masked = masked.split(secret).join(MASK);
  return masked
    .replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s'"]+)/gi, `$1${MASK}`)
    .replace(/(postgres(?:ql)?:\/\/[^\s:/@]*:)[^\s@]*@/gi, `$1${MASK}@`);
}

export interface ToolExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnToolOptions {
  env: NodeJS.ProcessEnv;
  /** Literal secrets to mask in everything the tool prints (in addition to the patterns). */
  secrets?: readonly string[];
  stdin?: "pipe" | "ignore";
  /** Each stderr line, secrets masked. */
  onStderrLine?: (line: string) => void;
  /** Each stdout line (stdout is ignored when absent and `stdout` is not "stream"), secrets masked. */
  onStdoutLine?: (line: string) => void;
  /** "stream": stdout is handed over raw as `ToolProcess.stdout` (e.g. SQL that pg_restore writes). */
  stdout?: "stream";
  /** Which stderr lines belong in the tail kept for error messages (default: all). */
  keepInTail?: (line: string) => boolean;
  tailLines?: number;
}

export interface ToolProcess {
  readonly child: ChildProcess;
  /** The tool's stdin when spawned with `stdin: "pipe"`; write errors (EPIPE) are absorbed. */
  readonly stdin: Writable | null;
  /** The raw output when spawned with `stdout: "stream"`. */
  readonly stdout: Readable | null;
  /** Settles after the process exited and its output was read to the end. */
  readonly exited: Promise<ToolExit>;
  /** SIGKILLs the tool and anything it forked (its process group); true if it was still running. */
  kill(): boolean;
  /** The last stderr lines, secrets masked. */
  stderrTail(): string[];
}

function splitLines(stream: Readable, onLine: (line: string) => void): Promise<void> {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (text: string) => {
    const lines = (rest + text).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) onLine(line.replace(/\r$/, ""));
  });
  return new Promise((resolve) => {
    stream.once("close", () => {
      if (rest) onLine(rest);
      rest = "";
      resolve();
    });
  });
}

/**
 * Spawns a tool (never through a shell) in its own process group, so a kill also stops
 * pg_restore's parallel workers. Output reaches the caller only through the secret filter.
 */
export function spawnTool(file: string, args: readonly string[], options: SpawnToolOptions): ToolProcess {
  const child = spawn(file, args, {
    env: options.env,
    stdio: [options.stdin ?? "ignore", options.onStdoutLine || options.stdout === "stream" ? "pipe" : "ignore", "pipe"],
    detached: true,
  });
  const tail: string[] = [];
  const tailLines = options.tailLines ?? 20;
  const filter = (line: string) => maskSecrets(line, options.secrets);
  const outputs: Promise<void>[] = [];
  if (child.stderr) {
    outputs.push(
      splitLines(child.stderr, (raw) => {
        const line = filter(raw);
        if (!line.trim()) return;
        if (options.keepInTail?.(line) ?? true) {
          tail.push(line);
          if (tail.length > tailLines) tail.shift();
        }
        options.onStderrLine?.(line);
      }),
    );
  }
  if (child.stdout && options.onStdoutLine && options.stdout !== "stream") {
    const onLine = options.onStdoutLine;
    outputs.push(splitLines(child.stdout, (raw) => onLine(filter(raw))));
  }
  // A tool that died early makes our next write fail with EPIPE; its exit code tells the story.
  child.stdin?.on("error", () => {});

  const exited = new Promise<ToolExit>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      void Promise.all(outputs).then(() => resolve({ code, signal }));
    });
  });
  // Callers may only look at `exited` after other awaits; never let it go unhandled meanwhile.
  exited.catch(() => {});

  return {
    child,
    stdin: child.stdin,
    stdout: options.stdout === "stream" ? child.stdout : null,
    exited,
    kill() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return false;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
      return true;
    },
    stderrTail: () => [...tail],
  };
}

/** Runs a tool to the end; for short, read-only calls such as `pg_restore --list`. */
export async function runTool(
  file: string,
  args: readonly string[],
  options: SpawnToolOptions,
): Promise<ToolExit & { stderrTail: string[] }> {
  const tool = spawnTool(file, args, options);
  const exit = await tool.exited;
  return { ...exit, stderrTail: tool.stderrTail() };
}
