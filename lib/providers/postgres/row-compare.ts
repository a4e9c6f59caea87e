import "server-only";
import pg from "pg";
import { BadRequestError, ConflictError } from "@/lib/errors";
import { formatCount, plural } from "@/lib/format";
import { connectEndpoint, type DatabaseEndpoint } from "./endpoint-connection";
import { translateQueryError } from "./query-errors";
import {
  qualifiedName,
  type RepairCheck,
  type RowSample,
  type TableColumn,
  type TableComparison,
  type TableRef,
  type TableShape,
} from "./row-compare-model";

export type { TableShape } from "./row-compare-model";

// Row-level recovery: a table of a restored copy compared with the same table in the live
// database, row by row by primary key. Both sides are read in key order through cursors and
// merged here, so memory holds a batch, never a table; only the keys that differ are kept.
//
// Keys and rows are compared as PostgreSQL's text output under fixed settings (UTC, ISO dates),
// keys ordered by their UTF-8 bytes, so this merge and the servers agree on the order whatever
// the databases' collations and encodings. The restored copy came from an untrusted dump, so none
// of its code may run: values are read through their types' output functions (format('%s'), never
// a `::text` cast, which a dump can redefine with CREATE CAST), with search_path pinned to
// pg_catalog and row_security off.

export interface RowFilter {
  column: string;
  value: string;
}

/** A table's differences: the report, and the keys a repair needs (at most `maxKeys` of each). */
export interface TableDifferences {
  comparison: TableComparison;
  missingKeys: string[][];
  changedKeys: string[][];
  /** Each changed row's digest in live at the comparison: its repair writes only a row still so. */
  changedDigests: string[];
  /** More rows differ than `maxKeys`: the repair would be partial, so none is offered. */
  keysTruncated: boolean;
  /** The compared columns a repair writes (not generated), and whether identity values need overriding. */
  writableColumns: string[];
  overridingSystemValue: boolean;
  restoredShape: TableShape;
  liveShape: TableShape;
}

export interface CompareOptions {
  filter: RowFilter[];
  samples: number;
  maxKeys: number;
  statementTimeoutMs: number;
  onProgress?: (scanned: { restored: number; live: number }) => void;
  signal?: AbortSignal;
}

/**
 * The session settings both a comparison and a repair read values under: a repair's guard
 * recomputes the digest of the live row, which must spell times and numbers as the comparison did.
 */
export const VALUE_SETTINGS = [
  "SET LOCAL standard_conforming_strings = on",
  "SET LOCAL TimeZone = 'UTC'",
  "SET LOCAL DateStyle = 'ISO, YMD'",
  "SET LOCAL IntervalStyle = 'postgres'",
  "SET LOCAL extra_float_digits = 3",
  "SET LOCAL bytea_output = 'hex'",
];

const BATCH = 5_000;
const CONNECT_TIMEOUT_MS = 15_000;

const ident = (name: string) => pg.escapeIdentifier(name);
const relation = (table: TableRef) => `${ident(table.schema)}.${ident(table.name)}`;
/** The rows of the table itself: inheritance children are other tables; a partitioned table is its partitions. */
const rowsOf = (shape: TableShape) => `${shape.kind === "r" ? "ONLY " : ""}${relation(shape)}`;
/** A key's text, by its type's output function. */
const keyText = (expression: string) => `pg_catalog.format('%s', ${expression})`;
/** A value's text by its type's output function, NULL kept (num_nulls, unlike IS NULL, is false for a row of NULLs). */
const valueText = (expression: string) => `CASE WHEN pg_catalog.num_nulls(${expression}) = 1 THEN NULL ELSE ${keyText(expression)} END`;
/** The digest a comparison and a repair's guard both compute: the row's text, by the record type's output function. */
const digestOf = (columns: readonly string[], prefix = "") =>
  `pg_catalog.md5(${columns.length ? `pg_catalog.format('%s', ROW(${columns.map((c) => `${prefix}${ident(c)}`).join(", ")}))` : "''"})`;

/** A connection to `endpoint`; a failure is a QueryFailedError that never carries the password. */
async function connect(endpoint: DatabaseEndpoint, applicationName: string): Promise<pg.Client> {
  try {
    return await connectEndpoint(endpoint, { applicationName, connectTimeoutMs: CONNECT_TIMEOUT_MS });
  } catch (error) {
    throw translateQueryError(error, endpoint.password ? { password: endpoint.password } : {});
  }
}

