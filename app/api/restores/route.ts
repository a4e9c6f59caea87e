import { route } from "@/lib/http/route";
import { listRestoreRuns, ListRestoreRunsInput } from "@/lib/restore/list-restore-runs";
import { startLogicalRestore, StartLogicalRestoreInput } from "@/lib/restore/logical/start-logical-restore";

export const GET = route({ role: "viewer", query: ListRestoreRunsInput }, ({ ctx, input }) => listRestoreRuns({ ctx, input: input.query }));

export const POST = route({ role: "operator", body: StartLogicalRestoreInput }, async ({ ctx, input }) =>
  Response.json(await startLogicalRestore({ ctx, input: input.body }), { status: 201 }),
);
