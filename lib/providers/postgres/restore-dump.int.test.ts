import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { adminUrl, createTestDatabase, withDatabase } from "@/lib/testing/databases";
import { startTestS3, type TestS3 } from "@/lib/testing/s3";
import { throughTransform } from "@/lib/testing/streams";
import { LocalCluster } from "./cluster";
import { pgConnectionFromUrl, pgPassfileLine, withPgEnv, type PgConnection } from "./connection";
import { CancelledError, ChecksumMismatchError, DumpReadError, DumpRefusedError, IncompleteDumpError, RestoreToolError } from "./errors";
import { PlainDumpGuard } from "./plain-dump-guard";
import { restoreDump, type RestoreDumpOptions, type RestoreProgress } from "./restore-dump";
import { findPgTool, maskSecrets } from "./tools";

const execFileAsync = promisify(execFile);

const SOURCE_SCHEMA = String.raw`
  CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL);
  INSERT INTO accounts SELECT g, 'account ' || g FROM generate_series(1, 3000) g;
  CREATE INDEX accounts_name ON accounts (name);
  -- The first column is text, so these data lines START with a backslash (or look like our markers).
  CREATE TABLE notes (id serial, body text, account_id int REFERENCES accounts);
  INSERT INTO notes (body, account_id) VALUES
    (E'\\N', 1), (NULL, 1), (E'\\! touch /tmp/should-never-exist', 2), (E'\restrict abc', 2),
    (E'\runrestrict abc', 2), ('-- PostgreSQL database dump complete', 3), (E'\\.', 3), ('.', 3),
    (E'line one\nline two', 4), (E'tab\there', 4);
  SELECT setval('notes_id_seq', 500);
  -- A line starting with a backslash inside a dollar-quoted body is no meta-command: psql must accept it.
  CREATE FUNCTION quirky() RETURNS text LANGUAGE sql AS $body$
SELECT '
\! echo not a command
'::text
$body$;
`;
const NOTES = [
  "\\N",
  null,
  "\\! touch /tmp/should-never-exist",
  "\restrict abc",
  "\runrestrict abc",
  "-- PostgreSQL database dump complete",
  "\\.",
  ".",
  "line one\nline two",
  "tab\there",
];
const SOURCE_ROWS = 3000 + NOTES.length;

let shared: PgConnection;
let sql: Buffer;
let gz: Buffer;
let custom: Buffer;

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const dbName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function query<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  return withClient(url, async (client) => (await client.query<R>(text)).rows);
}

async function pgDump(conn: PgConnection, database: string, format: "plain" | "custom"): Promise<Buffer> {
  const file = await findPgTool("pg_dump");
  return withPgEnv(conn, database, async (env) => {
    const { stdout } = await execFileAsync(file, [`--format=${format}`, "--no-password"], {
      env,
      encoding: "buffer",
      maxBuffer: 256 << 20,
    });
    return stdout;
  });
}

/** Chunks of a buffer, as a store would stream them. */
function fromBuffer(data: Buffer, chunk = 16 * 1024): Readable {
  let at = 0;
  return new Readable({
    read() {
      if (at >= data.length) return void this.push(null);
      this.push(data.subarray(at, at + chunk));
      at += chunk;
    },
  });
}

/** Sends `data` up to `cut`, then waits for `gate` (forever if none) before sending the rest. */
function pausingSource(data: Buffer, cut: number, gate?: Promise<void>): Readable {
  let started = false;
  return new Readable({
    read() {
      if (started) return;
      started = true;
      this.push(data.subarray(0, cut));
      void gate?.then(() => {
        this.push(data.subarray(cut));
        this.push(null);
      });
    },
  });
}

/** Sends `data` up to `cut`, then fails like a dropped connection to the store. */
function failingSource(data: Buffer, cut: number): Readable {
  let started = false;
  return new Readable({
    read() {
      if (started) return;
      started = true;
      this.push(data.subarray(0, cut));
      setTimeout(() => this.destroy(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })), 50);
    },
  });
}

