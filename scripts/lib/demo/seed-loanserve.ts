import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/** Row counts at scale 1. Tenants stay at six: the demo reads better with named companies. */
const BASE_COUNTS = { users: 300, loans: 6_000, payments: 45_000, documents: 9_000, auditLogs: 60_000 } as const;

const TENANTS = [
  ["Acme Lending", "acme-lending"],
  ["Blue Harbor Credit", "blue-harbor"],
  ["Cedar Ridge Finance", "cedar-ridge"],
  ["Summit Mortgage", "summit-mortgage"],
  ["Northwind Capital", "northwind"],
  ["Riverbend Credit Union", "riverbend"],
] as const;

/** Fixed, so two seeds with the same `now` produce the same rows. */
const RANDOM_SEED = 0.4242;

export interface SeedOptions {
  /** Multiplies every row count except tenants (1 ≈ 120,000 rows). */
  scale?: number;
  /** The end of the 30 days the data is spread over. */
  now?: Date;
}

/** Creates the LoanServe tables in an empty database. */
export async function applyLoanServeSchema(connectionString: string): Promise<void> {
  const sql = await readFile(path.join(import.meta.dirname, "loanserve-schema.sql"), "utf8");
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    // One simple-query call: the file runs as one implicit transaction.
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// Each statement picks parents by position in an array of ids (one lookup per row, no
// correlated subqueries) and dates every child after its parent, so deleting everything
// created after a given moment never leaves a child without its parent.

const INSERT_TENANTS = `
INSERT INTO tenants (name, slug, created_at)
SELECT t.name, t.slug, $1::timestamptz - interval '30 days' + (t.ord - 1) * interval '5 minutes'
FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t(name, slug, ord)
ORDER BY t.ord`;

// Round-robin over tenants; the first few users of each tenant are staff who join on day one,
// borrowers sign up over the whole month (more of them early on).
const INSERT_USERS = `
INSERT INTO users (tenant_id, email, full_name, role, created_at)
SELECT t.id,
       lower(format('%s.%s%s@%s.example', person.first, person.last, g.n, t.slug)),
       person.first || ' ' || person.last,
       CASE WHEN g.n <= t.cnt THEN 'admin' WHEN g.n <= $3 THEN 'loan_officer' ELSE 'borrower' END,
       CASE WHEN g.n <= $3
            THEN t.created_at + g.r_time * interval '2 hours'
            ELSE t.created_at + interval '2 hours' + power(g.r_time, 1.5) * ($1::timestamptz - t.created_at - interval '3 hours')
       END AS created_at
FROM (SELECT n, random() AS r_first, random() AS r_last, random() AS r_time FROM generate_series(1, $2::int) AS n) g
JOIN (SELECT id, slug, created_at, row_number() OVER (ORDER BY id) - 1 AS idx, count(*) OVER () AS cnt FROM tenants) t
  ON t.idx = (g.n - 1) % t.cnt
CROSS JOIN LATERAL (
  SELECT (ARRAY['Ava','Liam','Maya','Noah','Zoe','Ethan','Priya','Lucas','Amara','Mateo','Hana','Omar','Elena','Kofi','Sofia','Jonas','Leila','Arjun','Nina','Diego'])[1 + floor(g.r_first * 20)::int] AS first,
         (ARRAY['Garcia','Chen','Okafor','Novak','Silva','Kim','Patel','Müller','Rossi','Haddad','Larsen','Tanaka','Mensah','Dubois','Kowalski','Ibrahim','Nguyen','Walsh','Costa','Berg'])[1 + floor(g.r_last * 20)::int] AS last
) person
ORDER BY created_at`;

// A loan's status follows its age: fresh ones are still applications, older ones are active.
const INSERT_LOANS = `
INSERT INTO loans (tenant_id, borrower_id, principal, rate, term_months, status, created_at)
SELECT u.tenant_id, u.id,
       round((2500 + power(pick.r_principal, 2.5) * 497500)::numeric, -2),
       round((3.25 + pick.r_rate * 11)::numeric * 8) / 8,
       (ARRAY[12, 24, 36, 60, 120, 180, 360])[1 + floor(pick.r_term * 7)::int],
       CASE WHEN age.value < interval '1 day' THEN CASE WHEN pick.r_status < 0.7 THEN 'application' ELSE 'approved' END
            WHEN age.value < interval '3 days' THEN CASE WHEN pick.r_status < 0.5 THEN 'approved' ELSE 'active' END
            WHEN pick.r_status < 0.85 THEN 'active'
            WHEN pick.r_status < 0.95 THEN 'paid_off'
            ELSE 'defaulted'
       END,
       ts.value
FROM (
  SELECT b.ids[1 + floor(random() * cardinality(b.ids))::int] AS borrower_id,
         random() AS r_time, random() AS r_principal, random() AS r_rate, random() AS r_term, random() AS r_status
  FROM generate_series(1, $2::int), (SELECT array_agg(id ORDER BY id) AS ids FROM users WHERE role = 'borrower') b
) pick
JOIN users u ON u.id = pick.borrower_id
CROSS JOIN LATERAL (SELECT u.created_at + pick.r_time * ($1::timestamptz - u.created_at) AS value) ts
CROSS JOIN LATERAL (SELECT $1::timestamptz - ts.value AS value) age
ORDER BY ts.value`;

// Payments only on loans that have been disbursed, in the loan's tenant; paid up to a day and a
// half before recorded.
const INSERT_PAYMENTS = `
INSERT INTO payments (tenant_id, loan_id, amount, paid_at, created_at)
SELECT l.tenant_id, l.id,
       round((l.principal * (0.005 + pick.r_amount * 0.03))::numeric, 2),
       greatest(l.created_at, ts.value - pick.r_paid * interval '36 hours'),
       ts.value
FROM (
  SELECT b.ids[1 + floor(random() * cardinality(b.ids))::int] AS loan_id, random() AS r_time, random() AS r_amount, random() AS r_paid
  FROM generate_series(1, $2::int), (SELECT array_agg(id ORDER BY id) AS ids FROM loans WHERE status IN ('active', 'paid_off', 'defaulted')) b
) pick
JOIN loans l ON l.id = pick.loan_id
CROSS JOIN LATERAL (SELECT l.created_at + pick.r_time * ($1::timestamptz - l.created_at) AS value) ts
ORDER BY ts.value`;

// Documents arrive within five days of the loan being opened.
const INSERT_DOCUMENTS = `
INSERT INTO documents (loan_id, kind, storage_key, created_at)
SELECT l.id, kind.value,
       format('tenants/%s/loans/%s/%s-%s.pdf', l.tenant_id, l.id, kind.value, substr(md5(pick.n::text), 1, 16)),
       l.created_at + pick.r_time * least($1::timestamptz - l.created_at, interval '5 days')
FROM (
  SELECT n, b.ids[1 + floor(random() * cardinality(b.ids))::int] AS loan_id, random() AS r_time, random() AS r_kind
  FROM generate_series(1, $2::int) AS n, (SELECT array_agg(id ORDER BY id) AS ids FROM loans) b
) pick
JOIN loans l ON l.id = pick.loan_id
CROSS JOIN LATERAL (
  SELECT (ARRAY['application', 'id_verification', 'income_proof', 'promissory_note', 'closing_disclosure'])[1 + floor(pick.r_kind * 5)::int] AS value
) kind
ORDER BY 4`;

// Staff (who all joined in the first two hours) act every day; one action in ten is the system's.
const INSERT_AUDIT_LOGS = `
INSERT INTO audit_logs (tenant_id, actor_id, action, entity, entity_id, created_at)
SELECT u.tenant_id,
       CASE WHEN pick.r_system < 0.1 THEN NULL ELSE u.id END,
       what.action, what.entity,
       CASE what.entity
         WHEN 'loan' THEN 1 + floor(pick.r_entity * (SELECT max(id) FROM loans))::bigint
         WHEN 'payment' THEN 1 + floor(pick.r_entity * (SELECT max(id) FROM payments))::bigint
         WHEN 'document' THEN 1 + floor(pick.r_entity * (SELECT max(id) FROM documents))::bigint
         ELSE u.id
       END,
       $1::timestamptz - interval '30 days' + interval '3 hours' + pick.r_time * (interval '30 days' - interval '3 hours')
FROM (
  SELECT b.ids[1 + floor(random() * cardinality(b.ids))::int] AS actor_id,
         random() AS r_time, random() AS r_action, random() AS r_entity, random() AS r_system
  FROM generate_series(1, $2::int), (SELECT array_agg(id ORDER BY id) AS ids FROM users WHERE role <> 'borrower') b
) pick
JOIN users u ON u.id = pick.actor_id
CROSS JOIN LATERAL (
  SELECT (ARRAY['loan.created', 'loan.status_changed', 'payment.recorded', 'document.uploaded', 'user.signed_in', 'user.updated'])[i] AS action,
         (ARRAY['loan', 'loan', 'payment', 'document', 'user', 'user'])[i] AS entity
  FROM (SELECT 1 + floor(pick.r_action * 6)::int AS i) x
) what
ORDER BY 6`;

function scaled(base: number, scale: number): number {
  return Math.max(1, Math.round(base * scale));
}

/**
 * Fills an empty LoanServe schema with a month of generated activity ending at `now`, inside
 * PostgreSQL (generate_series + seeded random()), in one transaction: all or nothing.
 */
export async function seedLoanServe(connectionString: string, options: SeedOptions = {}): Promise<void> {
  const scale = options.scale ?? 1;
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`seedLoanServe: scale must be a positive number, not ${scale}`);
  const now = (options.now ?? new Date()).toISOString();
  const users = scaled(BASE_COUNTS.users, scale);
  // Staff: about a tenth of the users, at least one admin per tenant.
  const staff = Math.max(TENANTS.length, Math.round(users / 10));
  if (users <= staff) throw new Error(`seedLoanServe: scale ${scale} is too small to leave any borrowers.`);

  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query("BEGIN");
    // Interval arithmetic ("30 days") follows the session time zone; UTC keeps it repeatable.
    await client.query("SET LOCAL TimeZone = 'UTC'");
    const { rows } = await client.query<{ used: boolean }>("SELECT EXISTS (SELECT 1 FROM tenants) AS used");
    if (rows[0]?.used) throw new Error("seedLoanServe: the LoanServe tables already hold data; seed an empty database.");
    await client.query("SELECT setseed($1)", [RANDOM_SEED]);
    await client.query(INSERT_TENANTS, [now, TENANTS.map(([name]) => name), TENANTS.map(([, slug]) => slug)]);
    await client.query(INSERT_USERS, [now, users, staff]);
    await client.query(INSERT_LOANS, [now, scaled(BASE_COUNTS.loans, scale)]);
    await client.query(INSERT_PAYMENTS, [now, scaled(BASE_COUNTS.payments, scale)]);
    await client.query(INSERT_DOCUMENTS, [now, scaled(BASE_COUNTS.documents, scale)]);
    await client.query(INSERT_AUDIT_LOGS, [now, scaled(BASE_COUNTS.auditLogs, scale)]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
  // Fresh statistics, so the validation queries and the nightly cut-backs get good plans.
  const analyze = new pg.Client({ connectionString });
  await analyze.connect();
  try {
    await analyze.query("ANALYZE");
  } finally {
    await analyze.end();
  }
}