/** A reading session: one REPEATABLE READ, READ ONLY transaction, so every read of a table sees one snapshot. */
class Reader {
  private constructor(
    readonly client: pg.Client,
    private readonly side: string,
  ) {}

  static async open(endpoint: DatabaseEndpoint, side: string, statementTimeoutMs: number): Promise<Reader> {
    const reader = new Reader(await connect(endpoint, "restore-console-row-compare"), side);
    await reader.run(
      [
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        "SET LOCAL search_path = pg_catalog, pg_temp",
        "SET LOCAL row_security = off",
        ...VALUE_SETTINGS,
        `SET LOCAL statement_timeout = ${Math.max(1, Math.round(statementTimeoutMs))}`,
      ].join("; "),
    );
    return reader;
  }

  async run<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await this.client.query<R>(text, values)).rows;
    } catch (error) {
      const failed = translateQueryError(error);
      throw Object.assign(failed, { message: `${this.side}: ${failed.message}` });
    }
  }

  async close(): Promise<void> {
    await this.client.query("ROLLBACK").catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }
}

const SHAPE_SQL = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, greatest(c.reltuples, 0)::float8 AS estimated_rows,
  coalesce((SELECT array_agg(a.attname::text ORDER BY k.ord)
              FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE i.indrelid = c.oid AND i.indisprimary), '{}') AS primary_key,
  (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                     'generated', a.attgenerated <> '', 'identityAlways', a.attidentity = 'a') ORDER BY a.attnum)
     FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
  AND ($1::text IS NULL OR (n.nspname = $1 AND c.relname = $2))
