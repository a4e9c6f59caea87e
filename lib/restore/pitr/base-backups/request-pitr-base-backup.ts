import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { Ctx } from "@/lib/db/ctx";
import { enqueueJob } from "@/lib/jobs/enqueue-job";
import { pitrBaseBackupJob } from "./pitr-base-backup-job";
import { localPitrSourceOf } from "./take-pitr-base-backup";

export const RequestPitrBaseBackupInput = z.object({ environment: z.string().min(1).max(63).optional() });
export type RequestPitrBaseBackupInput = z.infer<typeof RequestPitrBaseBackupInput>;

/** Asks the worker for a base backup of a local PITR source now (pg_basebackup can take a while). */
export async function requestPitrBaseBackup({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: RequestPitrBaseBackupInput;
}): Promise<{ environment: string; queued: true }> {
  const { name } = localPitrSourceOf(input.environment);
  await enqueueJob(pitrBaseBackupJob, { environment: name });
  await recordAuditEvent(ctx.db, {
    actor: ctx.user,
    action: "pitr.base-backup.request",
    subject: { type: "environment", id: name },
    requestId: ctx.requestId,
  });
  return { environment: name, queued: true };
}
