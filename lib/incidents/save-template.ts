import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { ConflictError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { ChecklistPhases } from "./checklist";

export const SaveTemplateInput = z.object({
  /** Defaults to the current template's name: a new version of the same checklist. */
  name: z.string().trim().min(1).max(100).optional(),
  phases: ChecklistPhases,
  /** The version the admin edited: saving over a newer one is refused rather than silently dropping it. */
  basedOnVersion: z.int().min(1).optional(),
});
export type SaveTemplateInput = z.input<typeof SaveTemplateInput>;

/**
 * Saves the checklist as a NEW version and makes it current. Existing rows are never edited,
 * so incidents keep the version they were declared with.
 */
export async function saveTemplate({
  ctx,
  input: raw,
}: {
  ctx: Ctx;
  input: SaveTemplateInput;
}): Promise<{ id: string; name: string; version: number }> {
  const input = SaveTemplateInput.parse(raw);
  try {
    return await withTransaction(ctx, async ({ db: tx }) => {
      const current = await tx.checklistTemplate.findFirst({ where: { isCurrent: true }, orderBy: { createdAt: "desc" } });
      const name = input.name ?? current?.name ?? "Emergency Recovery Checklist";
      if (input.basedOnVersion !== undefined && current && (current.name !== name || current.version !== input.basedOnVersion)) {
        throw new ConflictError(`Someone saved version ${current.version} of the checklist meanwhile. Reload to edit the latest version.`);
      }
      const latest = await tx.checklistTemplate.findFirst({ where: { name }, orderBy: { version: "desc" } });
      const version = (latest?.version ?? 0) + 1;
      await tx.checklistTemplate.updateMany({ where: { isCurrent: true }, data: { isCurrent: false } });
      // Two admins saving at once both compute the same version: the unique (name, version) refuses the second.
      const created = await tx.checklistTemplate.create({
        data: { name, version, phases: input.phases, createdBy: ctx.user.email, isCurrent: true },
      });
      await recordAuditEvent(tx, {
        actor: ctx.user,
        action: "incident.template.save",
        subject: { type: "checklist-template", id: created.id },
        payload: {
          name,
          version,
          phases: input.phases.map((p) => ({ key: p.key, items: p.items.length, deadlineMinutes: p.deadlineMinutes })),
        },
        requestId: ctx.requestId,
      });
      return { id: created.id, name, version };
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new ConflictError("Someone saved the checklist at the same moment. Reload to see their version, then save yours again.");
    }
    throw error;
  }
}
