import { z } from "zod";
import type { SessionUser } from "@/lib/auth/roles";
import type { ClientCtx } from "@/lib/db/ctx";
import { NotFoundError } from "@/lib/errors";
import { runKindOf } from "./kinds";
import { restoreRunView, type RestoreRunView } from "./restore-run-views";

export const CleanupRestoreInput = z.object({
  runId: z.uuid(),
  /** On a protected environment (always, for a restored server), typed by the person: what is dropped. */
  confirmation: z.string().max(2000).optional(),
});
export type CleanupRestoreInput = z.infer<typeof CleanupRestoreInput>;

export interface CleanupRestoreResult {
  run: RestoreRunView;
  dropped: string[];
}

/** Drops what a finished run left behind, the way its kind does it; `ctx.user` null is the retention sweep. */
export async function cleanupRestore({
  ctx,
  input,
}: {
  ctx: ClientCtx<SessionUser | null>;
  input: CleanupRestoreInput;
}): Promise<CleanupRestoreResult> {
  const run = await ctx.db.restoreRun.findUnique({ where: { id: input.runId }, select: { kind: true } });
  if (!run) throw new NotFoundError("That restore run does not exist.");
  const { dropped } = await runKindOf(run.kind).cleanup({ ctx, input });
  const updated = await ctx.db.restoreRun.findUniqueOrThrow({ where: { id: input.runId }, include: { steps: true } });
  return { run: restoreRunView(updated, updated.steps), dropped };
}
