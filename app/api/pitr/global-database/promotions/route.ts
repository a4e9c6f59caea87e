import { route } from "@/lib/http/route";
import { requestGlobalPromotion, RequestGlobalPromotionInput } from "@/lib/restore/pitr/global/request-global-promotion";

/** Promote the DR cluster: recorded now, carried out by the worker (or first approved, under four-eyes). */
export const POST = route({ role: "admin", body: RequestGlobalPromotionInput }, async ({ ctx, input }) =>
  Response.json(await requestGlobalPromotion({ ctx, input: input.body }), { status: 202 }),
);
