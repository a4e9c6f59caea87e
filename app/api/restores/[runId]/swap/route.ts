import { z } from "zod";
import { route } from "@/lib/http/route";
import { confirmSwap, ConfirmSwapInput } from "@/lib/restore/confirm-swap";

export const POST = route({ role: "operator", params: z.object({ runId: z.uuid() }), body: ConfirmSwapInput.omit({ runId: true }) }, ({ ctx, input }) =>
  confirmSwap({ ctx, input: { ...input.body, runId: input.params.runId } }),
);
