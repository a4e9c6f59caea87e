import { Prisma } from "@/lib/generated/prisma/client";
import { objectivesFor } from "@/lib/incidents/incident-views";
import { measureObjectives, RecoveryRun, type Measurement } from "@/lib/incidents/measure-objectives";
import { recoveryRunOf } from "./engine/report-run-evidence";
import type { SessionUser } from "@/lib/auth/roles";
import type { ClientCtx } from "@/lib/db/ctx";

export interface RecoveryMeasurement {
  kind: "incident" | "run";
  id: string;
  label: string;
  environment: string;
  at: string;
  href: string;
  measurement: Measurement;
}

/**
 * What was achieved against the objectives over the last incidents and validated restores:
 * incidents are measured from their start, runs on their own from theirs.
 */
export async function listRecoveryMeasurements({
  ctx,
  input,
}: {
  ctx: ClientCtx<SessionUser | null>;
  input: { limit?: number };
}): Promise<RecoveryMeasurement[]> {
  const limit = input.limit ?? 10;
  const [incidents, runs] = await Promise.all([
    ctx.db.incident.findMany({ where: { recoveryRun: { not: Prisma.DbNull } }, orderBy: { startedAt: "desc" }, take: limit }),
    ctx.db.restoreRun.findMany({
      // Restores that stand (not rolled back or cancelled); drills are measured on the Drills page.
      where: { validationPassed: true, status: "succeeded", kind: { not: "drill" } },
      orderBy: { createdAt: "desc" },
      take: limit,
      select: { id: true, environment: true, createdAt: true, targetName: true, kind: true },
    }),
  ]);
  const measured: RecoveryMeasurement[] = [];
  for (const incident of incidents) {
    const run = RecoveryRun.safeParse(incident.recoveryRun);
    if (!run.success) continue;
    measured.push({
      kind: "incident",
      id: incident.id,
      label: incident.title,
      environment: incident.environment,
      at: incident.startedAt.toISOString(),
      href: `/incidents/${incident.id}`,
      measurement: measureObjectives({ objectives: objectivesFor(incident.environment), incident, run: run.data }),
    });
  }
  for (const row of runs) {
    const run = await recoveryRunOf(ctx.db, row.id);
    if (!run) continue;
    measured.push({
      kind: "run",
      id: row.id,
      label: row.kind === "pitr" ? `PITR restore of ${row.environment}` : `Logical restore into ${row.targetName}`,
      environment: row.environment,
      at: row.createdAt.toISOString(),
      href: `/restores/${row.id}`,
      measurement: measureObjectives({ objectives: objectivesFor(row.environment), run }),
    });
  }
  return measured.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}
