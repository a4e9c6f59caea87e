import { recordAuditEvent, SYSTEM } from "@/lib/audit/record-audit-event";
import { loadConfig } from "@/lib/config/load-config";
import type { ClientCtx } from "@/lib/db/ctx";
import { previousCronFire } from "@/lib/jobs/cron-schedule";
import type { DrillMethod } from "./plan";
import { startDrill } from "./start-drill";

export type FireOutcome = "first-seen" | "not-due" | "started" | "not-started";

/**
 * Claims the schedule's latest fire for this caller, in one transaction under the schedule's row
 * lock: of several workers ticking at once, one gets "due". A schedule seen for the first time
 * starts counting from its latest fire, so a new configuration does not start a drill at once.
 */
async function claimFire(ctx: ClientCtx<null>, environment: string, fire: Date): Promise<"first-seen" | "not-due" | "due"> {
  return ctx.db.$transaction(async (tx) => {
    const inserted = await tx.$executeRaw`
      INSERT INTO drill_schedules (environment, last_fire_at, updated_at) VALUES (${environment}, ${fire}, now())
      ON CONFLICT (environment) DO NOTHING`;
    if (inserted === 1) return "first-seen";
    const [row] = await tx.$queryRaw<Array<{ last_fire_at: Date }>>`
      SELECT last_fire_at FROM drill_schedules WHERE environment = ${environment} FOR UPDATE`;
    if (row && row.last_fire_at.getTime() >= fire.getTime()) return "not-due";
    await tx.drillSchedule.update({ where: { environment }, data: { lastFireAt: fire, lastError: null } });
    return "due";
  });
}

/**
 * Every environment whose drill schedule fired since its last drill gets one now (once, however
 * many workers call this, and once however many fires a stopped worker missed): a logical drill,
 * and a PITR drill where configured. A drill that cannot start is kept on the schedule with its
 * reason, audited, and raises an alert.
 */
export async function fireDueDrills({ ctx, now = new Date() }: { ctx: ClientCtx<null>; now?: Date }): Promise<Map<string, FireOutcome>> {
  const outcomes = new Map<string, FireOutcome>();
  for (const environment of loadConfig().config.environments) {
    const drills = environment.drills;
    if (!drills) continue;
    const fire = previousCronFire(drills.schedule, now, drills.timeZone);
    if (!fire) continue;
    const claimed = await claimFire(ctx, environment.name, fire);
    if (claimed !== "due") {
      outcomes.set(environment.name, claimed);
      continue;
    }
    const problems: string[] = [];
    const methods: DrillMethod[] = [...(drills.target ? (["logical"] as const) : []), ...(drills.pitr ? (["pitr"] as const) : [])];
    for (const method of methods) {
      try {
        await startDrill({ ctx, input: { environment: environment.name, method }, scheduledFor: fire });
      } catch (error) {
        problems.push(
          `${methods.length > 1 ? `${method === "pitr" ? "PITR" : "Logical"} drill: ` : ""}${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    if (problems.length === 0) {
      outcomes.set(environment.name, "started");
      continue;
    }
    const reason = problems.join(" ");
    await ctx.db.drillSchedule.update({ where: { environment: environment.name }, data: { lastError: reason } });
    await recordAuditEvent(ctx.db, {
      actor: SYSTEM,
      action: "drill.not-started",
      outcome: "failed",
      subject: { type: "environment", id: environment.name },
      payload: { environment: environment.name, scheduledFor: fire.toISOString(), error: reason },
      requestId: ctx.requestId,
    });
    outcomes.set(environment.name, "not-started");
  }
  return outcomes;
}
