import type { SystemCtx } from "@/lib/db/ctx";
import { plural } from "@/lib/format";
import { appendIncidentEvent } from "./append-incident-event";
import { ChecklistPhases } from "./checklist";
import { incidentMessage, notify } from "./notify";
import { phaseTimer } from "./phase-timers";

/**
 * For every open or recovering incident, a phase that has just gone past its deadline with items
 * unchecked is put on the timeline and announced by webhook — once per phase and incident.
 */
export async function notifyOverduePhases({ ctx, input }: { ctx: SystemCtx; input: { now?: Date } }): Promise<number> {
  const now = input.now ?? new Date();
  const incidents = await ctx.db.incident.findMany({
    where: { status: { in: ["open", "recovering"] }, recoveredAt: null },
    include: { checklistTemplate: true, items: true, events: { where: { type: "phase-overdue" }, select: { payload: true } } },
  });
  let announced = 0;
  for (const incident of incidents) {
    const phases = ChecklistPhases.safeParse(incident.checklistTemplate.phases);
    if (!phases.success) continue;
    const already = new Set(incident.events.map((e) => (e.payload as { phase?: unknown } | null)?.phase));
    for (const phase of phases.data) {
      if (already.has(phase.key)) continue;
      const timer = phaseTimer(
        { key: phase.key, deadlineMinutes: phase.deadlineMinutes, items: incident.items.filter((i) => i.phaseKey === phase.key) },
        incident.startedAt,
        now,
      );
      if (timer.state !== "red") continue;
      await appendIncidentEvent(ctx.db, {
        incidentId: incident.id,
        actorEmail: "system",
        type: "phase-overdue",
        payload: { phase: phase.key, title: phase.title, deadlineMinutes: phase.deadlineMinutes, unchecked: timer.overdueCount },
      });
      await notify({
        ctx,
        input: {
          environment: incident.environment,
          incidentId: incident.id,
          event: "phase-overdue",
          message: incidentMessage(
            "phase-overdue",
            incident,
            `${phase.title}: ${plural(timer.overdueCount, "item")} still open after ${phase.deadlineMinutes} minutes.`,
          ),
        },
      });
      announced++;
    }
  }
  return announced;
}
