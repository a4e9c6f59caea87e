import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminUrl, databaseExists, sqlOn, withDatabase } from "@/lib/testing/databases";
import { renameDatabases, TargetAdminError, type AdminTarget } from "./admin";
import { pgConnectionFromUrl, withPgEnv, type PgConnection } from "./connection";
import { DumpRefusedError, IncompleteDumpError, RestoreToolError } from "./errors";
import { loadIntoScratch } from "./load-scratch";
import { createLoaderRole, dropLoaderRole, loaderConnection, loaderRoleName, tablesUnreadableBy } from "./loader-role";
import { findPgTool } from "./tools";

// The restore trust boundary on real PostgreSQL, for the two kinds of target people use: a
// superuser, and a managed database's master user (LOGIN CREATEDB CREATEROLE, nothing more).
// Each hostile class is tried against the whole load (guard + loader), and against the loader
// alone (its SQL sent straight to psql as the loader), so each layer is shown to hold by itself.

const execFileAsync = promisify(execFile);
const id = randomBytes(4).toString("hex");
const MANAGED = `rc_managed_${id}`;
const MANAGED_PASSWORD = `pw-${randomBytes(12).toString("hex")}`;
const APP_OWNER = `app_owner_${id}`;
const REPORTING = `reporting_${id}`;
const SOURCE = `tb_source_${id}`;
const LOBS = `tb_lobs_${id}`;
const CANARY = `tb_canary_${id}`;
const NO_SUCH_ROLE = `gone_${id}`;

let superuser: AdminTarget;
let managed: AdminTarget;
let plainDump: string;
let lobDump: string;
let customDump: Buffer;
let counter = 0;

