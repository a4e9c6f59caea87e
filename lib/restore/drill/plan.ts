import { z } from "zod";
import { DrillInfo, LogicalRestorePlan } from "../logical/plan";
import { PitrRestorePlan } from "../pitr/plan";

// A drill's stored plan: a logical restore's plan in mode "drill", or a point-in-time restore's
// plan (to a random time of the window), each with what the drill records about itself.

export const LogicalDrillPlan = LogicalRestorePlan.extend({ mode: z.literal("drill"), drill: DrillInfo });
export type LogicalDrillPlan = z.infer<typeof LogicalDrillPlan>;
export const PitrDrillPlan = PitrRestorePlan.extend({ drill: DrillInfo });
export type PitrDrillPlan = z.infer<typeof PitrDrillPlan>;

export const DrillPlan = z.discriminatedUnion("kind", [LogicalDrillPlan, PitrDrillPlan]);
export type DrillPlan = z.infer<typeof DrillPlan>;

/** What a drill restores: a dump (logical) or the PITR source to a point in time. */
export const DRILL_METHODS = ["logical", "pitr"] as const;
export type DrillMethod = (typeof DRILL_METHODS)[number];
