import { z } from "zod";
import { approvalAccepted } from "@/lib/approvals/approval-requested";
import { route } from "@/lib/http/route";
import { rollbackRestore, RollbackRestoreInput } from "@/lib/restore/logical/rollback-restore";

export const POST = route(
  { role: "operator", params: z.object({ runId: z.uuid() }), body: RollbackRestoreInput.omit({ runId: true }).optional() },
  ({ ctx, input }) =>
    // On a four-eyes environment: 202 with the recorded request instead.
    approvalAccepted(rollbackRestore({ ctx, input: { ...input.body, runId: input.params.runId } })),
);