async function pgDump(database: string, format: "plain" | "custom"): Promise<Buffer> {
  const conn = pgConnectionFromUrl(adminUrl()).connection;
  const file = await findPgTool("pg_dump");
  return withPgEnv(
    conn,
    database,
    async (env) =>
      (await execFileAsync(file, [`--format=${format}`, "--no-password"], { env, encoding: "buffer", maxBuffer: 64 << 20 })).stdout,
  );
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

function targets(): Array<[string, () => AdminTarget]> {
  return [
    ["a superuser target", () => superuser],
    ["a managed-database target (LOGIN CREATEDB CREATEROLE)", () => managed],
  ];
}

const runPrefix = randomBytes(4).toString("hex");

function runNumbered(n: number): { runId: string; scratch: string } {
  return { runId: `${runPrefix}-0000-4000-8000-${String(n).padStart(12, "0")}`, scratch: `tb_scratch_${id}_${n}` };
}

function nextRun(): { runId: string; scratch: string } {
  counter++;
  return runNumbered(counter);
}

/** The run the next load will use (tests in a file run one at a time). */
function peekNextRun(): { runId: string; scratch: string } {
  return runNumbered(counter + 1);
}

/** Loads `text` (plain SQL, gzipped here) the way a run does, owned afterwards by APP_OWNER. */
async function load(admin: AdminTarget, text: string | Buffer, format: "plain-gzip" | "custom" = "plain-gzip") {
  const { runId, scratch } = nextRun();
  const data = format === "custom" ? (text as Buffer) : gzipSync(Buffer.isBuffer(text) ? text : Buffer.from(text));
  const messages: string[] = [];
  const outcome = await loadIntoScratch({
    admin,
    runId,
    scratchDatabase: scratch,
    owner: APP_OWNER,
    format,
    open: async () => Readable.from([data]),
    expectedSha256: sha256(data),
    totalBytes: data.length,
    onMessage: (line) => messages.push(line),
  }).then(
    (result) => ({ result, error: null }),
    (error: unknown) => ({ result: null, error }),
  );
  return { ...outcome, runId, scratch, messages };
}

async function roleExists(name: string): Promise<boolean> {
  return (await sqlOn("postgres", "SELECT 1 FROM pg_roles WHERE rolname = $1", [name])).length > 0;
}

/** After a refused or failed load: nothing of the run is left, and everything else is as it was. */
async function expectNothingChanged(run: { runId: string; scratch: string }): Promise<void> {
  expect(await databaseExists(run.scratch)).toBe(false);
  expect(await roleExists(loaderRoleName(run.runId))).toBe(false);
  expect(await databaseExists(CANARY)).toBe(true);
  expect(await sqlOn(CANARY, "SELECT count(*)::int AS n FROM precious")).toEqual([{ n: 3 }]);
  expect(await sqlOn("postgres", "SELECT rolsuper FROM pg_roles WHERE rolname = $1", [MANAGED])).toEqual([{ rolsuper: false }]);
  expect(await roleExists(`evil_${id}`)).toBe(false);
  const [setting] = await sqlOn<{ value: string }>("postgres", "SELECT current_setting('work_mem') AS value");
  expect(setting?.value).not.toBe("123MB");
}

/** The plain dump with `injected` placed right after pg_dump's own `\restrict` line (where the issue found it slipping through). */
function withInjection(injected: string): string {
  return plainDump.replace(/^(\\restrict \S+\n)/m, `$1${injected}\n`);
}

/** Runs SQL straight through psql as a fresh loader (no guard), in the loader's own scratch database. */
async function asLoaderAlone(
  admin: AdminTarget,
  text: string,
): Promise<{ code: number | null; stderr: string; runId: string; scratch: string }> {
  const { runId, scratch } = nextRun();
  const loader = await createLoaderRole(admin, runId);
  const client = new pg.Client({ ...admin.connection, database: admin.maintenanceDatabase });
  await client.connect();
  await client.query(`CREATE DATABASE "${scratch}" OWNER "${loader.name}"`);
  await client.end();
  const psql = await findPgTool("psql");
  try {
    return await withPgEnv(loaderConnection(admin, loader), scratch, async (env) => {
      const result = await execFileAsync(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", text], { env }).then(
        (r) => ({ code: 0, stderr: r.stderr }),
        (error: { code?: number; stderr?: string }) => ({ code: error.code ?? null, stderr: error.stderr ?? "" }),
      );
      return { ...result, runId, scratch };
    });
  } finally {
    const cleanup = new pg.Client({ ...admin.connection, database: admin.maintenanceDatabase });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`);
    await cleanup.end();
    await dropLoaderRole(admin, runId);
  }
}

beforeAll(async () => {
  superuser = { connection: pgConnectionFromUrl(adminUrl()).connection, maintenanceDatabase: "postgres" };
  await sqlOn("postgres", `CREATE ROLE ${APP_OWNER} NOLOGIN`);
  await sqlOn("postgres", `CREATE ROLE ${REPORTING} NOLOGIN`);
  await sqlOn("postgres", `CREATE ROLE ${NO_SUCH_ROLE} NOLOGIN`);
  await sqlOn("postgres", `CREATE ROLE ${MANAGED} LOGIN CREATEDB CREATEROLE PASSWORD '${MANAGED_PASSWORD}'`);
  await sqlOn("postgres", `GRANT ${APP_OWNER} TO ${MANAGED}`);
  const base: PgConnection = pgConnectionFromUrl(adminUrl()).connection;
  managed = { connection: { ...base, user: MANAGED, password: MANAGED_PASSWORD }, maintenanceDatabase: "postgres" };

  await sqlOn("postgres", `CREATE DATABASE ${CANARY}`);
  await sqlOn(CANARY, "CREATE TABLE precious (id int PRIMARY KEY); INSERT INTO precious VALUES (1), (2), (3)");

  // An application database as teams have them: owned by an application role, with grants to others.
  await sqlOn("postgres", `CREATE DATABASE ${SOURCE} OWNER ${APP_OWNER}`);
  await sqlOn(
    SOURCE,
    `SET ROLE ${APP_OWNER};
     CREATE TABLE loans (id int PRIMARY KEY, amount numeric NOT NULL);
     CREATE TABLE payments (id int PRIMARY KEY, loan_id int NOT NULL REFERENCES loans, amount numeric);
     CREATE INDEX payments_loan ON payments (loan_id);
     INSERT INTO loans SELECT g, g * 10 FROM generate_series(1, 200) g;
     INSERT INTO payments SELECT g, 1 + g % 200, g FROM generate_series(1, 500) g;
     GRANT SELECT ON loans, payments TO ${REPORTING};
     GRANT SELECT ON loans TO ${NO_SUCH_ROLE};
     RESET ROLE;`,
  );
  plainDump = (await pgDump(SOURCE, "plain")).toString("utf8");
  customDump = await pgDump(SOURCE, "custom");
  // The grantee exists on the source only: restores meet a dump naming a role the target lacks.
  await sqlOn(SOURCE, `REVOKE ALL ON loans FROM ${NO_SUCH_ROLE}`);
  await sqlOn("postgres", `DROP ROLE ${NO_SUCH_ROLE}`);

  await sqlOn("postgres", `CREATE DATABASE ${LOBS} OWNER ${APP_OWNER}`);
  await sqlOn(
    LOBS,
    `SET ROLE ${APP_OWNER};
     CREATE TABLE documents (id int PRIMARY KEY, body oid);
     INSERT INTO documents SELECT g, lo_from_bytea(0, convert_to(repeat('document ' || g || ' ', 4000), 'UTF8')) FROM generate_series(1, 5) g;
     RESET ROLE;`,
  );
  lobDump = (await pgDump(LOBS, "plain")).toString("utf8");
}, 120_000);

afterAll(async () => {
  for (const database of [SOURCE, LOBS, CANARY])
    await sqlOn("postgres", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  for (const role of [MANAGED, REPORTING, APP_OWNER]) {
    await sqlOn("postgres", `DROP OWNED BY ${role}`).catch(() => undefined);
    await sqlOn("postgres", `DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  }
});

