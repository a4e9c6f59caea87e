import { z } from "zod";
import { route } from "@/lib/http/route";
import { cleanupRestore, CleanupRestoreInput } from "@/lib/restore/cleanup-restore";

export const POST = route(
  { role: "operator", params: z.object({ runId: z.uuid() }), body: CleanupRestoreInput.omit({ runId: true }).optional() },
  ({ ctx, input }) => cleanupRestore({ ctx, input: { ...input.body, runId: input.params.runId } }),
);
