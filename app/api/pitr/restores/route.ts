import { route } from "@/lib/http/route";
import { startPitrRestore, StartPitrRestoreInput } from "@/lib/restore/pitr/start-pitr-restore";

export const POST = route({ role: "operator", body: StartPitrRestoreInput }, async ({ ctx, input }) =>
  Response.json(await startPitrRestore({ ctx, input: input.body }), { status: 201 }),
);
