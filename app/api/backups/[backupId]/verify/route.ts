import { z } from "zod";
import { requestVerification } from "@/lib/backups/request-verification";
import { route } from "@/lib/http/route";

export const POST = route({ role: "operator", params: z.object({ backupId: z.uuid() }) }, async ({ ctx, input }) =>
  Response.json(await requestVerification({ ctx, input: input.params }), { status: 202 }),
);
