import { z } from "zod";
import { grantRestoreOverride, GrantRestoreOverrideInput } from "@/lib/backups/grant-restore-override";
import { route } from "@/lib/http/route";

export const POST = route(
  { role: "admin", params: z.object({ backupId: z.uuid() }), body: GrantRestoreOverrideInput },
  async ({ ctx, input }) => Response.json(await grantRestoreOverride({ ctx, input: { ...input.params, ...input.body } }), { status: 201 }),
);
