import { route } from "@/lib/http/route";
import { listApprovals, ListApprovalsInput } from "@/lib/approvals/list-approvals";

export const GET = route({ role: "viewer", query: ListApprovalsInput }, async ({ ctx, input }) => ({
  approvals: await listApprovals({ ctx, input: input.query }),
}));
