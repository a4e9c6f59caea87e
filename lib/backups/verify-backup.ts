import { createHash } from "node:crypto";
import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { withTransaction, type SystemCtx } from "@/lib/db/ctx";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { recordSystemEvidence } from "@/lib/incidents/record-system-evidence";
import type { BackupStore } from "@/lib/providers/types";

/** How often a running verification writes its progress (the page polls it). */
const PROGRESS_EVERY_MS = 500;

export type VerificationOutcome = "verified" | "mismatch" | "failed";

/**
 * Streams a backup object through sha256 and compares digest and size with its manifest.
 * Read-only, so it is always safe to run again; progress is persisted as it goes.
 */
export async function verifyBackup({
  ctx,
  input,
}: {
  ctx: SystemCtx;
  input: { verificationId: string; store: BackupStore; signal?: AbortSignal };
}): Promise<VerificationOutcome> {
  const { db } = ctx;
  const verification = await db.backupVerification.findUnique({ where: { id: input.verificationId }, include: { backup: true } });
  if (!verification) throw new NotFoundError(`Verification ${input.verificationId} does not exist.`);
  const claimed = await db.backupVerification.updateMany({
    where: { id: verification.id, status: { in: ["queued", "running"] } },
    data: { status: "running", startedAt: new Date(), progressAt: new Date(), bytesDone: 0n },
  });
  if (claimed.count === 0) throw new ConflictError(`Verification ${verification.id} has already finished.`);

  const hash = createHash("sha256");
  let bytes = 0;
  let lastWrite = Date.now();
  let outcome: VerificationOutcome;
  let actualSha256: string | null = null;
  let error: string | null = null;
  try {
    const stream = await input.store.read(verification.backup.key, { signal: input.signal });
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
      if (Date.now() - lastWrite >= PROGRESS_EVERY_MS) {
        lastWrite = Date.now();
        await db.backupVerification.update({ where: { id: verification.id }, data: { bytesDone: BigInt(bytes), progressAt: new Date() } });
      }
    }
    actualSha256 = hash.digest("hex");
    const expectedSize = verification.expectedSize === null ? null : Number(verification.expectedSize);
    const problems: string[] = [];
    if (actualSha256 !== verification.expectedSha256) {
      problems.push(`the sha256 is ${actualSha256}, the manifest says ${verification.expectedSha256 ?? "nothing"}`);
    }
    if (expectedSize !== null && bytes !== expectedSize) {
      problems.push(`the object is ${bytes} bytes, the manifest says ${expectedSize}${bytes < expectedSize ? " (truncated?)" : ""}`);
    }
    outcome = problems.length === 0 ? "verified" : "mismatch";
    error = problems.length
      ? `Checksum mismatch: ${problems.join("; ")}. Do not restore this backup; pick another one or investigate the upload.`
      : null;
  } catch (readError) {
    outcome = "failed";
    error = input.signal?.aborted
      ? "Interrupted: the worker stopped during verification. Verify again."
      : `Could not read the backup: ${readError instanceof Error ? readError.message : String(readError)}`;
  }

  const finishedAt = new Date();
  await withTransaction(ctx, async ({ db: tx }) => {
    await tx.backupVerification.update({
      where: { id: verification.id },
      data: { status: outcome, actualSha256, bytesDone: BigInt(bytes), finishedAt, progressAt: finishedAt, error },
    });
    // A read failure says nothing about the backup itself, so the catalog keeps its last result.
    if (outcome !== "failed") {
      await tx.backup.update({
        where: { id: verification.backupId },
        data: { verificationState: outcome, verifiedAt: finishedAt, actualSha256 },
      });
    }
    await recordAuditEvent(tx, {
      actor: SYSTEM,
      action: "backup.verify.result",
      outcome: outcome === "verified" ? "ok" : "failed",
      subject: { type: "backup", id: verification.backupId },
      payload: {
        key: verification.backup.key,
        result: outcome,
        actualSha256,
        expectedSha256: verification.expectedSha256,
        bytes,
        requestedBy: verification.requestedByEmail,
      },
      requestId: verification.id,
    });
  });
  if (outcome === "verified")
    await recordSystemEvidence({
      ctx: { ...ctx, requestId: verification.id },
      input: {
        environment: verification.backup.environment,
        kind: "backup-verified",
        href: `/backups/${verification.backupId}`,
        description: `Backup ${verification.backup.name} verified against its manifest`,
        at: finishedAt,
      },
    }).catch((e: unknown) => console.error("[backups] could not tick incident checklists", e));
  return outcome;
}
