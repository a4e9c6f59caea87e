import "server-only";
import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { Ctx } from "@/lib/db/ctx";
import { demoOutageSwitch, lowerOutageFlag, raiseOutageFlag, readSimulatedOutage } from "./simulated-outage";
import type { SimulatedOutage } from "./simulated-outage-state";

/**
 * Starts (`down: true`) or ends the demo's simulated primary region outage: the primary S3 server
 * refuses every connection while it lasts, so restores read from the DR replica. Asking for the
 * state it is already in (or that someone else has just switched it to) changes and records nothing.
 */
export async function setSimulatedOutage({ ctx, input }: { ctx: Ctx; input: { down: boolean } }): Promise<SimulatedOutage> {
  const outageSwitch = await demoOutageSwitch();
  const before = await readSimulatedOutage(outageSwitch);
  if (before.down === input.down) return before;

  const { flag, environment } = outageSwitch;
  const changed = input.down
    ? await raiseOutageFlag(flag, { startedAt: new Date().toISOString(), startedBy: ctx.user.email })
    : await lowerOutageFlag(flag);
  // Someone else switched it meanwhile: theirs is the change on record.
  if (!changed) return readSimulatedOutage(outageSwitch);
  try {
    await recordAuditEvent(ctx.db, {
      actor: actorOf(ctx),
      action: input.down ? "demo.outage.start" : "demo.outage.end",
      subject: { type: "environment", id: environment.name },
      payload: input.down
        ? { store: before.primary, fallback: before.replicas }
        : { store: before.primary, startedAt: before.startedAt, startedBy: before.startedBy },
      requestId: ctx.requestId,
    });
  } catch (error) {
    // A change the audit log does not hold must not stand: the switch goes back.
    if (input.down) await lowerOutageFlag(flag);
    else await raiseOutageFlag(flag, { startedAt: before.startedAt ?? new Date().toISOString(), startedBy: before.startedBy ?? "" });
    throw error;
  }
  return readSimulatedOutage(outageSwitch);
}
