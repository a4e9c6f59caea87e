import { z } from "zod";
import { route } from "@/lib/http/route";
import { checkItem, CheckItemInput } from "@/lib/incidents/check-item";

export const POST = route(
  { role: "operator", params: z.object({ incidentId: z.uuid(), itemId: z.uuid() }), body: CheckItemInput.optional() },
  ({ ctx, input }) => checkItem({ ctx, input: { ...input.body, ...input.params } }),
);
