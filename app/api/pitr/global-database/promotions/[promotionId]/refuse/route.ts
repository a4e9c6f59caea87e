import { z } from "zod";
import { route } from "@/lib/http/route";
import { refuseGlobalPromotion, RefuseGlobalPromotionInput } from "@/lib/restore/pitr/global/refuse-global-promotion";

export const POST = route(
  {
    role: "admin",
    params: z.object({ promotionId: z.uuid() }),
    body: RefuseGlobalPromotionInput.omit({ promotionId: true }),
  },
  ({ ctx, input }) => refuseGlobalPromotion({ ctx, input: { ...input.body, promotionId: input.params.promotionId } }),
);
