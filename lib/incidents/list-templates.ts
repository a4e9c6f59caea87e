import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { ChecklistPhases, type ChecklistPhaseTemplate } from "./checklist";

export interface ChecklistTemplateView {
  id: string;
  name: string;
  version: number;
  phases: ChecklistPhaseTemplate[];
  createdBy: string;
  createdAt: string;
  isCurrent: boolean;
  /** How many incidents ran with this version. */
  incidentCount: number;
}

/** Every version of the checklist, newest first; the current one is what new incidents get. */
export async function listTemplates({ ctx }: { ctx: Ctx<SessionUser | null> }): Promise<ChecklistTemplateView[]> {
  const rows = await ctx.db.checklistTemplate.findMany({
    orderBy: [{ createdAt: "desc" }, { version: "desc" }],
    include: { _count: { select: { incidents: true } } },
  });
  return rows.map((row) => {
    const phases = ChecklistPhases.safeParse(row.phases);
    return {
      id: row.id,
      name: row.name,
      version: row.version,
      phases: phases.success ? phases.data : [],
      createdBy: row.createdBy,
      createdAt: row.createdAt.toISOString(),
      isCurrent: row.isCurrent,
      incidentCount: row._count.incidents,
    };
  });
}
