import { z } from "zod";
import { route } from "@/lib/http/route";
import { markPitrCutOver } from "@/lib/restore/mark-pitr-cut-over";

export const POST = route({ role: "operator", params: z.object({ runId: z.uuid() }) }, ({ ctx, input }) => markPitrCutOver({ ctx, input: input.params }));
