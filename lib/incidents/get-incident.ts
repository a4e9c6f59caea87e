import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { NotFoundError } from "@/lib/errors";
import { ChecklistPhases } from "./checklist";
import {
  checklistItemView,
  followUpView,
  incidentEventView,
  incidentSummary,
  objectivesFor,
  webhookDeliveryView,
  type IncidentDetail,
  type PhaseView,
} from "./incident-views";

/** How many recent webhook deliveries the incident page lists. */
const DELIVERIES_SHOWN = 20;

/**
 * Everything the incident page shows: checklist by phase, timeline, review, deliveries, RTO/RPO.
 */
export async function getIncident({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { incidentId: string };
}): Promise<IncidentDetail> {
  const incident = await ctx.db.incident.findUnique({
    where: { id: input.incidentId },
    include: {
      checklistTemplate: true,
      items: { orderBy: [{ phaseKey: "asc" }, { position: "asc" }] },
      events: { orderBy: [{ at: "asc" }, { id: "asc" }] },
      followUps: { orderBy: [{ position: "asc" }, { createdAt: "asc" }] },
      webhookDeliveries: { orderBy: { createdAt: "desc" }, take: DELIVERIES_SHOWN },
    },
  });
  if (!incident) throw new NotFoundError("That incident does not exist.");

  // Template rows are never edited, so the incident's version still describes its phases.
  const template = ChecklistPhases.safeParse(incident.checklistTemplate.phases);
  const phaseTemplates = template.success ? template.data : [];
  const items = incident.items.map(checklistItemView);
  const phases: PhaseView[] = phaseTemplates.map((phase) => ({
    key: phase.key,
    title: phase.title,
    deadlineMinutes: phase.deadlineMinutes,
    items: items.filter((item) => item.phaseKey === phase.key),
  }));
  const known = new Set(phases.map((p) => p.key));
  for (const item of items.filter((i) => !known.has(i.phaseKey))) {
    known.add(item.phaseKey);
    phases.push({
      key: item.phaseKey,
      title: item.phaseKey,
      deadlineMinutes: null,
      items: items.filter((i) => i.phaseKey === item.phaseKey),
    });
  }

  const objectives = objectivesFor(incident.environment);
  return {
    ...incidentSummary(incident, objectives),
    template: { id: incident.checklistTemplate.id, name: incident.checklistTemplate.name, version: incident.templateVersion },
    createdFromRunId: incident.createdFromRunId,
    wentWell: incident.wentWell,
    wentBadly: incident.wentBadly,
    lessons: incident.lessons,
    objectives,
    phases,
    events: incident.events.map(incidentEventView),
    followUps: incident.followUps.map(followUpView),
    deliveries: incident.webhookDeliveries.map(webhookDeliveryView),
  };
}
