import { z } from "zod";

// What a row-level comparison reports, as pure data: stored with the comparison, read back by
// the pages (no server-only code here).

export const TableRef = z.object({ schema: z.string().min(1), name: z.string().min(1) });
export type TableRef = z.infer<typeof TableRef>;

/** `schema.table`, as a selective restore names tables. */
export const qualifiedName = (table: TableRef) => `${table.schema}.${table.name}`;

export const TableColumn = z.object({
  name: z.string(),
  type: z.string(),
  /** GENERATED ALWAYS AS (…) STORED: never written. */
  generated: z.boolean(),
  /** GENERATED ALWAYS AS IDENTITY: written with OVERRIDING SYSTEM VALUE. */
  identityAlways: z.boolean(),
});
export type TableColumn = z.infer<typeof TableColumn>;

export const TableShape = TableRef.extend({
  /** "r" (a table: read without its inheritance children) or "p" (partitioned: read with its partitions). */
  kind: z.enum(["r", "p"]),
  /** Empty when the table has no primary key: its rows cannot be matched. */
  primaryKey: z.array(z.string()),
  columns: z.array(TableColumn),
  estimatedRows: z.number(),
});
export type TableShape = z.infer<typeof TableShape>;

/**
 * What a repair of one table expects to find in live, kept with it: the missing keys absent, the
 * changed rows as compared (their digests). A dry run counts against it by reading only.
 */
export const RepairCheck = z.object({
  liveShape: TableShape,
  comparedColumns: z.array(z.string()),
  missingKeys: z.array(z.array(z.string())),
  changed: z.array(z.object({ key: z.array(z.string()), digest: z.string() })),
});
export type RepairCheck = z.infer<typeof RepairCheck>;

const TextRow = z.record(z.string(), z.string().nullable());

export const RowSample = z.object({
  key: z.record(z.string(), z.string()),
  /** The row as the backup holds it. */
  restored: TextRow.optional(),
  /** The row as the live database holds it now. */
  live: TextRow.optional(),
  /** For a changed row: the columns whose values differ. */
  changedColumns: z.array(z.string()).optional(),
});
export type RowSample = z.infer<typeof RowSample>;

const Difference = z.object({ count: z.number().int(), samples: z.array(RowSample) });

export const TableComparison = z.object({
  table: z.string(),
  schema: z.string(),
  name: z.string(),
  primaryKey: z.array(z.string()),
  comparedColumns: z.array(z.string()),
  /** Columns the backup has and live does not (dropped since): a repair cannot write them. */
  onlyInRestored: z.array(z.string()),
  /** Columns live has and the backup does not (added since): inserted rows get their defaults. */
  onlyInLive: z.array(z.string()),
  restoredRows: z.number().int(),
  liveRows: z.number().int(),
  /** In the backup, not in live: deleted since. */
  missing: Difference,
  /** In both, with different values. */
  changed: Difference,
  /** In live, not in the backup: written since the backup; reported, never touched. */
  extra: Difference,
  /** In the backup under the filter, and in live outside it (e.g. moved to another tenant): never inserted. */
  outsideFilter: Difference.default({ count: 0, samples: [] }),
});
export type TableComparison = z.infer<typeof TableComparison>;
