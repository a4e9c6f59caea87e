import { route } from "@/lib/http/route";
import { planPitrRestore, PlanPitrRestoreInput } from "@/lib/restore/pitr/plan-pitr-restore";

/** The plan, the predicted data loss and the provider's preflight, computed now; nothing changes. */
export const POST = route({ role: "operator", body: PlanPitrRestoreInput }, ({ ctx, input }) =>
  planPitrRestore({ ctx, input: input.body }),
);
