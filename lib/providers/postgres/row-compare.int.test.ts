import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestError, ConflictError } from "@/lib/errors";
import { adminUrl, sqlOn } from "@/lib/testing/databases";
import type { DatabaseEndpoint } from "./endpoint-connection";
import {
  applyRepairStatements,
  buildRepairStatements,
  compareKeys,
  compareTable,
  countRepairable,
  listTableShapes,
  repairCheckOf,
} from "./row-compare";

// Row-level comparison and repair on real PostgreSQL: a "restored" database (as the backup had
// the rows) and a "live" one (after a bad migration), read as a non-superuser.

const id = randomBytes(4).toString("hex");
const RESTORED = `rowcmp_restored_${id}`;
const LIVE = `rowcmp_live_${id}`;
const USER = `rc_rowcmp_${id}`;
const PASSWORD = `pw-${randomBytes(8).toString("hex")}`;

const SCHEMA = `
CREATE TABLE payments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id int NOT NULL,
  amount numeric(12, 2) NOT NULL,
  cents bigint GENERATED ALWAYS AS ((amount * 100)::bigint) STORED,
  memo text
);
CREATE TABLE ledger (
  tenant_id int,
  code text COLLATE "en-x-icu",
  body text,
  at timestamptz,
  PRIMARY KEY (tenant_id, code)
);
CREATE TABLE events (tenant_id int, body text);
`;

// Values a literal must carry intact: quotes, backslashes, newlines, NUL-free unicode, NULL.
const TRICKY = ["it's", "back\\slash", "two\nlines", "ünïcødé 😀", null, "$$dollar$$", "'; DROP TABLE payments; --"];

function endpoint(database: string): DatabaseEndpoint {
  const url = new URL(adminUrl());
  return { host: url.hostname, port: Number(url.port), user: USER, password: PASSWORD, database, sslMode: "disable" };
}

async function seed(database: string): Promise<void> {
  await sqlOn(database, SCHEMA);
  await sqlOn(
    database,
    `INSERT INTO payments (tenant_id, amount, memo) SELECT 1 + g % 5, g * 1.25, CASE WHEN g % 7 = 0 THEN NULL ELSE 'p' || g END FROM generate_series(1, 12000) g`,
  );
  // Keys whose byte order differs from a linguistic collation's: upper before lower, accents last.
  const codes = ["a", "B", "b", "Z", "é", "e", "😀", "a b", "a-b", "10", "9"];
  for (const [i, code] of codes.entries()) {
    await sqlOn(database, "INSERT INTO ledger VALUES ($1, $2, $3, $4)", [
      1 + (i % 2),
      code,
      TRICKY[i % TRICKY.length],
      new Date(Date.UTC(2026, 10, 1 + i)),
    ]);
  }
  await sqlOn(database, "INSERT INTO events SELECT g % 3, 'e' || g FROM generate_series(1, 10) g");
  await sqlOn(database, `GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO ${USER}`);
}

const count = async (database: string, sql: string) => Number((await sqlOn<{ n: string }>(database, sql))[0]?.n);
const fingerprint = async (database: string, table: string, where = "true") =>
  (await sqlOn<{ d: string }>(database, `SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS d FROM ${table} t WHERE ${where}`))[0]?.d;

const options = { filter: [], samples: 3, maxKeys: 100_000, statementTimeoutMs: 60_000 };

