import { z } from "zod";
import { getApproval } from "@/lib/approvals/get-approval";
import { route } from "@/lib/http/route";

export const GET = route({ role: "viewer", params: z.object({ approvalId: z.uuid() }) }, ({ ctx, input }) =>
  getApproval({ ctx, input: input.params }),
);
