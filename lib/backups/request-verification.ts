import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { SessionUser } from "@/lib/auth/roles";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { BadRequestError, ConflictError, NotFoundError } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/enqueue-job";
import { isActive, verificationView, type VerificationView } from "./backup-views";
import { verifyBackupJob } from "./verify-backup-job";

/**
 * Starts verifying a backup against its manifest, or returns the verification already under way
 * (asking twice never hashes the same object twice at once).
 */
export async function requestVerification({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { backupId: string };
}): Promise<VerificationView> {
  const backup = await ctx.db.backup.findUnique({ where: { id: input.backupId } });
  if (!backup) throw new NotFoundError("That backup is not in the catalog. Refresh the catalog and try again.");
  if (backup.removedAt) throw new ConflictError("That backup is no longer in the store, so it cannot be verified.");
  if (!backup.expectedSha256) {
    throw new BadRequestError(
      `This backup cannot be verified: its manifest is ${backup.manifestState.replaceAll("-", " ")}. There is no checksum to compare against.`,
    );
  }
  const latest = await ctx.db.backupVerification.findFirst({ where: { backupId: backup.id }, orderBy: { createdAt: "desc" } });
  if (latest && isActive(verificationView(latest))) return verificationView(latest);

  const actor = actorOf(ctx);
  const verification = await withTransaction(ctx, async ({ db: tx }) => {
    const created = await tx.backupVerification.create({
      data: {
        backupId: backup.id,
        status: "queued",
        expectedSha256: backup.expectedSha256,
        expectedSize: (backup.manifest as { size?: number } | null)?.size ?? null,
        bytesTotal: backup.size,
        requestedById: actor.id,
        requestedByEmail: actor.email,
      },
    });
    await recordAuditEvent(tx, {
      actor,
      action: "backup.verify.request",
      subject: { type: "backup", id: backup.id },
      payload: { key: backup.key, environment: backup.environment, verificationId: created.id },
      requestId: ctx.requestId,
    });
    return created;
  });
  await enqueueJob(verifyBackupJob, { verificationId: verification.id, environment: backup.environment });
  return verificationView(verification);
}
