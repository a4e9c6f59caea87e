import { z } from "zod";
import { getVerification } from "@/lib/backups/get-verification";
import { route } from "@/lib/http/route";

export const GET = route({ role: "viewer", params: z.object({ verificationId: z.uuid() }) }, ({ ctx, input }) =>
  getVerification({ ctx, input: input.params }),
);
