import { z } from "zod";
import { route } from "@/lib/http/route";
import { approveGlobalPromotion } from "@/lib/restore/pitr/global/approve-global-promotion";

// Admin: the approver sets the promotion going; four-eyes' approverRole and "not yourself" are checked by the verb.
export const POST = route({ role: "admin", params: z.object({ promotionId: z.uuid() }) }, async ({ ctx, input }) =>
  Response.json(await approveGlobalPromotion({ ctx, input: input.params }), { status: 202 }),
);
