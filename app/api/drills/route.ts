import { route } from "@/lib/http/route";
import { listDrills, ListDrillsInput } from "@/lib/restore/drill/list-drills";
import { startDrill, StartDrillInput } from "@/lib/restore/drill/start-drill";

/** Every environment's drills of a period (default: the last 90 days), with its schedule. */
export const GET = route({ role: "viewer", query: ListDrillsInput }, ({ ctx, input }) => listDrills({ ctx, input: input.query }));

/** "Run drill now": the environment's configured drill, started at once. */
export const POST = route({ role: "operator", body: StartDrillInput }, async ({ ctx, input }) =>
  Response.json(await startDrill({ ctx, input: input.body }), { status: 201 }),
);
