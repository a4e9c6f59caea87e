import { getEnvironment, loadConfig } from "@/lib/config/load-config";
import { Objectives } from "@/lib/config/schema";
import { NotFoundError } from "@/lib/errors";
import type { FollowUpAction, Incident, IncidentChecklistItem, IncidentEvent, WebhookDelivery } from "@/lib/generated/prisma/client";
import { AUTO_TICKS, type AutoTick } from "./checklist";
import { measureObjectives, RecoveryRun, type Measurement } from "./measure-objectives";
import type { IncidentStatus, Severity } from "./state";

// What the pages and the API see of an incident: plain JSON (ISO strings, no bigint).

export interface EvidenceView {
  kind: string;
  href: string;
  description: string;
}

export interface ChecklistItemView {
  id: string;
  phaseKey: string;
  position: number;
  text: string;
  autoTick: AutoTick | null;
  checkedAt: string | null;
  /** A person's email, or "system". */
  checkedByEmail: string | null;
  note: string | null;
  evidence: EvidenceView | null;
  version: number;
}

export interface PhaseView {
  key: string;
  title: string;
  deadlineMinutes: number | null;
  items: ChecklistItemView[];
}

export interface IncidentEventView {
  id: string;
  at: string;
  actorEmail: string;
  type: string;
  payload: Record<string, unknown>;
}

export interface FollowUpView {
  id: string;
  text: string;
  owner: string;
  dueAt: string | null;
  doneAt: string | null;
}

export interface WebhookDeliveryView {
  id: string;
  event: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
}

export interface IncidentSummary {
  id: string;
  title: string;
  severity: Severity;
  environment: string;
  scope: string;
  status: IncidentStatus;
  startedAt: string;
  declaredAt: string;
  declaredByEmail: string;
  lastKnownGoodAt: string | null;
  recoveredAt: string | null;
  closedAt: string | null;
  /** RTO/RPO achieved against the environment's objectives; null until a restore is linked. */
  measurement: Measurement | null;
}

export interface IncidentDetail extends IncidentSummary {
  template: { id: string; name: string; version: number };
  createdFromRunId: string | null;
  wentWell: string | null;
  wentBadly: string | null;
  lessons: string | null;
  objectives: Objectives;
  phases: PhaseView[];
  events: IncidentEventView[];
  followUps: FollowUpView[];
  deliveries: WebhookDeliveryView[];
}

export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** The environment's objectives; the runbook's defaults for an environment no longer configured. */
export function objectivesFor(environment: string): Objectives {
  try {
    return getEnvironment(loadConfig().config, environment).objectives;
  } catch (error) {
    if (error instanceof NotFoundError) return Objectives.parse({});
    throw error;
  }
}

function measurementOf(incident: Incident, objectives: Objectives): Measurement | null {
  const run = RecoveryRun.safeParse(incident.recoveryRun);
  if (!run.success) return null;
  return measureObjectives({ objectives, incident, run: run.data });
}

export function incidentSummary(incident: Incident, objectives = objectivesFor(incident.environment)): IncidentSummary {
  return {
    id: incident.id,
    title: incident.title,
    severity: incident.severity as Severity,
    environment: incident.environment,
    scope: incident.scope,
    status: incident.status as IncidentStatus,
    startedAt: incident.startedAt.toISOString(),
    declaredAt: incident.declaredAt.toISOString(),
    declaredByEmail: incident.declaredByEmail,
    lastKnownGoodAt: iso(incident.lastKnownGoodAt),
    recoveredAt: iso(incident.recoveredAt),
    closedAt: iso(incident.closedAt),
    measurement: measurementOf(incident, objectives),
  };
}

function evidenceView(value: unknown): EvidenceView | null {
  const record = asRecord(value);
  const { kind, href, description } = record;
  return typeof kind === "string" && typeof href === "string"
    ? { kind, href, description: typeof description === "string" ? description : "" }
    : null;
}

export function checklistItemView(item: IncidentChecklistItem): ChecklistItemView {
  return {
    id: item.id,
    phaseKey: item.phaseKey,
    position: item.position,
    text: item.text,
    autoTick: (AUTO_TICKS as readonly string[]).includes(item.autoTick ?? "") ? (item.autoTick as AutoTick) : null,
    checkedAt: iso(item.checkedAt),
    checkedByEmail: item.checkedByEmail,
    note: item.note,
    evidence: evidenceView(item.evidence),
    version: item.version,
  };
}

export function incidentEventView(event: IncidentEvent): IncidentEventView {
  return {
    id: event.id.toString(),
    at: event.at.toISOString(),
    actorEmail: event.actorEmail,
    type: event.type,
    payload: asRecord(event.payload),
  };
}

export function followUpView(action: FollowUpAction): FollowUpView {
  return { id: action.id, text: action.text, owner: action.owner, dueAt: iso(action.dueAt), doneAt: iso(action.doneAt) };
}

export function webhookDeliveryView(delivery: WebhookDelivery): WebhookDeliveryView {
  return {
    id: delivery.id,
    event: delivery.event,
    status: delivery.status as WebhookDeliveryView["status"],
    attempts: delivery.attempts,
    lastError: delivery.lastError,
    createdAt: delivery.createdAt.toISOString(),
    lastAttemptAt: iso(delivery.lastAttemptAt),
    deliveredAt: iso(delivery.deliveredAt),
  };
}
