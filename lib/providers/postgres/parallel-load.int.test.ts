import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminUrl, databaseExists, sqlOn } from "@/lib/testing/databases";
import type { AdminTarget } from "./admin";
import { pgConnectionFromUrl, withPgEnv } from "./connection";
import { CancelledError, ChecksumMismatchError, DumpRefusedError, IncompleteDumpError, RestoreToolError } from "./errors";
import { loadIntoScratch } from "./load-scratch";
import { loaderRoleName } from "./loader-role";
import { restoreDump, type RestoreProgress } from "./restore-dump";
import { findPgTool } from "./tools";

// The plain-dump load over several connections (parallel-load.ts) on real PostgreSQL: it gives
// what the single-transaction load gives, and a dump that fails anywhere — on any connection,
// at the gate — leaves no scratch database, no loader, and everything else as it was.

const execFileAsync = promisify(execFile);
const id = randomBytes(4).toString("hex");
const SOURCE = `pl_source_${id}`;
const CANARY = `pl_canary_${id}`;
const APP_OWNER = `pl_owner_${id}`;
const REPORTING = `pl_reporting_${id}`;
const TABLES = ["accounts", "events", "notes", "tags", "readings", "account_totals"] as const;
/** More than a few of parallel-load's COPY chunks (4 MiB), so one table's data is loaded on several connections. */
const EVENTS = 400_000;

let superuser: AdminTarget;
let dump: string;
let counter = 0;

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

async function pgDump(database: string, args: string[] = []): Promise<string> {
  const conn = pgConnectionFromUrl(adminUrl()).connection;
  const file = await findPgTool("pg_dump");
  return withPgEnv(conn, database, async (env) => {
    const { stdout } = await execFileAsync(file, ["--no-password", ...args], { env, encoding: "buffer", maxBuffer: 256 << 20 });
    return stdout.toString("utf8");
  });
}

/** Loads `text` the way a run does (loader role, scratch database, hand-over), over `jobs` connections. */
/** Run ids whose loader role names differ (a loader is named from the id's first 20 hex digits). */
function runIdOf(n: number): string {
  return `${id}-${String(n).padStart(4, "0")}-4000-8000-000000000000`;
}

async function load(
  text: string,
  options: { jobs: number; expectedSha256?: string | null; signal?: AbortSignal; cut?: number; source?: (data: Buffer) => Readable },
) {
  counter++;
  const runId = runIdOf(counter);
  const scratch = `pl_scratch_${id}_${counter}`;
  const gz = gzipSync(Buffer.from(text));
  const data = options.cut === undefined ? gz : gz.subarray(0, options.cut);
  const messages: string[] = [];
  const progress: RestoreProgress[] = [];
  const outcome = await loadIntoScratch({
    admin: superuser,
    runId,
    scratchDatabase: scratch,
    owner: APP_OWNER,
    format: "plain-gzip",
    // Small chunks, as a store streams them: the guard and the scheduler see the dump arrive piece by piece.
    open: async () => options.source?.(data) ?? Readable.from(chunksOf(data, 64 * 1024)),
    expectedSha256: options.expectedSha256 === undefined ? sha256(data) : options.expectedSha256,
    totalBytes: data.length,
    jobs: options.jobs,
    ...(options.signal ? { signal: options.signal } : {}),
    onMessage: (line) => messages.push(line),
    onProgress: (p) => progress.push(p),
  }).then(
    (result) => ({ result, error: null }),
    (error: unknown) => ({ result: null, error }),
  );
  return { ...outcome, runId, scratch, messages, progress };
}

function chunksOf(data: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
  return chunks;
}

/** Every table's rows (as text, sorted) and the schema as pg_dump sees it: what two loads must agree on. */
async function contents(database: string): Promise<{ tables: Record<string, { rows: number; md5: string }>; schema: string }> {
  const tables: Record<string, { rows: number; md5: string }> = {};
  for (const table of TABLES) {
    const [row] = await sqlOn<{ rows: number; md5: string }>(
      database,
      `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS md5 FROM public.${table} t`,
    );
    tables[table] = row ?? { rows: -1, md5: "" };
  }
  const schema = (await pgDump(database, ["--schema-only"])).replace(/^\\(un)?restrict \S+$/gm, "");
  return { tables, schema };
}

async function roleExists(name: string): Promise<boolean> {
  return (await sqlOn("postgres", "SELECT 1 FROM pg_roles WHERE rolname = $1", [name])).length > 0;
}

/** Our psql children (none may outlive a load). */
async function psqlChildren(): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (ppid === process.pid && cmdline.split("\0")[0]?.endsWith("psql")) found.push(Number(entry));
  }
  return found;
}

