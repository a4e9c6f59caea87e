import { z } from "zod";
import { route } from "@/lib/http/route";
import { rollbackRestore, RollbackRestoreInput } from "@/lib/restore/rollback-restore";

export const POST = route({ role: "operator", params: z.object({ runId: z.uuid() }), body: RollbackRestoreInput.omit({ runId: true }).optional() }, ({ ctx, input }) =>
  rollbackRestore({ ctx, input: { ...input.body, runId: input.params.runId } }),
);
