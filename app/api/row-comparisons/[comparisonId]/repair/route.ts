import { z } from "zod";
import { approvalAccepted } from "@/lib/approvals/approval-requested";
import { route } from "@/lib/http/route";
import { applyRowRepair, ApplyRowRepairInput } from "@/lib/restore/row-recovery/apply-row-repair";

/** A dry run (`dryRun: true`, rolled back) or the real write of the repair to live, in one transaction. Admins; 202 with the request on a four-eyes environment. */
export const POST = route(
  { role: "admin", params: z.object({ comparisonId: z.uuid() }), body: ApplyRowRepairInput.omit({ comparisonId: true }) },
  ({ ctx, input }) => approvalAccepted(applyRowRepair({ ctx, input: { ...input.body, comparisonId: input.params.comparisonId } })),
);