/** After a failed load: no scratch database, no loader, no psql left, and the canary as it was. */
async function expectNothingLeft(run: { runId: string; scratch: string }): Promise<void> {
  expect(await databaseExists(run.scratch)).toBe(false);
  expect(await roleExists(loaderRoleName(run.runId))).toBe(false);
  expect(await psqlChildren()).toEqual([]);
  expect(await sqlOn(CANARY, "SELECT count(*)::int AS n FROM precious")).toEqual([{ n: 3 }]);
}

/** The dump with `sql` inserted before the line that starts with `before`; returns the dump line `sql` starts on. */
function injectBefore(before: string, sql: string): { text: string; line: number } {
  const at = dump.indexOf(`\n${before}`) + 1;
  expect(at).toBeGreaterThan(0);
  return { text: `${dump.slice(0, at)}${sql}\n${dump.slice(at)}`, line: dump.slice(0, at).split("\n").length };
}

beforeAll(async () => {
  superuser = { connection: pgConnectionFromUrl(adminUrl()).connection, maintenanceDatabase: "postgres" };
  await sqlOn("postgres", `CREATE ROLE ${APP_OWNER} NOLOGIN`);
  await sqlOn("postgres", `CREATE ROLE ${REPORTING} NOLOGIN`);
  await sqlOn("postgres", `CREATE DATABASE ${CANARY}`);
  await sqlOn(CANARY, "CREATE TABLE precious (id int PRIMARY KEY); INSERT INTO precious VALUES (1), (2), (3)");
  await sqlOn("postgres", `CREATE DATABASE ${SOURCE} OWNER ${APP_OWNER}`);
  // pg_dump's whole repertoire in small: keys, foreign keys (one to itself), unique and expression
  // indexes, a sequence, a view, a function whose body holds a backslash line, data lines that
  // look like SQL, a COPY marker or psql commands, large objects, owners and grants.
  await sqlOn(
    SOURCE,
    String.raw`SET ROLE ${APP_OWNER};
     CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL UNIQUE, parent_id int REFERENCES accounts);
     INSERT INTO accounts SELECT g, 'account ' || g, CASE WHEN g > 1 THEN 1 + g % 50 END FROM generate_series(1, 3000) g;
     CREATE TABLE events (id bigserial PRIMARY KEY, account_id int NOT NULL REFERENCES accounts, kind text NOT NULL,
                          payload text, at timestamptz NOT NULL);
     INSERT INTO events (account_id, kind, payload, at)
       SELECT 1 + g % 3000, (ARRAY['open', 'close', 'pay'])[1 + g % 3], md5(g::text), timestamptz '2026-01-01' + g * interval '1 second'
       FROM generate_series(1, ${EVENTS}) g;
     CREATE INDEX events_account ON events (account_id);
     CREATE INDEX events_at ON events (at DESC);
     CREATE INDEX events_kind_lower ON events (lower(kind)) WHERE kind <> 'pay';
     CREATE TABLE notes (id serial PRIMARY KEY, account_id int REFERENCES accounts, body text, doc oid);
     INSERT INTO notes (account_id, body) VALUES
       (1, E'\\N'), (1, NULL), (2, E'\\! touch /tmp/should-never-exist'), (2, E'\\.'), (3, '-- PostgreSQL database dump complete'),
       (3, E'line one\nline two'), (4, E'tab\there'), (4, 'COMMIT;'), (5, 'DROP DATABASE x;');
     UPDATE notes SET doc = lo_from_bytea(0, convert_to(repeat('note ' || id || ' ', 3000), 'UTF8')) WHERE id <= 3;
     CREATE TABLE tags (account_id int REFERENCES accounts, tag text, PRIMARY KEY (account_id, tag));
     INSERT INTO tags SELECT 1 + g % 3000, 'tag' || (g % 7) FROM generate_series(1, 20000) g ON CONFLICT DO NOTHING;
     SELECT setval('notes_id_seq', 500);
     CREATE VIEW busy_accounts AS SELECT account_id, count(*) AS n FROM events GROUP BY account_id;
     -- What pg_dump writes outside the recognised shapes (kept in dump order): partitions and their
     -- index attachments, a trigger, a materialized view refreshed after the data, a constraint
     -- added NOT VALID, a generated column, comments.
     CREATE TABLE readings (account_id int NOT NULL, at date NOT NULL, value numeric, doubled numeric GENERATED ALWAYS AS (value * 2) STORED)
       PARTITION BY RANGE (at);
     CREATE TABLE readings_2025 PARTITION OF readings FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
     CREATE TABLE readings_2026 PARTITION OF readings FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
     INSERT INTO readings (account_id, at, value) SELECT 1 + g % 3000, date '2025-06-01' + (g % 400), g FROM generate_series(1, 20000) g;
     CREATE INDEX readings_account ON readings (account_id);
     ALTER TABLE readings ADD PRIMARY KEY (account_id, at, value);
     CREATE FUNCTION touch_note() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.body := coalesce(NEW.body, ''); RETURN NEW; END$$;
     CREATE TRIGGER notes_touch BEFORE UPDATE ON notes FOR EACH ROW EXECUTE FUNCTION touch_note();
     CREATE MATERIALIZED VIEW account_totals AS SELECT account_id, count(*) AS n FROM events GROUP BY account_id;
     CREATE UNIQUE INDEX account_totals_account ON account_totals (account_id);
     ALTER TABLE tags ADD CONSTRAINT tags_short CHECK (length(tag) < 10) NOT VALID;
     COMMENT ON COLUMN events.kind IS 'open; close; pay';
     CREATE FUNCTION quirky() RETURNS text LANGUAGE sql AS $body$
SELECT '
\! echo not a command
'::text
$body$;
     GRANT SELECT ON accounts, events TO ${REPORTING};
     RESET ROLE;`,
  );
  dump = await pgDump(SOURCE);
}, 180_000);

