import { z } from "zod";
import { approveApproval } from "@/lib/approvals/approve-approval";
import { route } from "@/lib/http/route";

// Operator at least; the request's own approverRole (and the environment's rules) are checked by the verb.
export const POST = route({ role: "operator", params: z.object({ approvalId: z.uuid() }) }, ({ ctx, input }) =>
  approveApproval({ ctx, input: input.params }),
);
