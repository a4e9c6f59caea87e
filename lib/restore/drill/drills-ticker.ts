import { getDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import type { Ticker } from "@/lib/jobs/define-job";
import { fireDueDrills } from "./fire-due-drills";

/** Every worker looks at the drill schedules each minute; the schedule's row lock keeps each fire to one drill. */
export const drillsTicker: Ticker = {
  name: "drills",
  everyMs: 60_000,
  async run() {
    await fireDueDrills({ ctx: systemCtx(getDb()) });
  },
};
