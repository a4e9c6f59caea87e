import { z } from "zod";
import { getSimulatedOutage } from "@/lib/demo/get-simulated-outage";
import { setSimulatedOutage } from "@/lib/demo/set-simulated-outage";
import { route } from "@/lib/http/route";

/** Whether the demo's primary backup store is in a simulated outage (404 outside the demo). */
export const GET = route({ role: "viewer" }, () => getSimulatedOutage());

/**
 * Operators, who run the restores the outage is there to show: it destroys nothing, touches no
 * person or configuration, and ends with one click.
 */
export const POST = route({ role: "operator", body: z.object({ down: z.boolean() }) }, ({ ctx, input }) =>
  setSimulatedOutage({ ctx, input: input.body }),
);
