import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { SessionUser } from "@/lib/auth/roles";
import type { Db } from "@/lib/db/client";
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
  ctx: { db: Db; user: SessionUser; requestId: string };
  input: RequestPitrBaseBackupInput;
}): Promise<{ environment: string; queued: true }> {
  const { name } = localPitrSourceOf(input.environment);
  await enqueueJob(pitrBaseBackupJob, { environment: name });
  await recordAuditEvent(ctx.db, {
    actor: { id: ctx.user.id, email: ctx.user.email },
    action: "pitr.base-backup.request",
    subject: { type: "environment", id: name },
    requestId: ctx.requestId,
  });
  return { environment: name, queued: true };
}
