import { z } from "zod";
import { route } from "@/lib/http/route";
import { updateReview, UpdateReviewInput } from "@/lib/incidents/update-review";

export const PUT = route({ role: "operator", params: z.object({ incidentId: z.uuid() }), body: UpdateReviewInput }, ({ ctx, input }) =>
  updateReview({ ctx, input: { ...input.body, ...input.params } }),
);
