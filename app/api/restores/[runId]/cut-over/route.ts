import { z } from "zod";
import { approvalAccepted } from "@/lib/approvals/approval-requested";
import { route } from "@/lib/http/route";
import { markPitrCutOver, MarkPitrCutOverInput } from "@/lib/restore/pitr/mark-pitr-cut-over";

// The body is optional: only a four-eyes environment asks for a reason.
export const POST = route(
  { role: "operator", params: z.object({ runId: z.uuid() }), body: MarkPitrCutOverInput.omit({ runId: true }).optional() },
  ({ ctx, input }) => approvalAccepted(markPitrCutOver({ ctx, input: { ...input.body, runId: input.params.runId } })),
);
