import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { BadRequestError, NotFoundError } from "@/lib/errors";

export const GrantRestoreOverrideInput = z.object({ reason: z.string().trim().min(10, "say why, in at least 10 characters").max(2000) });

/** An admin allows restoring a backup that has no valid manifest; the reason is kept and audited. */
export async function grantRestoreOverride({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: { backupId: string; reason: string };
}): Promise<{ id: string }> {
  return withTransaction(ctx, async ({ db: tx }) => {
    const backup = await tx.backup.findUnique({ where: { id: input.backupId } });
    if (!backup) throw new NotFoundError("That backup is not in the catalog.");
    if (backup.manifestState === "present") throw new BadRequestError("This backup has a valid manifest; it needs no override.");
    if (backup.verificationState === "mismatch") throw new BadRequestError("A backup whose checksum does not match cannot be allowed.");
    const override = await tx.backupRestoreOverride.create({
      data: { backupId: backup.id, reason: input.reason, grantedById: ctx.user.id, grantedByEmail: ctx.user.email },
    });
    await recordAuditEvent(tx, {
      actor: ctx.user,
      action: "backup.restore_override",
      subject: { type: "backup", id: backup.id },
      payload: { key: backup.key, reason: input.reason, manifestState: backup.manifestState },
      requestId: ctx.requestId,
    });
    return { id: override.id };
  });
}
