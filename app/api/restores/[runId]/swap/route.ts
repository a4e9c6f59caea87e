import { z } from "zod";
import { approvalAccepted } from "@/lib/approvals/approval-requested";
import { route } from "@/lib/http/route";
import { confirmSwap, ConfirmSwapInput } from "@/lib/restore/logical/confirm-swap";

export const POST = route(
  { role: "operator", params: z.object({ runId: z.uuid() }), body: ConfirmSwapInput.omit({ runId: true }) },
  ({ ctx, input }) =>
    // On a four-eyes environment: 202 with the recorded request instead.
    approvalAccepted(confirmSwap({ ctx, input: { ...input.body, runId: input.params.runId } })),
);
