import { z } from "zod";
import { refuseApproval, RefuseApprovalInput } from "@/lib/approvals/refuse-approval";
import { route } from "@/lib/http/route";

export const POST = route(
  { role: "operator", params: z.object({ approvalId: z.uuid() }), body: RefuseApprovalInput.omit({ approvalId: true }) },
  ({ ctx, input }) => refuseApproval({ ctx, input: { ...input.body, approvalId: input.params.approvalId } }),
);
