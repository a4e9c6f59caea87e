import { z } from "zod";
import { route } from "@/lib/http/route";
import { listRowComparisons } from "@/lib/restore/row-recovery/get-row-comparisons";
import { requestRowComparison, RequestRowComparisonInput } from "@/lib/restore/row-recovery/request-row-comparison";

const params = z.object({ runId: z.uuid() });

/** The run's comparisons of its restored tables with live, newest first. */
export const GET = route({ role: "viewer", params }, ({ ctx, input }) => listRowComparisons({ ctx, input: input.params }));

/** Compares chosen tables of the run's restored copy with live (a job): 202 with the queued comparison. */
export const POST = route({ role: "operator", params, body: RequestRowComparisonInput.omit({ runId: true }) }, async ({ ctx, input }) =>
  Response.json(await requestRowComparison({ ctx, input: { ...input.body, runId: input.params.runId } }), { status: 202 }),
);
