import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { throughTransform } from "@/lib/testing/streams";
import { judgeStatement } from "./dump-statements";
import { DumpRefusedError } from "./errors";
import { END_MARKER, PlainDumpGuard, type DumpPiece } from "./plain-dump-guard";

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

/** Runs text through the guard in piece mode, cut into chunks of `size` bytes. */
async function piecesOf(text: string, size: number, existingRoles?: Set<string>): Promise<{ pieces: DumpPiece[]; guard: PlainDumpGuard }> {
  const filter = new PlainDumpGuard({ ...(existingRoles ? { existingRoles } : {}), pieces: true });
  const data = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
  const pieces: DumpPiece[] = [];
  await pipeline(Readable.from(chunks), filter, async (source: AsyncIterable<DumpPiece>) => {
    for await (const piece of source) pieces.push(piece);
  });
  return { pieces, guard: filter };
}

const bytesOf = (piece: DumpPiece) => (piece.kind === "statement" ? Buffer.concat(piece.parts) : piece.data);

/**
 * Each piece is a verbatim run of the dump, in order, starting on the line it names and holding
 * as many line breaks as it says: found in the text one after the other, the claims are checked.
 */
function expectVerbatimInOrder(text: string, pieces: readonly DumpPiece[]): void {
  const data = Buffer.from(text);
  let cursor = 0;
  for (const piece of pieces) {
    const bytes = bytesOf(piece);
    const at = bytes.length === 0 ? cursor : data.indexOf(bytes, cursor);
    expect(at, `piece ${JSON.stringify(bytes.toString().slice(0, 40))} not found after byte ${cursor}`).toBeGreaterThanOrEqual(0);
    const linesBefore = data.subarray(0, at).toString("latin1").split("\n").length;
    expect(piece.line).toBe(linesBefore);
    expect(piece.newlines).toBe(bytes.toString("latin1").split("\n").length - 1);
    cursor = at + bytes.length;
  }
}

describe("PlainDumpGuard in piece mode (for loading over several connections)", () => {
  const dump = [
    "--",
    "-- PostgreSQL database dump",
    "--",
    "",
    "\\restrict abc123",
    "",
    "SET statement_timeout = 0;",
    "SELECT pg_catalog.set_config('search_path', '', false);",
    "",
    "--",
    "-- Name: t; Type: TABLE; Schema: public; Owner: app",
    "--",
    "",
    "CREATE TABLE public.t (",
    "    id integer NOT NULL,",
    "    body text",
    ");",
    "",
    "ALTER TABLE public.t OWNER TO app;",
    "",
    "COPY public.t (id, body) FROM stdin;",
    "1\tCOMMIT;",
    "2\t\\N",
    "3\t-- PostgreSQL database dump complete",
    "\\.",
    "",
    "BEGIN;",
    "SELECT pg_catalog.lo_open('16397', 131072);",
    "SELECT pg_catalog.lowrite(0, '\\x68656c6c6f');",
    "SELECT pg_catalog.lo_close(0);",
    "COMMIT;",
    "",
    "ALTER TABLE ONLY public.t",
    "    ADD CONSTRAINT t_pkey PRIMARY KEY (id);",
    "",
    "--",
    END_MARKER,
    "--",
    "",
    "\\unrestrict abc123",
    "",
  ].join("\n");

  it("passes on each judged statement and the COPY data, verbatim, with the lines they start on, whatever the chunking", async () => {
    for (const size of [1, 7, 4093, 1 << 20]) {
      const { pieces, guard: g } = await piecesOf(dump, size);
      expect(g.complete).toBe(true);
      expect(g.rows).toBe(3);
      expectVerbatimInOrder(dump, pieces);
      const statements = pieces.filter((p) => p.kind === "statement").map((p) => (p.kind === "statement" ? p.text.trim() : ""));
      // Comments travel with the statement after them; OWNER TO and \\restrict lines are not passed on.
      expect(statements.map((t) => t.split("\n").at(-1))).toEqual([
        "SET statement_timeout = 0;",
        "SELECT pg_catalog.set_config('search_path', '', false);",
        ");",
        "COPY public.t (id, body) FROM stdin;",
        "BEGIN;",
        "SELECT pg_catalog.lo_open('16397', 131072);",
        "SELECT pg_catalog.lowrite(0, '\\x68656c6c6f');",
        "SELECT pg_catalog.lo_close(0);",
        "COMMIT;",
        "    ADD CONSTRAINT t_pkey PRIMARY KEY (id);",
      ]);
      const flagged = pieces.flatMap((p) => (p.kind === "statement" && p.largeObject ? [p.largeObject] : []));
      expect(flagged).toEqual(["begin", "commit"]);
      const copy = Buffer.concat(pieces.filter((p) => p.kind === "copy").map(bytesOf)).toString();
      expect(copy).toBe("\n1\tCOMMIT;\n2\t\\N\n3\t-- PostgreSQL database dump complete\n\\.\n");
      expect(pieces.filter((p) => p.kind === "copy" && p.end)).toHaveLength(1);
      expect(pieces.find((p) => p.kind === "statement" && p.copyFromStdin)).toBeDefined();
    }
  });

  it("passes on an over-long statement as its judged head and the rest, still verbatim and in order", async () => {
    const long = `INSERT INTO public.t VALUES (1, '${"x".repeat(1_200_000)}\nmore');`;
    const text = `CREATE TABLE public.t (id int, body text);\n${long}\nSELECT 1;\n--\n${END_MARKER}\n`;
    // Held over a MiB at the end of a chunk: judged by its head (a statement that ends within the chunk is judged whole).
    for (const size of [4093, 65_536]) {
      const { pieces, guard: g } = await piecesOf(text, size);
      expect(g.complete).toBe(true);
      expectVerbatimInOrder(text, pieces);
      const open = pieces.findIndex((p) => p.kind === "statement" && p.open);
      expect(open).toBe(1);
      const more = pieces.slice(open + 1).filter((p) => p.kind === "more");
      expect(more.at(-1)).toMatchObject({ end: true });
      const whole = Buffer.concat(pieces.slice(open, open + 1 + more.length).map(bytesOf)).toString();
      expect(whole.trim()).toBe(long);
      expect(pieces.at(-1)).toMatchObject({ kind: "statement", text: "\nSELECT 1;" });
    }
  });

  it("still refuses what it refuses in byte mode", async () => {
    const error = await piecesOf(`SELECT 1;\nDROP DATABASE x;${TAIL}`, 3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DumpRefusedError);
    expect((error as Error).message).toMatch(/line 2 holds DROP DATABASE x;/);
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
