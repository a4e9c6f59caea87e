import { z } from "zod";
import { DrillInfo, LogicalRestorePlan } from "../logical/plan";

// A drill's stored plan: a logical restore's plan in mode "drill", with what the drill records about itself.

export const DrillPlan = LogicalRestorePlan.extend({ mode: z.literal("drill"), drill: DrillInfo });
export type DrillPlan = z.infer<typeof DrillPlan>;
