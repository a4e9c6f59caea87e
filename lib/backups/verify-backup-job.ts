import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { defineJob } from "@/lib/jobs/define-job";
import { backupStoreFor } from "./store-for-environment";
import { verifyBackup } from "./verify-backup";
export const verifyBackupJob = defineJob({
  queue: "backup-verify",
  input: z.object({ verificationId: z.uuid(), environment: z.string() }),
  // Read-only and restartable from the person's side; a retry would only hide a failure.
  options: { retryLimit: 0, expireInSeconds: 6 * 60 * 60 },
  async run(input, { jobId, signal }) {
    const store = await backupStoreFor(resolveEnvironment(input.environment));
    await verifyBackup({ ctx: systemCtx(getDb(), jobId), input: { verificationId: input.verificationId, store, signal } });
  },
});
