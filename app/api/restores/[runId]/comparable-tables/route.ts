import { z } from "zod";
import { route } from "@/lib/http/route";
import { listComparableTables } from "@/lib/restore/row-recovery/list-comparable-tables";

/** The tables of the run's restored copy, with their primary keys and columns (read from the copy). */
export const GET = route({ role: "operator", params: z.object({ runId: z.uuid() }) }, ({ ctx, input }) =>
  listComparableTables({ ctx, input: input.params }),
);
