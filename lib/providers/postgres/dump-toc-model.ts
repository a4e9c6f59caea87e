import { z } from "zod";

// The shapes of a dump's table list and of a table selection, as stored (with a backup, in a
// run's plan) and shown in the browser. Pure data, without "server-only": the plan that carries a
// selection is read by browser code too. The scanning and the rules are in dump-toc.ts.

export const DumpForeignKey = z.object({
  name: z.string(),
  /** The table holding the key. */
  table: z.string(),
  /** The table it points at. */
  references: z.string(),
});
export type DumpForeignKey = z.infer<typeof DumpForeignKey>;

export const DumpTable = z.object({
  /** `schema.table`: the name the selection uses. */
  qualifiedName: z.string(),
  schema: z.string(),
  name: z.string(),
  owner: z.string().nullable(),
  hasData: z.boolean(),
  /** Sequences owned by the table's columns (restored with it, values included). */
  sequences: z.array(z.string()),
  indexes: z.array(z.string()),
  /** Primary keys, unique and check constraints (foreign keys are listed apart). */
  constraints: z.array(z.string()),
  triggers: z.array(z.string()),
  foreignKeys: z.array(DumpForeignKey),
});
export type DumpTable = z.infer<typeof DumpTable>;

/** Stored with the backup once read, so it is read back through this schema. */
export const DumpTableCatalog = z.object({ tables: z.array(DumpTable) });
export type DumpTableCatalog = z.infer<typeof DumpTableCatalog>;

export const SelectionPlan = z.object({
  tables: z.array(z.string()),
  /** Brought along with the chosen tables. */
  sequences: z.array(z.string()),
  indexes: z.array(z.string()),
  constraints: z.array(z.string()),
  triggers: z.array(z.string()),
  /** Foreign keys between chosen tables: restored. */
  foreignKeys: z.array(DumpForeignKey),
  /** Foreign keys to or from a table not chosen: reported and skipped, so the partial copy loads. */
  skippedForeignKeys: z.array(DumpForeignKey),
});
export type SelectionPlan = z.infer<typeof SelectionPlan>;