afterAll(async () => {
  for (const database of [SOURCE, CANARY])
    await sqlOn("postgres", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  for (const role of [REPORTING, APP_OWNER]) {
    await sqlOn("postgres", `DROP OWNED BY ${role}`).catch(() => undefined);
    await sqlOn("postgres", `DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  }
});

describe("loading a plain dump over several connections", () => {
  it("gives the same tables, rows, schema, owners and grants as the single-transaction load", async () => {
    const single = await load(dump, { jobs: 1 });
    expect(single.error).toBeNull();
    try {
      const expected = await contents(single.scratch);
      expect(expected.tables.events?.rows).toBe(EVENTS);
      expect(expected.tables).toEqual(await contents(SOURCE).then((c) => c.tables));
      for (const jobs of [2, 3]) {
        const parallel = await load(dump, { jobs });
        expect(parallel.error).toBeNull();
        try {
          expect(await contents(parallel.scratch)).toEqual(expected);
          expect(parallel.result).toMatchObject({
            rows: single.result?.rows,
            sqlBytes: single.result?.sqlBytes,
            sha256: single.result?.sha256,
          });
          expect(parallel.result?.guard).toEqual(single.result?.guard);
          expect(parallel.result?.guard.largeObjectBlocks).toBeGreaterThan(0);
          const [checks] = await sqlOn<{ quirky: string; lo: boolean; seq: string; owner: string; reporting: boolean }>(
            parallel.scratch,
            `SELECT quirky(), lo_get(doc) = convert_to(repeat('note 1 ', 3000), 'UTF8') AS lo, (SELECT last_value::text FROM notes_id_seq) AS seq,
                    (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'events') AS owner,
                    has_table_privilege('${REPORTING}', 'public.events', 'SELECT') AS reporting
               FROM notes WHERE id = 1`,
          );
          expect(checks).toEqual({ quirky: "\n\\! echo not a command\n", lo: true, seq: "500", owner: APP_OWNER, reporting: true });
          expect(await roleExists(loaderRoleName(parallel.runId))).toBe(false);
          expect(parallel.progress.at(-1)).toMatchObject({ rows: single.result?.rows });
        } finally {
          await sqlOn("postgres", `DROP DATABASE IF EXISTS ${parallel.scratch} WITH (FORCE)`);
        }
      }
    } finally {
      await sqlOn("postgres", `DROP DATABASE IF EXISTS ${single.scratch} WITH (FORCE)`);
    }
    expect(existsSync("/tmp/should-never-exist")).toBe(false);
  });

  it("refuses a hostile statement that arrives while the other connections build keys and indexes, and keeps nothing", async () => {
    const { text, line } = injectBefore("CREATE INDEX events_kind_lower", `DROP DATABASE ${CANARY};`);
    const loader = loaderRoleName(runIdOf(counter + 1));
    let sawPostData = false;
    // The dump up to the hostile statement, then (once the connections are busy with keys and indexes) the rest.
    const at = Buffer.byteLength(text.slice(0, text.indexOf(`DROP DATABASE ${CANARY};`)));
    const source = () => {
      const whole = Buffer.from(text);
      const parts = [gzipSync(whole.subarray(0, at)), gzipSync(whole.subarray(at))];
      return Readable.from(
        (async function* () {
          yield parts[0] as Buffer;
          for (let i = 0; i < 1000 && !sawPostData; i++) {
            const rows = await sqlOn<{ n: number }>(
              "postgres",
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND state = 'active' AND query ~ 'CREATE INDEX|ADD CONSTRAINT'",
              [loader],
            );
            sawPostData = (rows[0]?.n ?? 0) > 0;
            if (!sawPostData) await new Promise((resolve) => setTimeout(resolve, 5));
          }
          yield parts[1] as Buffer;
        })(),
      );
    };
    const run = await load(text, { jobs: 2, expectedSha256: null, source });
    expect(sawPostData).toBe(true);
    expect(run.error).toBeInstanceOf(DumpRefusedError);
    expect((run.error as Error).message).toContain(`line ${line} holds DROP DATABASE ${CANARY};`);
    expect((run.error as Error).message).toMatch(/partly loaded scratch database is not kept/);
    await expectNothingLeft(run);
  });

  it("refuses every hostile class the guard knows, wherever it sits in the post-data", async () => {
    const hostile = [
      ["COMMIT;", /transaction control/],
      ["COPY public.accounts FROM PROGRAM 'touch /tmp/pl-should-never-exist';", /COPY … PROGRAM/],
      ["ALTER SYSTEM SET work_mem = '123MB';", /ALTER SYSTEM/],
      [`CREATE ROLE pl_evil_${id} SUPERUSER;`, /role definitions/],
      ["SET ROLE postgres;", /another role/],
      ["\\! touch /tmp/pl-should-never-exist", /psql backslash command/],
    ] as const;
    for (const [sql, why] of hostile) {
      const { text, line } = injectBefore("ALTER TABLE ONLY public.tags", sql);
      const run = await load(text, { jobs: 2 });
      expect(run.error, sql).toBeInstanceOf(DumpRefusedError);
      expect((run.error as Error).message).toMatch(why);
      expect((run.error as Error).message).toContain(`line ${line} holds`);
      await expectNothingLeft(run);
    }
    expect(existsSync("/tmp/pl-should-never-exist")).toBe(false);
    expect(await roleExists(`pl_evil_${id}`)).toBe(false);
  });

  it("reports a psql killed from outside as killed, and stops the others", async () => {
    const loader = loaderRoleName(runIdOf(counter + 1));
    const pending = load(dump, { jobs: 2 });
    let killed = false;
    for (let i = 0; i < 400 && !killed; i++) {
      for (const pid of await psqlChildren()) {
        const environ = await readFile(`/proc/${pid}/environ`, "utf8").catch(() => "");
        if (environ.split("\0").includes(`PGUSER=${loader}`)) {
          process.kill(pid, "SIGKILL");
          killed = true;
          break;
        }
      }
      if (!killed) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const run = await pending;
    expect(killed).toBe(true);
    expect(run.error).toBeInstanceOf(RestoreToolError);
    expect((run.error as Error).message).toMatch(/^psql was killed by SIGKILL/);
    await expectNothingLeft(run);
  });

  it("stops every connection when the loader's rights stop one of them in the post-data, naming psql's reason and the dump's line", async () => {
    // The guard lets an index through; only the loader's privileges stop it (it owns nothing outside its database).
    const { text, line } = injectBefore(
      "CREATE INDEX events_kind_lower",
      "CREATE INDEX evil ON pg_catalog.pg_authid USING btree (rolname);",
    );
    const run = await load(text, { jobs: 2 });
    expect(run.error).toBeInstanceOf(RestoreToolError);
    expect(run.error).toMatchObject({ failure: "not-permitted-for-dump" });
    expect((run.error as Error).message).toMatch(
      new RegExp(`line ${line} of the dump: ERROR: +must be owner of (table|relation) pg_authid`),
    );
    await expectNothingLeft(run);
  });

  it("reports an SQL error on one connection with the dump's own line", async () => {
    const { text, line } = injectBefore("ALTER TABLE ONLY public.tags", "SELECT 1/0;");
    const run = await load(text, { jobs: 3 });
    expect(run.error).toBeInstanceOf(RestoreToolError);
    expect((run.error as Error).message).toMatch(new RegExp(`line ${line} of the dump: ERROR: +division by zero`));
    await expectNothingLeft(run);
  });

  it("drops everything when the checksum does not match, found only at the end", async () => {
    const run = await load(dump, { jobs: 2, expectedSha256: sha256(Buffer.from("another file")) });
    expect(run.error).toBeInstanceOf(ChecksumMismatchError);
    // Everything ran before the gate said no: the whole dump streamed through.
    expect(run.progress.at(-1)?.rows).toBeGreaterThan(EVENTS);
    await expectNothingLeft(run);
  });

  it("drops everything when the dump was cut at a line boundary (checksum matching) or its gzip stream was cut", async () => {
    const cut = dump.slice(0, dump.indexOf("\\.\n", dump.indexOf("COPY public.events")) + 3);
    for (const expectedSha256 of [undefined, null]) {
      const run = await load(cut, { jobs: 2, ...(expectedSha256 === null ? { expectedSha256 } : {}) });
      expect(run.error).toBeInstanceOf(IncompleteDumpError);
      await expectNothingLeft(run);
    }
    const gzipCut = await load(dump, { jobs: 2, expectedSha256: null, cut: Math.floor(gzipSync(Buffer.from(dump)).length * 0.7) });
    expect(gzipCut.error).toBeInstanceOf(IncompleteDumpError);
    await expectNothingLeft(gzipCut);
  });

  it("cancels: every psql is killed and nothing is kept", async () => {
    const controller = new AbortController();
    const runId = runIdOf(counter + 1);
    const pending = load(dump, { jobs: 2, signal: controller.signal });
    for (let i = 0; i < 400; i++) {
      const rows = await sqlOn<{ n: number }>(
        "postgres",
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND query LIKE 'COPY%' AND state = 'active'",
        [loaderRoleName(runId)],
      );
      if ((rows[0]?.n ?? 0) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    controller.abort();
    const run = await pending;
    expect(run.error).toBeInstanceOf(CancelledError);
    await expectNothingLeft(run);
  });
});

describe("restoreDump over several connections", () => {
  it("commits each connection's table data only once no more data comes: a dump cut in its data leaves none of it", async () => {
    const database = `pl_cut_${id}`;
    await sqlOn("postgres", `CREATE DATABASE ${database}`);
    try {
      // Well into the events data: more than the load reads ahead, so COPYs were sent (after the pre-data ran).
      const start = dump.indexOf("COPY public.events");
      const end = dump.indexOf("\\.\n", start);
      const cut = dump.indexOf("\n", start + Math.floor((end - start) * 0.9)) + 1;
      const gz = gzipSync(Buffer.from(dump.slice(0, cut)));
      const error = await restoreDump({
        format: "plain-gzip",
        open: async () => Readable.from(chunksOf(gz, 64 * 1024)),
        expectedSha256: sha256(gz),
        totalBytes: gz.length,
        target: superuser.connection,
        database,
        jobs: 2,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IncompleteDumpError);
      expect(
        await sqlOn(
          database,
          "SELECT (SELECT count(*) FROM public.events)::int AS events, (SELECT count(*) FROM public.accounts)::int AS accounts",
        ),
      ).toEqual([{ events: 0, accounts: 0 }]);
    } finally {
      await sqlOn("postgres", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  });

  it("reports a connection every psql is refused as such, without the password", async () => {
    const database = `pl_refused_${id}`;
    await sqlOn("postgres", `CREATE DATABASE ${database}`);
    try {
      const gz = gzipSync(Buffer.from(dump));
      const password = `pw-${randomBytes(8).toString("hex")}`;
      const messages: string[] = [];
      const error = await restoreDump({
        format: "plain-gzip",
        open: async () => Readable.from(chunksOf(gz, 64 * 1024)),
        expectedSha256: sha256(gz),
        totalBytes: gz.length,
        target: { ...superuser.connection, user: `pl_nobody_${id}`, password },
        database,
        jobs: 2,
        onMessage: (line) => messages.push(line),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RestoreToolError);
      expect(error).toMatchObject({ failure: "connection-failed" });
      expect([(error as Error).message, ...messages].join("\n")).not.toContain(password);
      expect(await psqlChildren()).toEqual([]);
    } finally {
      await sqlOn("postgres", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  });

  it("restores into an existing database and leaves what it loaded there on failure, for the caller to drop", async () => {
    const database = `pl_direct_${id}`;
    await sqlOn("postgres", `CREATE DATABASE ${database}`);
    try {
      const gz = gzipSync(Buffer.from(dump));
      const error = await restoreDump({
        format: "plain-gzip",
        open: async () => Readable.from(chunksOf(gz, 64 * 1024)),
        expectedSha256: sha256(Buffer.from("not this one")),
        totalBytes: gz.length,
        target: superuser.connection,
        database,
        jobs: 2,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChecksumMismatchError);
      // Each connection commits as it goes: what ran before the gate said no is there until the caller drops the database.
      expect(await sqlOn(database, "SELECT to_regclass('public.events') IS NOT NULL AS loaded")).toEqual([{ loaded: true }]);
    } finally {
      await sqlOn("postgres", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  });
});
