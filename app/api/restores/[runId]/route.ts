import { z } from "zod";
import { route } from "@/lib/http/route";
import { getRestoreRun } from "@/lib/restore/get-restore-run";

export const GET = route({ role: "viewer", params: z.object({ runId: z.uuid() }) }, ({ ctx, input }) =>
  getRestoreRun({ ctx, input: { runId: input.params.runId } }),
);
