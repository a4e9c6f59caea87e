import { z } from "zod";
import { route } from "@/lib/http/route";
import { getRowComparison } from "@/lib/restore/row-recovery/get-row-comparisons";

export const GET = route({ role: "viewer", params: z.object({ comparisonId: z.uuid() }) }, ({ ctx, input }) =>
  getRowComparison({ ctx, input: input.params }),
);
