import { z } from "zod";
import { route } from "@/lib/http/route";
import { uncheckItem, UncheckItemInput } from "@/lib/incidents/uncheck-item";

export const POST = route(
  { role: "operator", params: z.object({ incidentId: z.uuid(), itemId: z.uuid() }), body: UncheckItemInput.optional() },
  ({ ctx, input }) => uncheckItem({ ctx, input: { ...input.body, ...input.params } }),
);
