import { z } from "zod";
import { approvalAccepted } from "@/lib/approvals/approval-requested";
import { route } from "@/lib/http/route";
import { cleanupPitrRestore, CleanupPitrRestoreInput } from "@/lib/restore/pitr/cleanup-pitr-restore";

export const POST = route(
  { role: "operator", params: z.object({ runId: z.uuid() }), body: CleanupPitrRestoreInput.omit({ runId: true }) },
  ({ ctx, input }) =>
    // On a four-eyes environment: 202 with the recorded request instead.
    approvalAccepted(cleanupPitrRestore({ ctx, input: { ...input.body, runId: input.params.runId } })),
);
