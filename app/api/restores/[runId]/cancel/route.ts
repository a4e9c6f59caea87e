import { z } from "zod";
import { route } from "@/lib/http/route";
import { cancelRestore } from "@/lib/restore/cancel-restore";

export const POST = route({ role: "operator", params: z.object({ runId: z.uuid() }) }, ({ ctx, input }) =>
  cancelRestore({ ctx, input: input.params }),
);
