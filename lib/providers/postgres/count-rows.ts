import { quoteIdent, withClient, type AdminTarget } from "./admin";

/** `loans` or `public.loans`, quoted part by part (a manifest's names are data, never SQL). */
function qualified(table: string): string {
  return table.split(".").map(quoteIdent).join(".");
}

/**
 * Exact row counts of `tables` (as a backup manifest names them: `table` or `schema.table`) in
 * `database`, read in one read-only transaction; a table that does not exist counts null.
 */
export async function countRows(target: AdminTarget, database: string, tables: readonly string[]): Promise<Map<string, number | null>> {
  return withClient(
    target,
    `Counting the rows of ${database}`,
    async (client) => {
      const counts = new Map<string, number | null>();
      await client.query("BEGIN READ ONLY");
      try {
        for (const table of tables) {
          const name = qualified(table);
          const { rows } = await client.query<{ exists: boolean }>("SELECT to_regclass($1) IS NOT NULL AS exists", [name]);
          if (!rows[0]?.exists) {
            counts.set(table, null);
            continue;
          }
          const counted = await client.query<{ count: string }>(`SELECT count(*) AS count FROM ${name}`);
          counts.set(table, Number(counted.rows[0]?.count ?? 0));
        }
      } finally {
        await client.query("ROLLBACK").catch(() => undefined);
      }
      return counts;
    },
    database,
  );
}