const HOSTILE: Array<{ name: string; sql: (file: string) => string; guard: RegExp; loader: RegExp }> = [
  {
    name: "COMMIT then DROP DATABASE of another database",
    sql: () => `COMMIT;\nDROP DATABASE IF EXISTS ${CANARY};`,
    guard: /line \d+ holds COMMIT; \(transaction control/,
    loader: /must be owner of database|cannot run inside a transaction block/,
  },
  {
    name: "COPY … FROM PROGRAM",
    sql: (file) => `CREATE TABLE t (x text);\nCOPY t FROM PROGRAM 'touch ${file}';`,
    guard: /COPY … PROGRAM runs a command/,
    loader:
      /permission denied to COPY to or from an external program|must be superuser or have privileges of the pg_execute_server_program role/,
  },
  {
    name: "DROP DATABASE",
    sql: () => `DROP DATABASE ${CANARY};`,
    guard: /DROP DATABASE changes the server outside the restored database/,
    loader: /must be owner of database|cannot run inside a transaction block/,
  },
  {
    name: "ALTER SYSTEM",
    sql: () => `ALTER SYSTEM SET work_mem = '123MB';`,
    guard: /ALTER SYSTEM changes the server's configuration/,
    loader: /permission denied to set parameter|must be superuser/,
  },
  {
    name: "CREATE ROLE",
    sql: () => `CREATE ROLE evil_${id} SUPERUSER LOGIN;`,
    guard: /role definitions are not part of a database dump/,
    loader: /permission denied to create role|must be superuser/,
  },
  {
    name: "ALTER ROLE of the target user",
    sql: () => `ALTER ROLE ${MANAGED} SUPERUSER;`,
    guard: /role definitions are not part of a database dump/,
    loader: /permission denied|must be superuser/,
  },
  {
    name: "SET ROLE to a privileged role",
    sql: () => `SET ROLE postgres;`,
    guard: /it switches to another role/,
    loader: /permission denied to set role/,
  },
  {
    name: "SET SESSION AUTHORIZATION",
    sql: () => `SET SESSION AUTHORIZATION postgres;`,
    guard: /it switches to another role/,
    loader: /permission denied to set session authorization/,
  },
  {
    name: "server-side lo_import",
    sql: () => `SELECT lo_import('/etc/hostname');`,
    guard: /.*/,
    loader: /permission denied for function lo_import|must be superuser to use server-side lo_import/,
  },
  {
    name: "server-side lo_export",
    sql: (file) => `SELECT lo_export(lo_from_bytea(0, 'x'), '${file}');`,
    guard: /.*/,
    loader: /permission denied for function lo_export|must be superuser to use server-side lo_export/,
  },
  {
    name: "CREATE EXTENSION of an untrusted extension",
    sql: () => `CREATE EXTENSION file_fdw;`,
    guard: /.*/,
    loader: /permission denied to create extension "file_fdw"/,
  },
];

describe.each(targets())("on %s", (_label, target) => {
  describe("a hostile dump changes nothing outside its scratch copy", () => {
    for (const hostile of HOSTILE) {
      it(`${hostile.name}: refused by the whole load, and by the loader alone`, async () => {
        const dir = await mkdtemp(path.join(tmpdir(), "rc-hostile-"));
        const file = path.join(dir, "pwned");
        try {
          const run = await load(target(), withInjection(hostile.sql(file)));
          expect(run.result).toBeNull();
          const error = run.error as Error;
          // Refused by the guard where it recognises the class; otherwise by the loader's privileges.
          expect(error instanceof DumpRefusedError || error instanceof RestoreToolError).toBe(true);
          if (error instanceof DumpRefusedError) expect(error.message).toMatch(hostile.guard);
          else expect(error).toMatchObject({ failure: "not-permitted-for-dump" });
          expect(error.message).toMatch(/line \d+/);
          await expectNothingChanged(run);
          expect(existsSync(file)).toBe(false);

          const alone = await asLoaderAlone(target(), hostile.sql(file));
          expect(alone.code).not.toBe(0);
          expect(alone.stderr).toMatch(hostile.loader);
          await expectNothingChanged(alone);
          expect(existsSync(file)).toBe(false);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    }
  });

  it("restores an application database with its owner and grants as the source had them; grants to missing roles are skipped and reported", async () => {
    const run = await load(target(), plainDump);
    expect(run.error).toBeNull();
    try {
      const owners = await sqlOn<{ relname: string; owner: string; acl: string | null }>(
        run.scratch,
        "SELECT relname, pg_get_userbyid(relowner) AS owner, relacl::text AS acl FROM pg_class WHERE relname IN ('loans', 'payments', 'payments_loan') ORDER BY relname",
      );
      const source = await sqlOn<{ relname: string; owner: string; acl: string | null }>(
        SOURCE,
        "SELECT relname, pg_get_userbyid(relowner) AS owner, relacl::text AS acl FROM pg_class WHERE relname IN ('loans', 'payments', 'payments_loan') ORDER BY relname",
      );
      expect(owners).toEqual(source);
      expect(owners.every((r) => r.owner === APP_OWNER)).toBe(true);
      const [database] = await sqlOn<{ owner: string }>(
        "postgres",
        "SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1",
        [run.scratch],
      );
      expect(database?.owner).toBe(APP_OWNER);
      expect(run.result?.guard.missingRoles).toEqual([NO_SUCH_ROLE]);
      expect(run.result?.guard.ownerChangesSkipped).toBeGreaterThan(0);
      expect(await roleExists(loaderRoleName(run.runId))).toBe(false);
      // The application's role reads every table after the hand-over.
      expect(await sqlOn(run.scratch, "SELECT has_table_privilege($1, 'public.loans', 'SELECT') AS ok", [REPORTING])).toEqual([
        { ok: true },
      ]);
    } finally {
      await sqlOn("postgres", `DROP DATABASE IF EXISTS ${run.scratch} WITH (FORCE)`);
    }
  });

  it("finds the tables the owning role could not read after the hand-over (the validation check behind the swap)", async () => {
    const selfRevoked = plainDump.replace(
      "--\n-- PostgreSQL database dump complete",
      "REVOKE ALL ON TABLE public.loans FROM CURRENT_USER;\n--\n-- PostgreSQL database dump complete",
    );
    const run = await load(target(), selfRevoked);
    expect(run.error).toBeNull();
    try {
      const unreadable = await tablesUnreadableBy(target(), run.scratch, APP_OWNER);
      expect(unreadable.map((u) => u.table)).toEqual(["public.loans"]);
      expect(unreadable[0]?.error).toMatch(/permission denied/);
    } finally {
      await sqlOn("postgres", `DROP DATABASE IF EXISTS ${run.scratch} WITH (FORCE)`);
    }
  });

  it("restores a custom-format archive with its grants (no longer dropped)", async () => {
    const run = await load(target(), customDump, "custom");
    expect(run.error).toBeNull();
    try {
      const [loans] = await sqlOn<{ owner: string; acl: string | null }>(
        run.scratch,
        "SELECT pg_get_userbyid(relowner) AS owner, relacl::text AS acl FROM pg_class WHERE relname = 'loans'",
      );
      expect(loans?.owner).toBe(APP_OWNER);
      expect(loans?.acl).toContain(`${REPORTING}=r/`);
      expect(run.result?.guard.missingRoles).toEqual([NO_SUCH_ROLE]);
      expect(await roleExists(loaderRoleName(run.runId))).toBe(false);
    } finally {
      await sqlOn("postgres", `DROP DATABASE IF EXISTS ${run.scratch} WITH (FORCE)`);
    }
  });

  it("restores a real pg_dump with large objects, folding pg_dump's BEGIN/COMMIT into the gated transaction", async () => {
    expect(lobDump).toMatch(/^BEGIN;$/m);
    const run = await load(target(), lobDump);
    expect(run.error).toBeNull();
    try {
      expect(run.result?.guard.largeObjectBlocks).toBe(1);
      const rows = await sqlOn<{ id: number; same: boolean; owner: string }>(
        run.scratch,
        `SELECT d.id, lo_get(d.body) = convert_to(repeat('document ' || d.id || ' ', 4000), 'UTF8') AS same, pg_get_userbyid(m.lomowner) AS owner
           FROM documents d JOIN pg_largeobject_metadata m ON m.oid = d.body ORDER BY d.id`,
      );
      expect(rows).toHaveLength(5);
      expect(rows.every((r) => r.same && r.owner === APP_OWNER)).toBe(true);
    } finally {
      await sqlOn("postgres", `DROP DATABASE IF EXISTS ${run.scratch} WITH (FORCE)`);
    }
  });

  it("commits nothing from a dump with large objects cut inside its large-object block (checksum matching)", async () => {
    const inside = lobDump.indexOf("SELECT pg_catalog.lowrite");
    const cut = lobDump.slice(0, lobDump.indexOf("\n", inside) + 1);
    const run = await load(target(), cut);
    expect(run.error).toBeInstanceOf(IncompleteDumpError);
    await expectNothingChanged(run);
  });

  it("refuses a BEGIN that does not frame large-object data, naming its line", async () => {
    const run = await load(target(), withInjection("BEGIN;\nCREATE TABLE sneaky (x int);\nCOMMIT;"));
    expect(run.error).toBeInstanceOf(DumpRefusedError);
    expect((run.error as Error).message).toMatch(/line \d+ holds a BEGIN/);
    await expectNothingChanged(run);
  });
});

describe("a managed-database user swapping while a superuser is connected", () => {
  it("leaves the superuser's session alone and reports the database in use, instead of failing on a privilege", async () => {
    const name = `tb_swap_${id}`;
    await sqlOn("postgres", `CREATE DATABASE ${name} OWNER ${APP_OWNER}`);
    const intruder = new pg.Client({ connectionString: withDatabase(adminUrl(), name) });
    await intruder.connect();
    intruder.on("error", () => undefined);
    try {
      const error = await renameDatabases(managed, [[name, `${name}_old`]], { terminateSessionsOf: [name] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetAdminError);
      expect(error).toMatchObject({ failure: "in-use" });
      expect((await intruder.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await intruder.end().catch(() => undefined);
      await sqlOn("postgres", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });
});

describe("errors tell the truth: psql's own reason comes first", () => {
  for (const [label, target] of targets()) {
    it(`an SQL error part-way names psql's message and the dump's line, never the store (${label})`, async () => {
      // A failing statement early, then lots of data still streaming: the pipe breaks while psql exits.
      const bulk = `COPY public.filler (x) FROM stdin;\n${"y\n".repeat(400_000)}\\.\n`;
      const broken = withInjection(`CREATE TABLE public.filler (x text);\nSELECT 1/0;\n${bulk}`);
      for (let attempt = 0; attempt < 5; attempt++) {
        const run = await load(target(), broken);
        expect(run.error).toBeInstanceOf(RestoreToolError);
        const message = (run.error as Error).message;
        expect(message).toMatch(/division by zero/);
        expect(message).toMatch(/line \d+ of the dump/);
        expect(message).not.toMatch(/backup store/);
        await expectNothingChanged(run);
      }
    });
  }

  it("a lost connection is reported as psql's, not the store's", async () => {
    const bulk = `COPY public.filler (x) FROM stdin;\n${"y\n".repeat(200_000)}\\.\n`;
    const slow = withInjection(`CREATE TABLE public.filler (x text);\nSELECT pg_terminate_backend(pg_backend_pid());\n${bulk}`);
    const run = await load(managed, slow);
    expect(run.error).toBeInstanceOf(RestoreToolError);
    expect((run.error as Error).message).toMatch(/terminat|connection/i);
    expect((run.error as Error).message).not.toMatch(/backup store/);
    await expectNothingChanged(run);
  });

  it("a constraint that fails only at COMMIT is named, and nothing is kept", async () => {
    const deferred = withInjection(
      "CREATE TABLE public.parent (id int PRIMARY KEY);\nCREATE TABLE public.child (parent_id int REFERENCES public.parent DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO public.child VALUES (42);",
    );
    const run = await load(managed, deferred);
    expect(run.error).toBeInstanceOf(RestoreToolError);
    expect((run.error as Error).message).toMatch(/violates foreign key constraint "child_parent_id_fkey".*at or before COMMIT/s);
    await expectNothingChanged(run);
  });

  it("psql killed from outside is reported as killed, not as a store failure", async () => {
    const slow = withInjection("SELECT pg_sleep(30);");
    const { runId } = peekNextRun();
    const pending = load(managed, slow);
    const pid = await waitForLoaderPsql(loaderRoleName(runId));
    process.kill(pid, "SIGKILL");
    const run = await pending;
    expect(run.error).toBeInstanceOf(RestoreToolError);
    expect((run.error as Error).message).toMatch(/^psql was killed by SIGKILL/);
    expect((run.error as Error).message).not.toMatch(/backup store/);
    await expectNothingChanged(run);
  });
});

/** The psql this process started that connects as `loader` (found through /proc, so other tests' psql are never touched). */
async function waitForLoaderPsql(loader: string): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const environ = await readFile(`/proc/${entry}/environ`, "utf8").catch(() => "");
      const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
      if (cmdline.split("\0")[0]?.endsWith("psql") && environ.split("\0").includes(`PGUSER=${loader}`)) return Number(entry);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no psql connecting as ${loader} appeared`);
}
