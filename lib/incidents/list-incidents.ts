import { z } from "zod";
import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import type { Prisma } from "@/lib/generated/prisma/client";
import { incidentSummary, objectivesFor, type IncidentSummary } from "./incident-views";
import { INCIDENT_STATUSES, SEVERITIES } from "./state";

const emptyToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);
const DateOnly = z.preprocess(emptyToUndefined, z.iso.date("must be a date like 2026-11-24").optional());

export const ListIncidentsInput = z
  .object({
    environment: z.preprocess(emptyToUndefined, z.string().max(63).optional()),
    severity: z.preprocess(emptyToUndefined, z.enum(SEVERITIES).optional()),
    /** A status, or "active" for every incident not yet closed. */
    status: z.preprocess(emptyToUndefined, z.enum([...INCIDENT_STATUSES, "active"]).optional()),
    /** Incident start, inclusive dates (UTC). */
    from: DateOnly,
    to: DateOnly,
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(25),
  })
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: "must not be after the end date", path: ["from"] });
export type ListIncidentsInput = z.infer<typeof ListIncidentsInput>;

export interface IncidentList {
  incidents: IncidentSummary[];
  total: number;
  page: number;
  pageCount: number;
}

/** Incident history, newest start first, each with its measured RTO/RPO when a restore is linked. */
export async function listIncidents({ ctx, input }: { ctx: Ctx<SessionUser | null>; input: ListIncidentsInput }): Promise<IncidentList> {
  const startedAt: Prisma.DateTimeFilter = {};
  if (input.from) startedAt.gte = new Date(`${input.from}T00:00:00Z`);
  if (input.to) startedAt.lt = new Date(new Date(`${input.to}T00:00:00Z`).getTime() + 86_400_000);
  const where: Prisma.IncidentWhereInput = {
    ...(input.environment ? { environment: input.environment } : {}),
    ...(input.severity ? { severity: input.severity } : {}),
    ...(input.status === "active" ? { status: { not: "closed" } } : input.status ? { status: input.status } : {}),
    ...(input.from || input.to ? { startedAt } : {}),
  };
  const [total, rows] = await Promise.all([
    ctx.db.incident.count({ where }),
    ctx.db.incident.findMany({
      where,
      orderBy: [{ startedAt: "desc" }, { id: "asc" }],
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
    }),
  ]);
  const objectives = new Map(rows.map((r) => [r.environment, objectivesFor(r.environment)]));
  return {
    incidents: rows.map((row) => incidentSummary(row, objectives.get(row.environment))),
    total,
    page: input.page,
    pageCount: Math.max(1, Math.ceil(total / input.pageSize)),
  };
}