async function scratch(): Promise<{ url: string; name: string }> {
  const url = await createTestDatabase("scratch");
  return { url, name: dbName(url) };
}

async function userTables(url: string): Promise<number> {
  const rows = await query<{ n: number }>(
    url,
    "SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'",
  );
  return rows[0]?.n ?? -1;
}

async function expectRestored(url: string): Promise<void> {
  const [counts] = await query<{ accounts: number; notes: number; seq: string }>(
    url,
    "SELECT (SELECT count(*)::int FROM accounts) AS accounts, (SELECT count(*)::int FROM notes) AS notes, (SELECT last_value::text FROM notes_id_seq) AS seq",
  );
  expect(counts).toEqual({ accounts: 3000, notes: NOTES.length, seq: "500" });
  const notes = await query<{ body: string | null }>(url, "SELECT body FROM notes ORDER BY id");
  expect(notes.map((row) => row.body)).toEqual(NOTES);
  const [fn] = await query<{ quirky: string }>(url, "SELECT quirky()");
  expect(fn?.quirky).toBe("\n\\! echo not a command\n");
}

/** Waits until psql's session on `database` is inside our transaction. */
async function waitForOpenTransaction(database: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const rows = await query<{ n: number }>(
      adminUrl(),
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${database}' AND application_name = 'restore-console' AND xact_start IS NOT NULL`,
    );
    if ((rows[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("psql never opened its transaction");
}

async function waitForNoSessions(database: string, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    const rows = await query<{ n: number }>(adminUrl(), `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${database}'`);
    if (rows[0]?.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`sessions on ${database} did not go away`);
}

/** Everything a person or a log could see of a failure. */
function visibleText(error: unknown, messages: readonly string[]): string {
  const details = error instanceof AppError ? JSON.stringify(error.details) : "";
  return [error instanceof Error ? error.message : String(error), details, ...messages].join("\n");
}

/** Our child processes, with their argv and environment as `ps` (and any local user) would see them. */
async function childProcesses(): Promise<{ pid: number; argv: string[]; environ: string[] }[]> {
  const found = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const statLine = await readFile(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(statLine.slice(statLine.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== process.pid) continue;
      const argv = (await readFile(`/proc/${entry}/cmdline`, "utf8")).split("\0").filter(Boolean);
      const environ = (await readFile(`/proc/${entry}/environ`, "utf8")).split("\0").filter(Boolean);
      found.push({ pid: Number(entry), argv, environ });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function options(overrides: Partial<RestoreDumpOptions> & Pick<RestoreDumpOptions, "database">): RestoreDumpOptions {
  return {
    format: "plain-gzip",
    open: async () => fromBuffer(gz),
    expectedSha256: sha256(gz),
    totalBytes: gz.length,
    target: shared,
    ...overrides,
  };
}

beforeAll(async () => {
  shared = pgConnectionFromUrl(adminUrl()).connection;
  const source = await createTestDatabase("source");
  await withClient(source, (client) => client.query(SOURCE_SCHEMA));
  sql = await pgDump(shared, dbName(source), "plain");
  gz = gzipSync(sql);
  custom = await pgDump(shared, dbName(source), "custom");
});

describe("PlainDumpGuard", () => {
  async function filterAll(data: Buffer, chunkSize: (i: number) => number) {
    const filter = new PlainDumpGuard();
    const output = await throughTransform(filter, data, chunkSize);
    return { filter, output: output.toString("utf8") };
  }

  it("blanks only pg_dump's \\restrict header, \\unrestrict trailer and OWNER TO lines (line numbers kept), whatever the chunking", async () => {
    const text = sql.toString("utf8");
    const expected = text
      .split("\n")
      .map((line) => (/^\\(un)?restrict [A-Za-z0-9]+$/.test(line) || /^ALTER [A-Z ]+ \S+ OWNER TO \w+;$/.test(line) ? "" : line))
      .join("\n");
    expect(text).toMatch(/OWNER TO/);
    expect(expected.length).toBeLessThan(text.length - 100);
    for (const sizer of [() => 1, () => 7, (i: number) => (i * 7919) % 4096, () => 1 << 20]) {
      const { filter, output } = await filterAll(sql, sizer);
      expect(output).toBe(expected);
      expect(filter.complete).toBe(true);
      expect(filter.rows).toBe(SOURCE_ROWS);
      expect(filter.report.ownerChangesSkipped).toBeGreaterThan(0);
    }
  });

  it("never takes a data line for the end marker, and wants the marker last", async () => {
    const inData = Buffer.from("COPY t (v) FROM stdin;\n\\restrict k\n-- PostgreSQL database dump complete\n");
    expect((await filterAll(inData, () => 5)).filter.complete).toBe(false);
    const closed = Buffer.from("COPY t (v) FROM stdin;\nx\n\\.\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict k\n");
    const { filter, output } = await filterAll(closed, () => 3);
    expect(filter.complete).toBe(true);
    expect(output).not.toContain("unrestrict");
    const more = Buffer.concat([closed, Buffer.from("DROP TABLE t;\n")]);
    expect((await filterAll(more, () => 64)).filter.complete).toBe(false);
  });

  it("refuses a custom-format archive fed as plain SQL", async () => {
    await expect(filterAll(custom, () => 4096)).rejects.toBeInstanceOf(DumpRefusedError);
  });
});

describe("secrets", () => {
  it("masks literal secrets, password= and URL passwords", () => {
    expect(maskSecrets("psql: error: password=hunter2 host=x", [])).toBe("psql: error: password=******** host=x");
    expect(maskSecrets("connect postgresql://bob:hunter2@db:5432/x", [])).toBe("connect postgresql://bob:********@db:5432/x");
    expect(maskSecrets("LINE 1: SELECT 'Tr0ub4dor' / 0", ["Tr0ub4dor"])).toBe("LINE 1: SELECT '********' / 0");
    expect(maskSecrets("PGPASSWORD='a b' psql", [])).toBe("PGPASSWORD=******** psql");
  });

  it("removes passfiles left behind by a killed process, and only those", async () => {
    const { pid: deadPid } = await new Promise<{ pid: number }>((resolve) => {
      const child = spawn("true");
      child.once("exit", () => resolve({ pid: child.pid ?? 0 }));
    });
    const orphan = await mkdtemp(path.join(tmpdir(), `rc-pgpass-${deadPid}-`));
    const live = await mkdtemp(path.join(tmpdir(), `rc-pgpass-${process.ppid}-`));
    try {
      await writeFile(path.join(orphan, "pgpass"), "h:1:d:u:secret\n", { mode: 0o600 });
      await withPgEnv({ ...shared, password: "x" }, "postgres", async () => undefined);
      expect(existsSync(orphan)).toBe(false);
      expect(existsSync(live)).toBe(true);
    } finally {
      await rm(orphan, { recursive: true, force: true });
      await rm(live, { recursive: true, force: true });
    }
  });

  it("escapes : and \\ in the passfile line", () => {
    expect(pgPassfileLine({ host: "h", port: 5, user: "u:1" }, "d\\b", "p:w\\d")).toBe("h:5:d\\\\b:u\\:1:p\\:w\\\\d\n");
  });
});

describe("restoreDump (plain, gzip)", () => {
  it("restores a good dump in one transaction and reports progress", async () => {
    const target = await scratch();
    const progress: RestoreProgress[] = [];
    const result = await restoreDump(options({ database: target.name, onProgress: (p) => progress.push(p) }));
    await expectRestored(target.url);
    expect(result).toMatchObject({ sha256: sha256(gz), bytesRead: gz.length, sqlBytes: sql.length, rows: SOURCE_ROWS });
    expect(result.durationMs).toBeGreaterThan(0);
    expect(progress.map((p) => p.phase)).toContain("committing");
    expect(progress.at(-1)).toMatchObject({ bytesRead: gz.length, totalBytes: gz.length, rows: SOURCE_ROWS });
  });

  it("restores from a real S3-protocol store", async () => {
    let s3: TestS3 | undefined;
    try {
      s3 = await startTestS3();
      const store = s3.store("nightly/");
      await store.write("nightly/2026-11-01.sql.gz", gz);
      const target = await scratch();
      await restoreDump(options({ database: target.name, open: (signal) => store.read("nightly/2026-11-01.sql.gz", { signal }) }));
      await expectRestored(target.url);
    } finally {
      await s3?.stop();
    }
  });

  it("commits nothing when the checksum does not match", async () => {
    const target = await scratch();
    const wrong = sha256(Buffer.from("another file"));
    const error = await restoreDump(options({ database: target.name, expectedSha256: wrong })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect(error).toMatchObject({ expected: wrong, actual: sha256(gz) });
    expect(await userTables(target.url)).toBe(0);
  });

  it("commits nothing when the dump was cut at a line boundary, even when its checksum matches", async () => {
    const text = sql.toString("utf8");
    // Right after the accounts data: a valid SQL prefix that `psql --single-transaction` would commit.
    const cut = text.indexOf("\\.\n", text.indexOf("COPY public.accounts")) + 3;
    const truncated = gzipSync(Buffer.from(text.slice(0, cut)));
    for (const expectedSha256 of [sha256(truncated), null]) {
      const target = await scratch();
      const error = await restoreDump(options({ database: target.name, open: async () => fromBuffer(truncated), expectedSha256 })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(IncompleteDumpError);
      expect(await userTables(target.url)).toBe(0);
    }
  });

  it("commits nothing when the gzip stream itself is cut short", async () => {
    const target = await scratch();
    const cut = gz.subarray(0, Math.floor(gz.length * 0.8));
    const error = await restoreDump(options({ database: target.name, open: async () => fromBuffer(cut), expectedSha256: null })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IncompleteDumpError);
    expect(await userTables(target.url)).toBe(0);
  });

  it("commits nothing when the store fails mid-stream", async () => {
    const target = await scratch();
    const error = await restoreDump(
      options({ database: target.name, open: async () => failingSource(gz, Math.floor(gz.length * 0.6)) }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DumpReadError);
    expect((error as Error).message).toContain("ECONNRESET");
    expect(await userTables(target.url)).toBe(0);
    await waitForNoSessions(target.name);
  });

  it("cancels mid-stream: kills psql, commits nothing, rejects with CancelledError", async () => {
    const target = await scratch();
    const controller = new AbortController();
    const restoring = restoreDump(
      options({ database: target.name, signal: controller.signal, open: async () => pausingSource(gz, Math.floor(gz.length * 0.6)) }),
    ).catch((e: unknown) => e);
    await waitForOpenTransaction(target.name);
    controller.abort();
    expect(await restoring).toBeInstanceOf(CancelledError);
    expect((await childProcesses()).filter((child) => child.argv.some((arg) => arg.endsWith("psql")))).toEqual([]);
    await waitForNoSessions(target.name);
    expect(await userTables(target.url)).toBe(0);
  });

  describe("a dump that tries to run shell commands on our host", () => {
    const cases = [
      ["on a line of its own", (file: string) => `\\! touch ${file}\n`],
      ["after a statement on the same line", (file: string) => `SELECT 1; \\! touch ${file}\n`],
      ["after lifting restrict mode with a guessed key", (file: string) => `\\unrestrict guessed\n\\! touch ${file}\n`],
    ] as const;
    for (const [where, line] of cases) {
      it(`is refused ${where}`, async () => {
        const dir = await mkdtemp(path.join(tmpdir(), "rc-shell-"));
        const file = path.join(dir, "pwned");
        try {
          const text = sql.toString("utf8");
          const at = text.indexOf("CREATE TABLE public.notes");
          const evil = gzipSync(Buffer.from(text.slice(0, at) + line(file) + text.slice(at)));
          const target = await scratch();
          const error = await restoreDump(
            options({ database: target.name, open: async () => fromBuffer(evil), expectedSha256: sha256(evil) }),
          ).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(DumpRefusedError);
          expect((error as Error).message).toMatch(/line \d+ holds a psql backslash command/);
          expect(existsSync(file)).toBe(false);
          expect(await userTables(target.url)).toBe(0);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    }
  });

  it("maps a permission error to the runbook's troubleshooting advice", async () => {
    const role = `restorer_${Date.now()}`;
    await query(adminUrl(), `CREATE ROLE ${role} LOGIN`);
    const target = await scratch();
    const error = await restoreDump(options({ database: target.name, target: { ...shared, user: role } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestoreToolError);
    expect(error).toMatchObject({ failure: "permission-denied", tool: "psql" });
    expect((error as Error).message).toMatch(/permission denied.*CREATE privileges/s);
    expect(await userTables(target.url)).toBe(0);
  });
});

describe("restoreDump (custom format)", () => {
  it("restores with pg_restore -j 2 through a private staging folder it cleans up", async () => {
    const staging = await mkdtemp(path.join(tmpdir(), "rc-staging-"));
    try {
      const target = await scratch();
      const progress: RestoreProgress[] = [];
      const messages: string[] = [];
      const result = await restoreDump(
        options({
          format: "custom",
          open: async () => fromBuffer(custom),
          expectedSha256: sha256(custom),
          totalBytes: custom.length,
          database: target.name,
          jobs: 2,
          tempDir: staging,
          onProgress: (p) => progress.push(p),
          onMessage: (line) => messages.push(line),
        }),
      );
      await expectRestored(target.url);
      expect(result).toMatchObject({ sha256: sha256(custom), bytesRead: custom.length });
      expect(progress.at(-1)?.tables).toEqual({ started: 2, total: 2 });
      expect(messages.some((line) => line.includes("entering main parallel loop"))).toBe(true);
      expect(await readdir(staging)).toEqual([]);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  });

  it("cancels while pg_restore -j 2 runs: kills it and its workers", async () => {
    const big = await createTestDatabase("bigsource");
    await query(big, "CREATE TABLE a AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 1000000) g; CREATE TABLE b AS TABLE a");
    const archive = await pgDump(shared, dbName(big), "custom");
    const target = await scratch();
    const controller = new AbortController();
    const restoring = restoreDump(
      options({
        format: "custom",
        open: async () => fromBuffer(archive),
        expectedSha256: null,
        database: target.name,
        signal: controller.signal,
      }),
    ).catch((e: unknown) => e);
    for (let i = 0; i < 400; i++) {
      const rows = await query<{ n: number }>(
        adminUrl(),
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${target.name}' AND query LIKE 'COPY%'`,
      );
      if ((rows[0]?.n ?? 0) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    controller.abort();
    const error = await restoring;
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toMatch(/partial restore/);
    const leftovers = (await readdir("/proc")).filter((entry) => /^\d+$/.test(entry));
    const tools = await Promise.all(leftovers.map((pid) => readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")));
    expect(tools.filter((cmdline) => cmdline.includes("pg_restore") && cmdline.includes(target.name))).toEqual([]);
    // Killed workers drop their connections at once (a surviving worker would finish its COPY first).
    await waitForNoSessions(target.name, 20);
  });

  it("checks the checksum before pg_restore touches the database", async () => {
    const staging = await mkdtemp(path.join(tmpdir(), "rc-staging-"));
    try {
      const target = await scratch();
      const error = await restoreDump(
        options({
          format: "custom",
          open: async () => fromBuffer(custom),
          expectedSha256: sha256(gz),
          database: target.name,
          tempDir: staging,
        }),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChecksumMismatchError);
      expect(await userTables(target.url)).toBe(0);
      expect(await readdir(staging)).toEqual([]);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  });
});

describe("a password-protected target", () => {
  // `:` and `\` exercise the passfile escaping; the space, quoting.
  const password = String.raw`Sw0rd:fish\ with space`;
  let cluster: LocalCluster;
  let baseDir: string;
  let target: PgConnection;

  beforeAll(async () => {
    baseDir = await mkdtemp(path.join(tmpdir(), "rc-pw-pg-"));
    cluster = await LocalCluster.open({ baseDir, password, settings: { fsync: false } });
    await cluster.start();
    target = { host: "127.0.0.1", port: cluster.port, user: "postgres", password };
  });

  afterAll(async () => {
    await cluster?.stop("immediate");
    await rm(baseDir, { recursive: true, force: true });
  });

  async function passwordScratch(): Promise<{ url: string; name: string }> {
    const name = `scratch_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    await query(cluster.url(), `CREATE DATABASE ${name}`);
    return { url: withDatabase(cluster.url(), name), name };
  }

  it("connects through a private 0600 passfile; the password is never in argv or the environment", async () => {
    const scratchDb = await passwordScratch();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const restoring = restoreDump(
      options({ database: scratchDb.name, target, open: async () => pausingSource(gz, Math.floor(gz.length / 2), gate) }),
    );
    let seen: Awaited<ReturnType<typeof childProcesses>> = [];
    for (let i = 0; i < 200 && seen.length === 0; i++) {
      seen = (await childProcesses()).filter((child) => child.argv.some((arg) => arg.endsWith("psql")));
      if (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(seen).toHaveLength(1);
    const psql = seen[0]!;
    expect(psql.argv.join(" ")).not.toContain(password);
    expect(psql.environ.join("\n")).not.toContain(password);
    expect(psql.environ.some((entry) => entry.startsWith("PGPASSWORD="))).toBe(false);
    const passfile = psql.environ.find((entry) => entry.startsWith("PGPASSFILE="))?.slice("PGPASSFILE=".length);
    expect(passfile).toBeDefined();
    expect((await stat(passfile!)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(passfile!))).mode & 0o777).toBe(0o700);
    release();
    await restoring;
    await expectRestored(scratchDb.url);
    expect(existsSync(path.dirname(passfile!))).toBe(false);
  });

  it("keeps the password out of errors and messages", async () => {
    const scratchDb = await passwordScratch();
    // A failing statement that names the password: the server quotes it in the error, psql echoes the statement.
    const text = sql.toString("utf8");
    const at = text.indexOf("CREATE TABLE public.notes");
    const leaky = gzipSync(
      Buffer.from(`${text.slice(0, at)}SELECT "${password.replaceAll('"', '""')}" FROM public.accounts;\n${text.slice(at)}`),
    );
    const messages: string[] = [];
    const failed = await restoreDump(
      options({
        database: scratchDb.name,
        target,
        open: async () => fromBuffer(leaky),
        expectedSha256: null,
        onMessage: (line) => messages.push(line),
      }),
    ).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RestoreToolError);
    expect(visibleText(failed, messages)).toMatch(/column .* does not exist[^]*LINE 1: SELECT/);
    expect(visibleText(failed, messages)).not.toContain(password);
    expect(await userTables(scratchDb.url)).toBe(0);

    const wrong = `${password}-wrong`;
    const wrongMessages: string[] = [];
    const denied = await restoreDump(
      options({ database: scratchDb.name, target: { ...target, password: wrong }, onMessage: (line) => wrongMessages.push(line) }),
    ).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(RestoreToolError);
    expect(denied).toMatchObject({ failure: "connection-failed" });
    expect(visibleText(denied, wrongMessages)).toMatch(/password authentication failed/);
    expect(visibleText(denied, wrongMessages)).not.toContain(password);
  });

  it("restores a custom-format dump with -j 2 through the passfile", async () => {
    const scratchDb = await passwordScratch();
    await restoreDump(
      options({ format: "custom", open: async () => fromBuffer(custom), expectedSha256: sha256(custom), database: scratchDb.name, target }),
    );
    await expectRestored(scratchDb.url);
  });
});
