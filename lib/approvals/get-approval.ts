import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { NotFoundError } from "@/lib/errors";
import { approvalView } from "./approval-views";
import { expireApprovals } from "./expire-approvals";
import type { ApprovalListItem } from "./list-approvals";

/** One request, expired first if its window passed. */
export async function getApproval({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { approvalId: string };
}): Promise<ApprovalListItem> {
  await expireApprovals({ ctx, input: {} });
  const row = await ctx.db.approval.findUnique({
    where: { id: input.approvalId },
    include: { run: { select: { kind: true, targetName: true, targetDatabase: true } } },
  });
  if (!row) throw new NotFoundError("That approval request does not exist.");
  return { ...approvalView(row), run: row.run };
}
