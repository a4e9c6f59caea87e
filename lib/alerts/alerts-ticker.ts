import { getDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import type { Ticker } from "@/lib/jobs/define-job";
import { evaluateAlerts } from "./evaluate-alerts";

/** Every worker evaluates the alert rules each minute (the advisory lock keeps it to one at a time). */
export const alertsTicker: Ticker = {
  name: "alerts",
  everyMs: 60_000,
  async run() {
    await evaluateAlerts({ ctx: systemCtx(getDb()) });
  },
};
