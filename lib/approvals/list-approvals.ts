import { z } from "zod";
import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { APPROVAL_STATUSES, approvalView, type ApprovalView } from "./approval-views";
import { expireApprovals } from "./expire-approvals";

export const ListApprovalsInput = z.object({
  runId: z.uuid().optional(),
  status: z.enum(APPROVAL_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListApprovalsInput = z.input<typeof ListApprovalsInput>;

export interface ApprovalListItem extends ApprovalView {
  /** What the run restores onto, for lists outside the run page (Overview). */
  run: { kind: string; targetName: string; targetDatabase: string };
}

/** Requests, newest first (pending ones first on Overview); expired ones are marked so before reading. */
export async function listApprovals({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: ListApprovalsInput;
}): Promise<ApprovalListItem[]> {
  const parsed = ListApprovalsInput.parse(input);
  await expireApprovals({ ctx, input: parsed.runId ? { runId: parsed.runId } : {} });
  const rows = await ctx.db.approval.findMany({
    where: { ...(parsed.runId ? { runId: parsed.runId } : {}), ...(parsed.status ? { status: parsed.status } : {}) },
    orderBy: { requestedAt: "desc" },
    take: parsed.limit,
    include: { run: { select: { kind: true, targetName: true, targetDatabase: true } } },
  });
  return rows.map((row) => ({ ...approvalView(row), run: row.run }));
}
