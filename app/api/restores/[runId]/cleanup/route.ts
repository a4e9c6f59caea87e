import { z } from "zod";
import { route } from "@/lib/http/route";
import { cleanupRestore } from "@/lib/restore/cleanup-restore";

export const POST = route({ role: "operator", params: z.object({ runId: z.uuid() }) }, ({ ctx, input }) => cleanupRestore({ ctx, input: input.params }));
