import { route } from "@/lib/http/route";
import { planLogicalRestore, PlanLogicalRestoreInput } from "@/lib/restore/logical/plan-logical-restore";

/** The plan and the preflight checks, computed now; nothing changes. */
export const POST = route({ role: "operator", body: PlanLogicalRestoreInput }, ({ ctx, input }) =>
  planLogicalRestore({ ctx, input: input.body }),
);
