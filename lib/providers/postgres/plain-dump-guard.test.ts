import { describe, expect, it } from "vitest";
import { throughTransform } from "@/lib/testing/streams";
import { judgeStatement } from "./dump-statements";
import { DumpRefusedError } from "./errors";
import { END_MARKER, PlainDumpGuard } from "./plain-dump-guard";

const TAIL = `\n--\n${END_MARKER}\n--\n`;

/** Runs text through the guard in chunks of `size` bytes; returns what psql would receive. */
async function guard(text: string, size = 1 << 20, existingRoles?: Set<string>): Promise<{ output: string; guard: PlainDumpGuard }> {
  const filter = new PlainDumpGuard(existingRoles ? { existingRoles } : {});
  const output = await throughTransform(filter, Buffer.from(text), size);
  return { output: output.toString("utf8"), guard: filter };
}

async function refusal(text: string, size?: number): Promise<string> {
  const error = await guard(text, size).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DumpRefusedError);
  return (error as Error).message;
}

describe("PlainDumpGuard reads statements the way psql does", () => {
  const harmless = [
    "SELECT 'a;COMMIT;' AS x;",
    "SELECT $$ ; COMMIT; $$;",
    "SELECT $tag$ $$ ; COMMIT; $tag$;",
    "/* COMMIT; /* nested */ still; */ SELECT 1;",
    "SELECT E'\\';COMMIT;--' AS x;",
    'SELECT 1 AS "COMMIT; DROP DATABASE x;";',
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;",
    "SELECT 1 AS begin; SELECT 2 AS end;",
  ];
  for (const sql of harmless) {
    it(`passes ${sql.slice(0, 50)} unchanged, whatever the chunking`, async () => {
      for (const size of [1, 3, 1 << 20]) {
        const { output, guard: g } = await guard(`${sql}${TAIL}`, size);
        expect(output).toBe(`${sql}${TAIL}`);
        expect(g.complete).toBe(true);
      }
    });
  }

  it("refuses transaction control hidden after a statement, with its line, whatever the chunking", async () => {
    for (const size of [1, 5, 1 << 20]) {
      expect(await refusal(`SELECT 1;\nSELECT 2; COMMIT;\nDROP DATABASE x;${TAIL}`, size)).toMatch(
        /line 2 holds COMMIT; \(transaction control/,
      );
    }
  });

  it("refuses statements psql would send together behind a function named begin", async () => {
    const text = "CREATE FUNCTION public.begin() RETURNS int LANGUAGE sql AS 'select 1';\nCOMMIT;\nSELECT 1 AS end;";
    expect(await refusal(`${text}${TAIL}`)).toMatch(/line 1 holds several statements sent as one/);
  });

  it("refuses settings that would make strings read differently, and backslash commands anywhere", async () => {
    expect(await refusal(`SET standard_conforming_strings = off;${TAIL}`)).toMatch(/strings would no longer be read/);
    expect(await refusal(`SET client_encoding = 'SJIS';${TAIL}`)).toMatch(/can hide quotes/);
    expect(await refusal(`SELECT 1;\n\\! id\n${TAIL}`)).toMatch(/line 2 holds a psql backslash command/);
    expect(await refusal(`SELECT 1 \\g /tmp/x\n${TAIL}`)).toMatch(/line 1 holds a psql backslash command/);
  });

  it("refuses text after COPY … FROM stdin on its line (psql would run it after the data)", async () => {
    expect(await refusal(`COPY t (x) FROM stdin; SELECT 1;\na\n\\.\n${TAIL}`)).toMatch(/text after COPY/);
  });

  it("never reads COPY data as SQL", async () => {
    const text = `COPY t (x) FROM stdin;\nCOMMIT;\n\\! id\n-- PostgreSQL database dump complete\n\\.\n${TAIL}`;
    const { output, guard: g } = await guard(text, 2);
    expect(output).toBe(text);
    expect(g.rows).toBe(3);
    expect(g.complete).toBe(true);
  });

  it("folds pg_dump's large-object BEGIN/COMMIT (keeping line numbers) and refuses any other BEGIN", async () => {
    const blob =
      "BEGIN;\n\nSELECT pg_catalog.lo_open('16397', 131072);\nSELECT pg_catalog.lowrite(0, '\\x68656c6c6f');\nSELECT pg_catalog.lo_close(0);\n\nCOMMIT;\n";
    const { output, guard: g } = await guard(`${blob}${TAIL}`, 4);
    expect(output.split("\n")).toHaveLength(`${blob}${TAIL}`.split("\n").length);
    expect(output).not.toMatch(/BEGIN|COMMIT/);
    expect(output).toContain("lowrite");
    expect(g.report.largeObjectBlocks).toBe(1);
    expect(await refusal(`BEGIN;\nDELETE FROM t;\nCOMMIT;${TAIL}`)).toMatch(/line 1 holds a BEGIN .*DELETE FROM t; at line 2/);
    // The block never closed: not complete, so nothing is committed.
    expect((await guard(`BEGIN;\nSELECT pg_catalog.lo_close(0);\n${TAIL}`)).guard.complete).toBe(false);
  });

  it("skips ownership changes and grants to roles the target lacks, and reports them", async () => {
    const text = `ALTER TABLE public.loans OWNER TO app;\nGRANT SELECT ON TABLE public.loans TO reporting;\nGRANT SELECT ON TABLE public.loans TO "Gone";\nREVOKE ALL ON SCHEMA public FROM PUBLIC;${TAIL}`;
    const { output, guard: g } = await guard(text, 1 << 20, new Set(["reporting"]));
    expect(output).toBe(`\nGRANT SELECT ON TABLE public.loans TO reporting;\n\nREVOKE ALL ON SCHEMA public FROM PUBLIC;${TAIL}`);
    expect(g.report).toMatchObject({
      ownerChangesSkipped: 1,
      missingRoles: ["Gone"],
      skipped: [{ line: 3, reason: "grant-to-missing-role", roles: ["Gone"] }],
    });
  });
});

describe("judgeStatement", () => {
  it.each([
    ["COPY t FROM PROGRAM 'id';", /PROGRAM/],
    ["COPY t FROM '/etc/passwd';", /file on the database server/],
    ["COPY t TO '/tmp/x';", /file on the database server/],
    ["CREATE DATABASE x;", /outside the restored database/],
    ["ALTER DATABASE x OWNER TO y;", /outside the restored database/],
    ["DROP TABLESPACE t;", /outside the restored database/],
    ["CREATE USER u;", /role definitions/],
    ["ALTER GROUP g ADD USER u;", /role definitions/],
    ["GRANT pg_read_server_files TO loader;", /membership in a role/],
    ["REASSIGN OWNED BY a TO b;", /other roles/],
    ["ALTER SYSTEM SET x = 1;", /configuration/],
    ["LOAD 'evil';", /library/],
    ["SET LOCAL ROLE postgres;", /another role/],
    ["RESET SESSION AUTHORIZATION;", /another role/],
    ["PREPARE TRANSACTION 'x';", /transaction control/],
    ["COMMIT PREPARED 'x';", /transaction control/],
    ["START TRANSACTION;", /transaction control/],
    ["ROLLBACK;", /transaction control/],
    ["END;", /transaction control/],
    ["SAVEPOINT s;", /transaction control/],
  ])("refuses %s", (sql, why) => {
    const verdict = judgeStatement(sql);
    expect(verdict.action).toBe("refuse");
    if (verdict.action === "refuse") expect(verdict.why).toMatch(why);
  });

  it.each([
    "CREATE USER MAPPING FOR PUBLIC SERVER s;",
    "COPY public.t (a, b) FROM stdin;",
    "SELECT pg_catalog.set_config('search_path', '', false);",
    "SET standard_conforming_strings = on;",
    "SET client_encoding = 'UTF8';",
    "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;",
    "PREPARE q AS SELECT 1;",
  ])("passes %s", (sql) => {
    expect(judgeStatement(sql).action).toBe("pass");
  });
});