ORDER BY n.nspname, c.relname`;

interface ShapeRow {
  schema: string;
  name: string;
  kind: "r" | "p";
  estimated_rows: number;
  primary_key: string[];
  columns: TableColumn[] | null;
}

const shapeOf = (row: ShapeRow): TableShape => ({
  schema: row.schema,
  name: row.name,
  kind: row.kind,
  primaryKey: row.primary_key,
  columns: row.columns ?? [],
  estimatedRows: Math.round(row.estimated_rows),
});

async function readShape(reader: Reader, table: TableRef): Promise<TableShape | null> {
  const [row] = await reader.run<ShapeRow>(SHAPE_SQL, [table.schema, table.name]);
  return row ? shapeOf(row) : null;
}

/** The tables of a database (what a person may pick to compare), with their keys and columns. */
export async function listTableShapes(endpoint: DatabaseEndpoint, statementTimeoutMs = 60_000): Promise<TableShape[]> {
  const reader = await Reader.open(endpoint, endpoint.database, statementTimeoutMs);
  try {
    return (await reader.run<ShapeRow>(SHAPE_SQL, [null, null])).map(shapeOf);
  } finally {
    await reader.close();
  }
}

/** Byte-wise on the keys' UTF-8, the order the servers sort by (`convert_to(…, 'UTF8')`). */
export function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const order = Buffer.compare(Buffer.from(a[i] ?? ""), Buffer.from(b[i] ?? ""));
    if (order !== 0) return order;
  }
  return 0;
}

interface KeyedRow {
  key: string[];
  digest: string;
}

/** The WHERE clause of a filter, its values as the statement's parameters. */
function filterClause(filter: readonly RowFilter[]): string {
  return filter.length ? `WHERE ${filter.map((f, i) => `${ident(f.column)} = $${i + 1}`).join(" AND ")}` : "";
}

/** Every row of the filtered table in key order: its key's text and a digest of the compared columns' text. */
async function* keyedRows(reader: Reader, shape: TableShape, columns: string[], filter: RowFilter[], cursor: string) {
  const keys = shape.primaryKey.map((c) => keyText(ident(c)));
  await reader.run(
    `DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ARRAY[${keys.join(", ")}] AS key, ${digestOf(columns)} AS digest FROM ${rowsOf(shape)} ${filterClause(filter)} ORDER BY ${keys.map((k) => `pg_catalog.convert_to(${k}, 'UTF8')`).join(", ")}`,
    filter.map((f) => f.value),
  );
  let previous: string[] | null = null;
  for (;;) {
    const rows = await reader.run<KeyedRow>(`FETCH ${BATCH} FROM ${cursor}`);
    for (const current of rows) {
      // The merge relies on the server's order being ours; anything else would report false differences.
      if (previous && compareKeys(previous, current.key) >= 0) {
        throw new ConflictError(
          `${qualifiedName(shape)} did not come back in key order (key ${JSON.stringify(current.key)}); the comparison stopped.`,
        );
      }
      previous = current.key;
      yield current;
    }
    if (rows.length < BATCH) break;
  }
  await reader.run(`CLOSE ${cursor}`);
}

/**
 * Rows by key, each column as text (null for NULL) and, with `digestColumns`, the digest a
 * comparison takes of them, in one statement. The restored copy is matched on the keys' text (no
 * input function of the dump's types runs); live, the application's own database, on the typed
 * key, so its primary-key index is used.
 */
async function rowsByKeys(
  reader: Reader,
  shape: TableShape,
  columns: string[],
  keys: string[][],
  match: "text" | "typed",
  digestColumns?: string[],
) {
  const found = new Map<string, { values: Array<string | null>; digest: string | null }>();
  if (keys.length === 0) return found;
  const key = shape.primaryKey;
  const types = new Map(shape.columns.map((c) => [c.name, c.type]));
  const keyNames = key.map((_, i) => `k${i}`);
  const on = key.map((c, i) =>
    match === "text" ? `${keyText(`t.${ident(c)}`)} = k.${keyNames[i]}` : `t.${ident(c)} = k.${keyNames[i]}::${types.get(c) ?? "text"}`,
  );
  // unnest stays unqualified: with several arrays it is syntax (ROWS FROM), not a function; search_path is pg_catalog anyway.
  const rows = await reader.run<{ key: string[]; vals: Array<string | null>; digest: string | null }>(
    `SELECT ARRAY[${key.map((c) => keyText(`t.${ident(c)}`)).join(", ")}] AS key,
            ARRAY[${columns.map((c) => valueText(`t.${ident(c)}`)).join(", ")}]::text[] AS vals,
            ${digestColumns ? digestOf(digestColumns, "t.") : "NULL"} AS digest
       FROM ${rowsOf(shape)} AS t
       JOIN unnest(${key.map((_, i) => `$${i + 1}::text[]`).join(", ")}) AS k(${keyNames.join(", ")}) ON ${on.join(" AND ")}`,
    key.map((_, i) => keys.map((k) => k[i])),
  );
  for (const row of rows) found.set(JSON.stringify(row.key), { values: row.vals, digest: row.digest });
  return found;
}

const recordOf = (names: string[], values: ReadonlyArray<string | null>) => Object.fromEntries(names.map((n, i) => [n, values[i] ?? null]));

function checkFilter(shape: TableShape, filter: readonly RowFilter[], side: string): void {
  const names = new Set(shape.columns.map((c) => c.name));
  const unknown = filter.filter((f) => !names.has(f.column)).map((f) => f.column);
  if (unknown.length) {
    throw new BadRequestError(
      `The filter names ${unknown.join(", ")}, which ${qualifiedName(shape)} in the ${side} database does not have.`,
    );
  }
}

/** Why a table cannot be compared row by row, or null when it can. */
export function refusalFor(shape: TableShape | null, table: TableRef, side: string): string | null {
  if (!shape) return `${qualifiedName(table)} is not in the ${side} database.`;
  if (shape.primaryKey.length === 0) {
    return `${qualifiedName(table)} has no primary key, so its rows cannot be matched one to one; restore it whole into a new database and compare by hand.`;
  }
  return null;
}

/**
 * Compares one table of the restored copy with the live one, by primary key, under the filter:
 * rows only in the copy (missing from live), in both but different (changed), only in live
 * (extra: written since the backup, never touched by a repair). A "missing" row whose key live
 * still has outside the filter (its tenant changed, say) is reported apart, never inserted. Reads only.
 */
export async function compareTable(
  restoredEndpoint: DatabaseEndpoint,
  liveEndpoint: DatabaseEndpoint,
  table: TableRef,
  options: CompareOptions,
): Promise<TableDifferences> {
  const restored = await Reader.open(restoredEndpoint, `restored copy ${restoredEndpoint.database}`, options.statementTimeoutMs);
  let live: Reader | undefined;
  try {
    live = await Reader.open(liveEndpoint, `live ${liveEndpoint.database}`, options.statementTimeoutMs);
    const [restoredShape, liveShape] = await Promise.all([readShape(restored, table), readShape(live, table)]);
    const refusal = refusalFor(restoredShape, table, "restored") ?? refusalFor(liveShape, table, "live");
    if (refusal || !restoredShape || !liveShape) throw new BadRequestError(refusal ?? `${qualifiedName(table)} cannot be compared.`);
    if (restoredShape.primaryKey.join("\u0000") !== liveShape.primaryKey.join("\u0000")) {
      throw new BadRequestError(
        `${qualifiedName(table)} has a different primary key in the live database (${liveShape.primaryKey.join(", ")}) than in the backup (${restoredShape.primaryKey.join(", ")}); rows cannot be matched.`,
      );
    }
    checkFilter(restoredShape, options.filter, "restored");
    checkFilter(liveShape, options.filter, "live");
    const key = restoredShape.primaryKey;
    const liveColumns = new Map(liveShape.columns.map((c) => [c.name, c]));
    const common = restoredShape.columns.filter((c) => liveColumns.has(c.name)).map((c) => c.name);
    const compared = common.filter((c) => !key.includes(c));
    const writable = common.filter((c) => !liveColumns.get(c)?.generated);

    const counts = { missing: 0, changed: 0, extra: 0, restored: 0, live: 0 };
    const keys = { missing: [] as string[][], changed: [] as string[][], extra: [] as string[][] };
    const changedDigests: string[] = [];
    const keep = (kind: keyof typeof keys, rowKey: string[]) => {
      counts[kind] += 1;
      const limit = kind === "extra" ? options.samples : options.maxKeys + 1;
      if (keys[kind].length >= limit) return false;
      keys[kind].push(rowKey);
      return true;
    };
    const left = keyedRows(restored, restoredShape, compared, options.filter, "rc_restored");
    const right = keyedRows(live, liveShape, compared, options.filter, "rc_live");
    let a = await left.next();
    let b = await right.next();
    let sinceReport = 0;
    while (!a.done || !b.done) {
      if (options.signal?.aborted)
        throw options.signal.reason instanceof Error ? options.signal.reason : new Error("The comparison was stopped.");
      const order = a.done ? 1 : b.done ? -1 : compareKeys(a.value.key, b.value.key);
      if (order < 0 && !a.done) {
        keep("missing", a.value.key);
        counts.restored += 1;
        a = await left.next();
      } else if (order > 0 && !b.done) {
        keep("extra", b.value.key);
        counts.live += 1;
        b = await right.next();
      } else if (!a.done && !b.done) {
        if (a.value.digest !== b.value.digest && keep("changed", a.value.key)) changedDigests.push(b.value.digest);
        counts.restored += 1;
        counts.live += 1;
        [a, b] = await Promise.all([left.next(), right.next()]);
      }
      if (++sinceReport >= BATCH) {
        sinceReport = 0;
        options.onProgress?.({ restored: counts.restored, live: counts.live });
      }
    }
    options.onProgress?.({ restored: counts.restored, live: counts.live });

    const restoredNames = restoredShape.columns.map((c) => c.name);
    const liveNames = liveShape.columns.map((c) => c.name);
    // Keys "missing" under the filter that live still has outside it: an INSERT would collide.
    let outside: string[][] = [];
    if (options.filter.length > 0 && keys.missing.length <= options.maxKeys) {
      const elsewhere = await rowsByKeys(live, liveShape, [], keys.missing, "typed");
      outside = keys.missing.filter((k) => elsewhere.has(JSON.stringify(k)));
      keys.missing = keys.missing.filter((k) => !elsewhere.has(JSON.stringify(k)));
      counts.missing -= outside.length;
    }

    // Samples: the first few of each kind, every column as text, from the side(s) that have them.
    const sampleOf = (list: string[][]) => list.slice(0, options.samples);
    const [fromRestored, fromLive] = await Promise.all([
      rowsByKeys(
        restored,
        restoredShape,
        restoredNames,
        [...sampleOf(keys.missing), ...sampleOf(keys.changed), ...sampleOf(outside)],
        "text",
      ),
      rowsByKeys(live, liveShape, liveNames, [...sampleOf(keys.extra), ...sampleOf(keys.changed), ...sampleOf(outside)], "typed"),
    ]);
    const sample = (rowKey: string[]): RowSample => {
      const id = JSON.stringify(rowKey);
      const before = fromRestored.get(id)?.values;
      const after = fromLive.get(id)?.values;
      const restoredRow = before ? recordOf(restoredNames, before) : undefined;
      const liveRow = after ? recordOf(liveNames, after) : undefined;
      const changedColumns = restoredRow && liveRow ? common.filter((c) => restoredRow[c] !== liveRow[c]) : undefined;
      return {
        key: recordOf(key, rowKey) as Record<string, string>,
        ...(restoredRow ? { restored: restoredRow } : {}),
        ...(liveRow ? { live: liveRow } : {}),
        ...(changedColumns ? { changedColumns } : {}),
      };
    };

    const truncated = keys.missing.length > options.maxKeys || keys.changed.length > options.maxKeys;
    return {
      comparison: {
        table: qualifiedName(table),
        schema: table.schema,
        name: table.name,
        primaryKey: key,
        comparedColumns: compared,
        onlyInRestored: restoredNames.filter((c) => !liveColumns.has(c)),
        onlyInLive: liveNames.filter((c) => !restoredNames.includes(c)),
        restoredRows: counts.restored,
        liveRows: counts.live,
        missing: { count: counts.missing, samples: sampleOf(keys.missing).map(sample) },
        changed: { count: counts.changed, samples: sampleOf(keys.changed).map(sample) },
        extra: { count: counts.extra, samples: sampleOf(keys.extra).map(sample) },
        outsideFilter: { count: outside.length, samples: sampleOf(outside).map(sample) },
      },
      missingKeys: truncated ? [] : keys.missing,
      changedKeys: truncated ? [] : keys.changed,
      changedDigests: truncated ? [] : changedDigests,
      keysTruncated: truncated,
      writableColumns: writable,
      overridingSystemValue: writable.some((c) => liveColumns.get(c)?.identityAlways),
      restoredShape,
      liveShape,
    };
  } finally {
    await Promise.all([restored.close(), live?.close()]);
  }
}

/** A value as a literal (the driver's quoting: an E'' string when it holds a backslash), or NULL. */
function sqlLiteral(value: string | null): string {
  return value === null ? "NULL" : pg.escapeLiteral(value).trim();
}

export interface RepairStatements {
  inserts: string[];
  updates: string[];
}

/**
 * The repair of one table: an INSERT per missing row and an UPDATE per changed row, each row as
 * the restored copy holds it, values as literals the live columns' types read back. An UPDATE
 * writes only while the live row is as compared (its digest): a change made since is not undone.
 */
export async function buildRepairStatements(
  restoredEndpoint: DatabaseEndpoint,
  table: TableRef,
  differences: Pick<
    TableDifferences,
    | "missingKeys"
    | "changedKeys"
    | "changedDigests"
    | "writableColumns"
    | "overridingSystemValue"
    | "comparison"
    | "restoredShape"
    | "liveShape"
  >,
  statementTimeoutMs: number,
): Promise<RepairStatements> {
  const { missingKeys, changedKeys, changedDigests, writableColumns, overridingSystemValue, restoredShape } = differences;
  const key = differences.comparison.primaryKey;
  const reader = await Reader.open(restoredEndpoint, `restored copy ${restoredEndpoint.database}`, statementTimeoutMs);
  try {
    const rows = await rowsByKeys(reader, restoredShape, writableColumns, [...missingKeys, ...changedKeys], "text");
    const valuesOf = (rowKey: string[]) => {
      const values = rows.get(JSON.stringify(rowKey))?.values;
      if (!values)
        throw new ConflictError(`The restored copy no longer holds ${qualifiedName(table)} row ${JSON.stringify(rowKey)}; compare again.`);
      return values;
    };
    const columns = writableColumns.map(ident).join(", ");
    const settable = writableColumns.filter((c) => !key.includes(c));
    const target = rowsOf(differences.liveShape);
    const guard = (rowKey: string[], digest: string) =>
      [
        ...key.map((c, i) => `${ident(c)} = ${sqlLiteral(rowKey[i] ?? null)}`),
        `${digestOf(differences.comparison.comparedColumns)} = ${sqlLiteral(digest)}`,
      ].join(" AND ");
    return {
      inserts: missingKeys.map(
        (rowKey) =>
          `INSERT INTO ${relation(table)} (${columns})${overridingSystemValue ? " OVERRIDING SYSTEM VALUE" : ""} VALUES (${valuesOf(rowKey).map(sqlLiteral).join(", ")});`,
      ),
      updates: settable.length
        ? changedKeys.map((rowKey, index) => {
            const values = valuesOf(rowKey);
            const set = settable.map((c) => `${ident(c)} = ${sqlLiteral(values[writableColumns.indexOf(c)] ?? null)}`).join(", ");
            return `UPDATE ${target} SET ${set} WHERE ${guard(rowKey, changedDigests[index] ?? "")};`;
          })
        : [],
    };
  } finally {
    await reader.close();
  }
}

/** What a repair keeps to count against later: its keys, and the digests of the rows it updates. */
export function repairCheckOf(
  differences: Pick<TableDifferences, "liveShape" | "comparison" | "missingKeys" | "changedKeys" | "changedDigests">,
): RepairCheck {
  return {
    liveShape: differences.liveShape,
    comparedColumns: differences.comparison.comparedColumns,
    missingKeys: differences.missingKeys,
    changed: differences.changedKeys.map((key, i) => ({ key, digest: differences.changedDigests[i] ?? "" })),
  };
}

/**
 * The dry run, by reading only: how many of a repair's rows it would write to live now (missing
 * keys still absent, changed rows still as compared). Nothing is written, locked or fired.
 */
export async function countRepairable(
  liveEndpoint: DatabaseEndpoint,
  checks: readonly RepairCheck[],
  options: { includeUpdates: boolean; statementTimeoutMs: number },
): Promise<{ inserts: number; updates: number }> {
  const live = await Reader.open(liveEndpoint, `live ${liveEndpoint.database}`, options.statementTimeoutMs);
  try {
    let inserts = 0;
    let updates = 0;
    for (const check of checks) {
      const present = await rowsByKeys(live, check.liveShape, [], check.missingKeys, "typed");
      inserts += check.missingKeys.length - present.size;
      if (!options.includeUpdates || check.changed.length === 0) continue;
      const current = await rowsByKeys(
        live,
        check.liveShape,
        [],
        check.changed.map((c) => c.key),
        "typed",
        check.comparedColumns,
      );
      updates += check.changed.filter((c) => current.get(JSON.stringify(c.key))?.digest === c.digest).length;
    }
    return { inserts, updates };
  } finally {
    await live.close();
  }
}

export interface RepairOutcome {
  /** Rows the statements wrote (each statement writes exactly one, or the repair is refused). */
  rowsWritten: number;
  /** Statements that wrote no row: the live row they meant is gone or was already there. */
  statementsWithoutEffect: number;
  committed: boolean;
}

const REPAIR_BATCH = 200;

/**
 * Runs a repair's statements on the live database in one transaction, which commits only when
 * every statement wrote exactly its one row and the total is what the person confirmed; else it
 * rolls back and the live database is as it was.
 */
export async function applyRepairStatements(
  liveEndpoint: DatabaseEndpoint,
  statements: readonly string[],
  options: { expectedRows: number; statementTimeoutMs: number; lockTimeoutMs: number },
): Promise<RepairOutcome> {
  const client = await connect(liveEndpoint, "restore-console-row-repair");
  let rowsWritten = 0;
  let statementsWithoutEffect = 0;
  try {
    await client.query(
      [
        "BEGIN",
        ...VALUE_SETTINGS,
        `SET LOCAL statement_timeout = ${Math.round(options.statementTimeoutMs)}`,
        `SET LOCAL lock_timeout = ${Math.round(options.lockTimeoutMs)}`,
      ].join("; "),
    );
    for (let i = 0; i < statements.length; i += REPAIR_BATCH) {
      const batch = statements.slice(i, i + REPAIR_BATCH);
      const answer = (await client.query(batch.join("\n"))) as pg.QueryResult | pg.QueryResult[];
      for (const result of Array.isArray(answer) ? answer : [answer]) {
        const written = result.rowCount ?? 0;
        rowsWritten += written;
        if (written !== 1) statementsWithoutEffect += 1;
      }
    }
    const commit = statementsWithoutEffect === 0 && rowsWritten === options.expectedRows;
    await client.query(commit ? "COMMIT" : "ROLLBACK");
    if (!commit) {
      throw new ConflictError(
        `The live table changed since the comparison: the repair would write ${plural(rowsWritten, "row")}, not the ${formatCount(options.expectedRows)} you confirmed${statementsWithoutEffect ? ` (${plural(statementsWithoutEffect, "statement")} found no row to write)` : ""}. Nothing was written; compare again.`,
      );
    }
    return { rowsWritten, statementsWithoutEffect, committed: true };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    if (error instanceof ConflictError) throw error;
    const failed = translateQueryError(error, liveEndpoint.password ? { password: liveEndpoint.password } : {});
    if (failed.sqlState === "23505") {
      throw new ConflictError(
        `A row the repair would insert is in the live table again (${failed.message}). Nothing was written; compare again.`,
        {
          cause: error,
        },
      );
    }
    throw new ConflictError(`The repair failed on the live database and was rolled back; nothing was written: ${failed.message}`, {
      cause: error,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}
