import { execFile } from "node:child_process";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "@/lib/testing/databases";
import { pgConnectionFromUrl, pgToolEnv } from "./connection";
import { readDumpTables } from "./read-dump-tables";
import { findPgTool } from "./tools";

// Real pg_dump output, plain and custom, of a schema with the shapes a selection must handle:
// an owned sequence, an identity column, secondary and primary keys, a foreign key, and a table whose name needs quotes.

const SCHEMA = `
  CREATE SCHEMA billing;
  CREATE TABLE loans (id bigserial PRIMARY KEY, borrower text NOT NULL);
  CREATE TABLE payments (id bigserial PRIMARY KEY, loan_id bigint NOT NULL REFERENCES loans(id), tenant_id int);
  CREATE INDEX payments_tenant_idx ON payments (tenant_id);
  CREATE TABLE billing."Odd Table" (payment_id bigint REFERENCES payments(id));
  CREATE TABLE documents (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, loan_id bigint);
  INSERT INTO loans (borrower) SELECT 'b' || g FROM generate_series(1, 50) g;
  INSERT INTO payments (loan_id, tenant_id) SELECT 1 + g % 50, g % 4 FROM generate_series(1, 200) g;`;

let url: string;

async function dump(format: "plain" | "custom"): Promise<Buffer> {
  const { connection, database } = pgConnectionFromUrl(url);
  const { stdout } = await promisify(execFile)(
    await findPgTool("pg_dump"),
    [`--format=${format === "plain" ? "p" : "c"}`, "--no-password"],
    {
      env: { ...pgToolEnv(connection, database), ...(connection.password ? { PGPASSWORD: connection.password } : {}) },
      encoding: "buffer",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return format === "plain" ? gzipSync(stdout) : stdout;
}

beforeAll(async () => {
  url = await createTestDatabase("toc");
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(SCHEMA);
  await client.end();
});

describe.each(["plain", "custom"] as const)("readDumpTables (%s)", (format) => {
  it("lists each table with its data, owned sequence, indexes, keys and foreign keys", async () => {
    const catalog = await readDumpTables(Readable.from(await dump(format)), format === "plain" ? "plain-gzip" : "custom");
    const byName = new Map(catalog.tables.map((t) => [t.qualifiedName, t]));
    expect([...byName.keys()].sort()).toEqual(["billing.Odd Table", "public.documents", "public.loans", "public.payments"]);
    // An identity column's sequence belongs to its table as a serial's does.
    expect(byName.get("public.documents")).toMatchObject({ sequences: ["public.documents_id_seq"], hasData: true });
    expect(byName.get("public.loans")).toMatchObject({ hasData: true, sequences: ["public.loans_id_seq"], constraints: ["loans_pkey"] });
    expect(byName.get("public.payments")).toMatchObject({ indexes: ["payments_tenant_idx"], constraints: ["payments_pkey"] });
    expect(byName.get("public.payments")?.foreignKeys).toEqual([
      { name: "payments_loan_id_fkey", table: "public.payments", references: "public.loans" },
    ]);
    expect(byName.get("billing.Odd Table")?.foreignKeys).toEqual([
      { name: "Odd Table_payment_id_fkey", table: "billing.Odd Table", references: "public.payments" },
    ]);
  });
});

it("says what went wrong when a custom archive is not one", async () => {
  await expect(readDumpTables(Readable.from(Buffer.from("not an archive")), "custom")).rejects.toThrow(
    /pg_restore could not read the archive/,
  );
});
