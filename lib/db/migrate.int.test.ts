import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { FailedMigrationError, markRolledBack, migrate, readMigrations } from "@/lib/db/migrate";
import { createTestDatabase } from "@/lib/testing/databases";
import { schemaDifferences } from "@/lib/testing/schema-drift";

const SCHEMA = path.join(process.cwd(), "prisma", "schema.prisma");

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe("migrations", () => {
  it("apply to an empty database and match schema.prisma exactly", async () => {
    const url = await createTestDatabase();
    const result = await migrate(url);
    expect(result.applied).toEqual((await readMigrations()).map((m) => m.name));
    expect(await schemaDifferences(SCHEMA, url)).toEqual([]);
  });

  it("the drift check notices a column the schema does not know", async () => {
    const url = await createTestDatabase();
    await migrate(url);
    await query(url, `ALTER TABLE users ADD COLUMN nickname text; ALTER TABLE users ALTER COLUMN name SET NOT NULL`);
    const differences = await schemaDifferences(SCHEMA, url);
    expect(differences).toContain("column users.nickname exists in the database but not in schema.prisma");
    expect(differences).toContain("column users.name: nullable is false in the database, true in schema.prisma");
  });

  it("records each migration in _prisma_migrations exactly as Prisma does", async () => {
    const url = await createTestDatabase();
    await migrate(url);
    const files = await readMigrations();
    const rows = await query<{
      id: string;
      checksum: string;
      migration_name: string;
      finished_at: Date | null;
      applied_steps_count: number;
      logs: string | null;
      rolled_back_at: Date | null;
    }>(url, `SELECT * FROM _prisma_migrations ORDER BY migration_name`);
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, row] of rows.entries()) {
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.checksum).toBe(files[i]?.checksum);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
      expect(row.rolled_back_at).toBeNull();
    }
    const columns = await query<{ column_name: string; data_type: string; character_maximum_length: number | null }>(
      url,
      `SELECT column_name, data_type, character_maximum_length FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: "id", data_type: "character varying", character_maximum_length: 36 },
      { column_name: "checksum", data_type: "character varying", character_maximum_length: 64 },
      { column_name: "finished_at", data_type: "timestamp with time zone", character_maximum_length: null },
      { column_name: "migration_name", data_type: "character varying", character_maximum_length: 255 },
      { column_name: "logs", data_type: "text", character_maximum_length: null },
      { column_name: "rolled_back_at", data_type: "timestamp with time zone", character_maximum_length: null },
      { column_name: "started_at", data_type: "timestamp with time zone", character_maximum_length: null },
      { column_name: "applied_steps_count", data_type: "integer", character_maximum_length: null },
    ]);
  });

  it("is safe to run twice and from two processes at once", async () => {
    const url = await createTestDatabase();
    const [first, second] = await Promise.all([migrate(url), migrate(url)]);
    const total = (await readMigrations()).length;
    expect(first.applied.length + second.applied.length).toBe(total);
    const third = await migrate(url);
    expect(third.applied).toEqual([]);
    expect(third.alreadyApplied.length).toBe(total);
    const [{ count }] = (await query<{ count: string }>(url, `SELECT count(*) FROM _prisma_migrations`)) as [{ count: string }];
    expect(Number(count)).toBe(total);
  });

  it("refuses to continue after a failed migration until it is marked rolled back", async () => {
    const { mkdtemp, mkdir, writeFile, cp } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(path.join(tmpdir(), "rc-migrations-"));
    await cp(path.join(process.cwd(), "prisma", "migrations"), dir, { recursive: true });
    await mkdir(path.join(dir, "29990101000000_broken"));
    await writeFile(
      path.join(dir, "29990101000000_broken", "migration.sql"),
      `CREATE TABLE half_done (id int);\nSELECT no_such_function();\n`,
    );
    const url = await createTestDatabase();

    await expect(migrate(url, dir)).rejects.toBeInstanceOf(FailedMigrationError);
    // One implicit transaction: the table created before the error is not left behind.
    expect(await query(url, `SELECT to_regclass('half_done') AS t`)).toEqual([{ t: null }]);
    const [row] = await query<{ logs: string; finished_at: Date | null }>(
      url,
      `SELECT logs, finished_at FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'`,
    );
    expect(row?.finished_at).toBeNull();
    expect(row?.logs).toMatch(/no_such_function/);

    // Even with the broken file fixed, nothing runs until someone resolves the failure.
    await writeFile(path.join(dir, "29990101000000_broken", "migration.sql"), `CREATE TABLE half_done (id int);\n`);
    await expect(migrate(url, dir)).rejects.toThrow(/must be resolved/);
    expect(await markRolledBack(url, "29990101000000_broken")).toBe(true);
    const result = await migrate(url, dir);
    expect(result.applied).toEqual(["29990101000000_broken"]);
  });
});

describe("audit log", () => {
  it("refuses UPDATE, DELETE and TRUNCATE at the database", async () => {
    const url = await createTestDatabase();
    await migrate(url);
    await query(url, `INSERT INTO audit_events (actor_email, action, request_id) VALUES ('a@example.com', 'test.insert', 'r1')`);
    await expect(query(url, `UPDATE audit_events SET action = 'tampered'`)).rejects.toThrow(/append-only/);
    await expect(query(url, `DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
    await expect(query(url, `TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
    expect(await query(url, `SELECT action FROM audit_events`)).toEqual([{ action: "test.insert" }]);
  });
});
