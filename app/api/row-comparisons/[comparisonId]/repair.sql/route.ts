import { z } from "zod";
import { route } from "@/lib/http/route";
import { repairFile } from "@/lib/restore/row-recovery/repair-file";

/** The repair as a SQL file to review; `?updates=1` adds the updates of changed rows. Holds backup rows: operators. */
export const GET = route(
  { role: "operator", params: z.object({ comparisonId: z.uuid() }), query: z.object({ updates: z.enum(["0", "1"]).default("0") }) },
  async ({ ctx, input }) => {
    const file = await repairFile({ ctx, input: { comparisonId: input.params.comparisonId, includeUpdates: input.query.updates === "1" } });
    return new Response(file.sql, {
      headers: {
        "content-type": "application/sql; charset=utf-8",
        "content-disposition": `attachment; filename="${file.filename}"`,
        "cache-control": "no-store",
      },
    });
  },
);
