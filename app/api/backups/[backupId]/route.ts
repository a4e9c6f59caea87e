import { z } from "zod";
import { getBackup } from "@/lib/backups/get-backup";
import { route } from "@/lib/http/route";

export const GET = route({ role: "viewer", params: z.object({ backupId: z.uuid() }) }, ({ ctx, input }) =>
  getBackup({ ctx, input: input.params }),
);