beforeAll(async () => {
  await sqlOn("postgres", `CREATE ROLE ${USER} LOGIN PASSWORD '${PASSWORD}'`);
  for (const database of [RESTORED, LIVE]) {
    await sqlOn("postgres", `CREATE DATABASE ${database}`);
    await seed(database);
  }
  // The bad migration: tenant 4 loses most payments, the rest get amounts ×100; ledger rows change.
  await sqlOn(LIVE, "DELETE FROM payments WHERE tenant_id = 4 AND id % 4 <> 0");
  await sqlOn(LIVE, "UPDATE payments SET amount = amount * 100 WHERE tenant_id = 4");
  await sqlOn(LIVE, "DELETE FROM ledger WHERE code IN ('é', '😀', 'a b')");
  await sqlOn(LIVE, "UPDATE ledger SET body = 'changed' WHERE code = 'B'");
  // Written after the backup: extra rows, reported and never touched.
  await sqlOn(LIVE, "INSERT INTO payments (tenant_id, amount, memo) VALUES (4, 9.99, 'after the backup'), (2, 1, 'other tenant')");
}, 60_000);

afterAll(async () => {
  for (const database of [RESTORED, LIVE]) await sqlOn("postgres", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await sqlOn("postgres", `DROP ROLE IF EXISTS ${USER}`);
});

describe("row comparison", () => {
  it('orders keys byte-wise, as COLLATE "C" does', () => {
    const keys = [["é"], ["a"], ["B"], ["😀"], ["b"], ["a", "2"], ["a", "10"]];
    const sorted = [...keys].sort(compareKeys).map((k) => k.join(","));
    expect(sorted).toEqual(["B", "a", "a,10", "a,2", "b", "é", "😀"]);
  });

  it("lists tables with their primary keys, and one without is refused with the reason", async () => {
    const shapes = await listTableShapes(endpoint(RESTORED));
    expect(shapes.map((s) => `${s.name}:${s.primaryKey.join("+")}`)).toEqual(["events:", "ledger:tenant_id+code", "payments:id"]);
    expect(shapes.find((s) => s.name === "payments")?.columns.find((c) => c.name === "cents")?.generated).toBe(true);
    const refused = compareTable(endpoint(RESTORED), endpoint(LIVE), { schema: "public", name: "events" }, options);
    await expect(refused).rejects.toThrow(BadRequestError);
    await expect(refused).rejects.toThrow(/public\.events has no primary key/);
  });

  it("counts missing, changed and extra rows of one tenant, with samples showing what differs", async () => {
    const deleted = await count(RESTORED, "SELECT count(*) AS n FROM payments WHERE tenant_id = 4 AND id % 4 <> 0");
    const damaged = await count(RESTORED, "SELECT count(*) AS n FROM payments WHERE tenant_id = 4 AND id % 4 = 0");
    expect(Math.min(deleted, damaged)).toBeGreaterThan(0);
    const { comparison, missingKeys, changedKeys, keysTruncated, writableColumns } = await compareTable(
      endpoint(RESTORED),
      endpoint(LIVE),
      { schema: "public", name: "payments" },
      { ...options, filter: [{ column: "tenant_id", value: "4" }] },
    );
    expect({ missing: comparison.missing.count, changed: comparison.changed.count, extra: comparison.extra.count }).toEqual({
      missing: deleted,
      changed: damaged,
      extra: 1,
    });
    expect(missingKeys).toHaveLength(deleted);
    expect(changedKeys).toHaveLength(damaged);
    expect(keysTruncated).toBe(false);
    expect(writableColumns).toEqual(["id", "tenant_id", "amount", "memo"]);
    const changed = comparison.changed.samples[0];
    expect(changed?.changedColumns).toEqual(expect.arrayContaining(["amount", "cents"]));
    expect(Number(changed?.live?.amount)).toBeCloseTo(Number(changed?.restored?.amount) * 100);
    expect(comparison.extra.samples[0]?.live?.memo).toBe("after the backup");
    expect(comparison.missing.samples[0]?.live).toBeUndefined();
    // Without the filter, the other tenant's new row shows up too.
    const all = await compareTable(endpoint(RESTORED), endpoint(LIVE), { schema: "public", name: "payments" }, options);
    expect(all.comparison.extra.count).toBe(2);
  });

  it("matches composite keys whatever the column's collation, and repairs tricky values exactly", async () => {
    const table = { schema: "public", name: "ledger" };
    const before = await fingerprint(LIVE, "ledger");
    const found = await compareTable(endpoint(RESTORED), endpoint(LIVE), table, options);
    expect(found.comparison.primaryKey).toEqual(["tenant_id", "code"]);
    expect({
      missing: found.comparison.missing.count,
      changed: found.comparison.changed.count,
      extra: found.comparison.extra.count,
    }).toEqual({
      missing: 3,
      changed: 1,
      extra: 0,
    });
    const repair = await buildRepairStatements(endpoint(RESTORED), table, found, 60_000);
    expect(repair.inserts).toHaveLength(3);
    expect(repair.updates).toHaveLength(1);
    const statements = [...repair.inserts, ...repair.updates];

    // The dry run reads only: every missing key still absent, the changed row still as compared.
    const check = repairCheckOf(found);
    const dryRun = () => countRepairable(endpoint(LIVE), [check], { includeUpdates: true, statementTimeoutMs: 10_000 });
    expect(await dryRun()).toEqual({ inserts: 3, updates: 1 });
    expect(await fingerprint(LIVE, "ledger")).toBe(before);

    const written = await applyRepairStatements(endpoint(LIVE), statements, {
      expectedRows: 4,
      statementTimeoutMs: 10_000,
      lockTimeoutMs: 1_000,
    });
    expect(written).toEqual({ rowsWritten: 4, statementsWithoutEffect: 0, committed: true });
    expect(await fingerprint(LIVE, "ledger")).toBe(await fingerprint(RESTORED, "ledger"));
    // Once written, the dry run finds nothing left to write.
    expect(await dryRun()).toEqual({ inserts: 0, updates: 0 });
  });

  it("writes identity values back (OVERRIDING SYSTEM VALUE), and refuses whole when live moved on since the comparison", async () => {
    const table = { schema: "public", name: "payments" };
    const filter = [{ column: "tenant_id", value: "4" }];
    const found = await compareTable(endpoint(RESTORED), endpoint(LIVE), table, { ...options, filter });
    const repair = await buildRepairStatements(endpoint(RESTORED), table, found, 60_000);
    expect(repair.inserts[0]).toMatch(
      /^INSERT INTO "public"\."payments" \("id", "tenant_id", "amount", "memo"\) OVERRIDING SYSTEM VALUE VALUES/,
    );

    // Someone put one of the missing rows back by hand meanwhile: the repair must not half-apply.
    const firstMissing = found.missingKeys[0]?.[0];
    await sqlOn(
      LIVE,
      `INSERT INTO payments (id, tenant_id, amount, memo) OVERRIDING SYSTEM VALUE VALUES (${firstMissing}, 4, 1, 'by hand')`,
    );
    const livePayments = await fingerprint(LIVE, "payments");
    const expectedRows = repair.inserts.length;
    const attempt = applyRepairStatements(endpoint(LIVE), repair.inserts, {
      expectedRows,
      statementTimeoutMs: 10_000,
      lockTimeoutMs: 1_000,
    });
    await expect(attempt).rejects.toThrow(ConflictError);
    await expect(attempt).rejects.toThrow(/Nothing was written; compare again/);
    expect(await fingerprint(LIVE, "payments")).toBe(livePayments);

    // An update whose row vanished writes nothing: the count no longer matches, so nothing commits.
    const updates = repair.updates;
    await sqlOn(LIVE, `DELETE FROM payments WHERE id = ${found.changedKeys[0]?.[0]}`);
    const afterDelete = await fingerprint(LIVE, "payments");
    const short = applyRepairStatements(endpoint(LIVE), updates, {
      expectedRows: updates.length,
      statementTimeoutMs: 10_000,
      lockTimeoutMs: 1_000,
    });
    await expect(short).rejects.toThrow(/would write \d+ rows?, not the \d+ you confirmed \(1 statement found no row to write\)/);
    expect(await fingerprint(LIVE, "payments")).toBe(afterDelete);
  });

  it("a filter naming a column the table lacks, or a value its type cannot read, is a clear error", async () => {
    const table = { schema: "public", name: "payments" };
    await expect(
      compareTable(endpoint(RESTORED), endpoint(LIVE), table, { ...options, filter: [{ column: "tenant", value: "4" }] }),
    ).rejects.toThrow(/The filter names tenant, which public\.payments in the restored database does not have/);
    await expect(
      compareTable(endpoint(RESTORED), endpoint(LIVE), table, { ...options, filter: [{ column: "tenant_id", value: "four" }] }),
    ).rejects.toThrow(/invalid input syntax for type integer: "four"/);
  });

  it("never runs the restored copy's own functions: a forced row-level security policy stops the read instead", async () => {
    await sqlOn(
      RESTORED,
      `CREATE TABLE trap (id int PRIMARY KEY, v text);
       INSERT INTO trap VALUES (1, 'x');
       CREATE FUNCTION public.sprung() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the dump''s function ran'; END $$;
       ALTER TABLE trap ENABLE ROW LEVEL SECURITY; ALTER TABLE trap FORCE ROW LEVEL SECURITY;
       CREATE POLICY p ON trap USING (public.sprung());
       ALTER TABLE trap OWNER TO ${USER};`,
    );
    await sqlOn(LIVE, `CREATE TABLE trap (id int PRIMARY KEY, v text); GRANT SELECT ON trap TO ${USER}`);
    const attempt = compareTable(endpoint(RESTORED), endpoint(LIVE), { schema: "public", name: "trap" }, options);
    await expect(attempt).rejects.toThrow(/row-level security/);
    await expect(attempt).rejects.not.toThrow(/function ran/);
  });

  it("a dump's own cast to text never runs: values are read through the type's output function", async () => {
    for (const database of [RESTORED, LIVE]) {
      await sqlOn(
        database,
        `CREATE TYPE mood AS ENUM ('calm', 'angry');
         CREATE TABLE moods (id int PRIMARY KEY, mood mood, note text);
         INSERT INTO moods VALUES (1, 'calm', 'a'), (2, 'angry', 'b'), (3, 'calm', 'c');
         GRANT SELECT, INSERT, UPDATE ON moods TO ${USER};`,
      );
    }
    await sqlOn(
      RESTORED,
      `CREATE FUNCTION public.sprung_cast(mood) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the dump''s cast ran'; END $$;
       CREATE CAST (mood AS text) WITH FUNCTION public.sprung_cast(mood);`,
    );
    await sqlOn(LIVE, "DELETE FROM moods WHERE id = 2; UPDATE moods SET mood = 'angry' WHERE id = 3");
    const table = { schema: "public", name: "moods" };
    const found = await compareTable(endpoint(RESTORED), endpoint(LIVE), table, options);
    expect({ missing: found.comparison.missing.count, changed: found.comparison.changed.count }).toEqual({ missing: 1, changed: 1 });
    expect(found.comparison.missing.samples[0]?.restored?.mood).toBe("angry");
    const repair = await buildRepairStatements(endpoint(RESTORED), table, found, 60_000);
    expect(repair.inserts).toEqual([`INSERT INTO "public"."moods" ("id", "mood", "note") VALUES ('2', 'angry', 'b');`]);
  });

  it("an update puts a row back only while live holds it as compared: a change made since is refused, not overwritten", async () => {
    await sqlOn(LIVE, "CREATE TABLE accounts (id int PRIMARY KEY, balance int); INSERT INTO accounts VALUES (1, 999), (2, 999)");
    await sqlOn(RESTORED, "CREATE TABLE accounts (id int PRIMARY KEY, balance int); INSERT INTO accounts VALUES (1, 10), (2, 20)");
    for (const database of [RESTORED, LIVE]) await sqlOn(database, `GRANT SELECT, UPDATE ON accounts TO ${USER}`);
    const table = { schema: "public", name: "accounts" };
    const found = await compareTable(endpoint(RESTORED), endpoint(LIVE), table, options);
    const { updates } = await buildRepairStatements(endpoint(RESTORED), table, found, 60_000);
    expect(updates).toHaveLength(2);
    // The application writes to account 2 after the comparison: the dry run sees it, and so does the write.
    await sqlOn(LIVE, "UPDATE accounts SET balance = 1000 WHERE id = 2");
    expect(await countRepairable(endpoint(LIVE), [repairCheckOf(found)], { includeUpdates: true, statementTimeoutMs: 10_000 })).toEqual({
      inserts: 0,
      updates: 1,
    });
    const attempt = applyRepairStatements(endpoint(LIVE), updates, {
      expectedRows: 2,
      statementTimeoutMs: 10_000,
      lockTimeoutMs: 1_000,
    });
    await expect(attempt).rejects.toThrow(/would write 1 row, not the 2 you confirmed/);
    expect(await sqlOn(LIVE, "SELECT id, balance FROM accounts ORDER BY id")).toEqual([
      { id: 1, balance: 999 },
      { id: 2, balance: 1000 },
    ]);
  });

  it("a row moved out of the filter is reported apart and never inserted; inheritance children are not the table's rows", async () => {
    for (const database of [RESTORED, LIVE]) {
      await sqlOn(
        database,
        `CREATE TABLE notes (id int PRIMARY KEY, tenant_id int, body text);
         INSERT INTO notes SELECT g, 1 + g % 2, 'n' || g FROM generate_series(1, 10) g;
         CREATE TABLE notes_archive () INHERITS (notes);
         GRANT SELECT ON notes, notes_archive TO ${USER};`,
      );
    }
    // Note 3 moved from tenant 2 to tenant 1; note 5 was deleted; live's archive child repeats a key.
    await sqlOn(
      LIVE,
      "UPDATE notes SET tenant_id = 1 WHERE id = 3; DELETE FROM notes WHERE id = 5; INSERT INTO notes_archive VALUES (7, 2, 'archived')",
    );
    const found = await compareTable(
      endpoint(RESTORED),
      endpoint(LIVE),
      { schema: "public", name: "notes" },
      {
        ...options,
        filter: [{ column: "tenant_id", value: "2" }],
      },
    );
    expect({
      missing: found.comparison.missing.count,
      outside: found.comparison.outsideFilter.count,
      changed: found.comparison.changed.count,
      extra: found.comparison.extra.count,
      live: found.comparison.liveRows,
    }).toEqual({ missing: 1, outside: 1, changed: 0, extra: 0, live: 3 });
    expect(found.missingKeys).toEqual([["5"]]);
    expect(found.comparison.outsideFilter.samples[0]?.live?.tenant_id).toBe("1");
  });

  it("orders keys by their UTF-8 bytes whatever the database's encoding (WIN1252 puts € before é, UTF-8 after)", async () => {
    const names = [`rowcmp_w_restored_${id}`, `rowcmp_w_live_${id}`];
    try {
      for (const database of names) {
        await sqlOn("postgres", `CREATE DATABASE ${database} ENCODING 'WIN1252' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
        await sqlOn(
          database,
          `CREATE TABLE prices (code text PRIMARY KEY, v int); INSERT INTO prices VALUES ('€', 1), ('é', 2), ('e', 3); GRANT SELECT ON prices TO ${USER}`,
        );
      }
      await sqlOn(names[1] ?? "", "DELETE FROM prices WHERE code = '€'");
      const found = await compareTable(endpoint(names[0] ?? ""), endpoint(names[1] ?? ""), { schema: "public", name: "prices" }, options);
      expect(found.missingKeys).toEqual([["€"]]);
      expect(found.comparison.changed.count).toBe(0);
    } finally {
      for (const database of names) await sqlOn("postgres", `DROP DATABASE IF EXISTS ${database}`);
    }
  });
});
