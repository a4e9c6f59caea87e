import { z } from "zod";
import { route } from "@/lib/http/route";
import { acceptValidationFailures, AcceptValidationFailuresInput } from "@/lib/restore/accept-validation-failures";

export const POST = route(
  { role: "admin", params: z.object({ runId: z.uuid() }), body: AcceptValidationFailuresInput.omit({ runId: true }) },
  ({ ctx, input }) => acceptValidationFailures({ ctx, input: { ...input.body, runId: input.params.runId } }),
);
