import { z } from "zod";
import { formatCount } from "@/lib/format";
import { RepairCheck, TableRef, type TableComparison } from "@/lib/providers/postgres/row-compare-model";

export type { RowSample, TableComparison } from "@/lib/providers/postgres/row-compare-model";

// Row-level recovery as the pages see it: pure shapes and rules, no server-only code.

/** Tables per comparison, conditions per filter: a comparison is for a scoped incident, not a whole database. */
export const MAX_TABLES = 20;
export const MAX_FILTER_CONDITIONS = 5;
/** A reviewed repair is read by a person: beyond this many rows, restore the table instead. */
export const MAX_REPAIR_ROWS = 100_000;

export const RowFilterCondition = z.object({
  column: z.string().trim().min(1, "choose a column").max(63),
  value: z
    .string()
    .max(200, "at most 200 characters")
    .regex(/^[^\u0000-\u001f\u007f]*$/, "no line breaks or control characters"),
});
export type RowFilterCondition = z.infer<typeof RowFilterCondition>;

export const RowFilter = z.array(RowFilterCondition).max(MAX_FILTER_CONDITIONS);
export const ComparedTables = z.array(TableRef).min(1, "choose at least one table").max(MAX_TABLES);

/** A repair as reviewed and written: its statements, and what it expects to find in live (for the dry run). */
export const RepairStatements = z.object({ inserts: z.array(z.string()), updates: z.array(z.string()), checks: z.array(RepairCheck) });
export type RepairStatements = z.infer<typeof RepairStatements>;

export const COMPARISON_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
export type ComparisonStatus = (typeof COMPARISON_STATUSES)[number];

export const ComparisonProgress = z.object({
  table: z.string(),
  tableIndex: z.number(),
  tables: z.number(),
  restoredRows: z.number(),
  liveRows: z.number(),
});
export type ComparisonProgress = z.infer<typeof ComparisonProgress>;

/** A table of the restored copy a person may pick, read from the copy. */
export interface ComparableTable {
  schema: string;
  name: string;
  primaryKey: string[];
  columns: string[];
  estimatedRows: number;
  /** Why it cannot be compared (no primary key), or null. */
  refusal: string | null;
}

export interface RowComparisonView {
  id: string;
  runId: string;
  environment: string;
  targetName: string;
  liveDatabase: string;
  restoredDatabase: string;
  tables: TableRef[];
  filter: RowFilterCondition[];
  status: ComparisonStatus;
  progress: ComparisonProgress | null;
  error: string | null;
  results: TableComparison[];
  /** The examples hold rows of the data: shown to operators and admins, hidden from viewers. */
  samplesHidden: boolean;
  /** What a repair would write, or why none is offered. */
  repair: { inserts: number; updates: number } | null;
  repairWithheld: string | null;
  requestedByEmail: string;
  createdAt: string;
  finishedAt: string | null;
  dryRun: { at: string; rows: number; includesUpdates: boolean } | null;
  /** `rows` is null while the write runs, or when its outcome could not be recorded (see the audit log). */
  applied: { at: string; byEmail: string; rows: number | null; includesUpdates: boolean } | null;
}

/** What the person types to write a repair: the row count and the live database, so both were read. */
export function repairConfirmationText(rows: number, liveDatabase: string): string {
  return `write ${formatCount(rows)} rows to ${liveDatabase}`;
}

/** "tenant_id = 4 and region = eu", or "all rows". */
export function describeFilter(filter: readonly RowFilterCondition[]): string {
  return filter.length ? filter.map((f) => `${f.column} = ${f.value}`).join(" and ") : "all rows";
}

/** Rows a repair writes: the inserts, and the updates when chosen. */
export function repairRows(repair: { inserts: number; updates: number }, includeUpdates: boolean): number {
  return repair.inserts + (includeUpdates ? repair.updates : 0);
}
