import type { SessionUser } from "@/lib/auth/roles";
import type { Db } from "@/lib/db/client";
import type { SystemCtx } from "@/lib/db/ctx";
import { declareIncident } from "@/lib/incidents/declare-incident";
import type { Severity } from "@/lib/incidents/state";

/** The built-in demo's incident, as the demo environment reports it (scripts/lib/demo/demo-environment.ts). */
export interface DemoIncident {
  title: string;
  severity: Severity;
  scope: string;
  startedAt: Date;
  lastKnownGoodAt: Date | null;
}

export type DemoIncidentResult =
  | { declared: true; id: string; declaredBy: string }
  /** One with this title was already there, in whatever status (a closed one stays closed). */
  | { declared: false; id: string }
  /** Nobody could declare it: there is no active admin. */
  | { declared: false; id: null; reason: string };

/**
 * Declares the built-in demo's incident in `environment` once: nothing happens when an incident
 * with exactly its title already exists there. A declaration needs a person, so the earliest
 * active admin declares it (the first admin the run command made). Sequential starts are
 * idempotent; two starts at once on one data folder cannot happen (they would share its ports).
 */
export async function declareDemoIncident({
  ctx,
  input,
}: {
  ctx: SystemCtx & { db: Db };
  input: { environment: string; incident: DemoIncident };
}): Promise<DemoIncidentResult> {
  const { environment, incident } = input;
  const existing = await ctx.db.incident.findFirst({
    where: { environment, title: incident.title },
    orderBy: { declaredAt: "asc" },
    select: { id: true },
  });
  if (existing) return { declared: false, id: existing.id };

  const admin = await ctx.db.user.findFirst({
    where: { role: "admin", disabledAt: null },
    orderBy: { createdAt: "asc" },
    select: { id: true, email: true, name: true, role: true },
  });
  if (!admin) return { declared: false, id: null, reason: "there is no active admin to declare it" };
  const user: SessionUser = admin;

  const { id } = await declareIncident({
    ctx: { db: ctx.db, user, requestId: ctx.requestId },
    input: {
      title: incident.title,
      severity: incident.severity,
      environment,
      scope: incident.scope,
      startedAt: incident.startedAt,
      lastKnownGoodAt: incident.lastKnownGoodAt,
    },
  });
  return { declared: true, id, declaredBy: admin.email };
}
