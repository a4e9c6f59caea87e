import type { Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import type { EvidenceKind } from "@/lib/incidents/record-system-evidence";
import { recordSystemEvidence } from "@/lib/incidents/record-system-evidence";
import type { RecoveryRunInput } from "@/lib/incidents/measure-objectives";
import { recoveryMethodOf } from "../read-plan";

/** A run as the incident's RTO/RPO sees it: when it started, when its data was validated, which point it restored. */
export async function recoveryRunOf(db: Db, runId: string): Promise<RecoveryRunInput | null> {
  const run = await db.restoreRun.findUnique({ where: { id: runId }, include: { steps: { orderBy: { position: "asc" } } } });
  if (!run) return null;
  const validate = run.steps.find((s) => s.name === "validate");
  return {
    runId: run.id,
    method: recoveryMethodOf(run),
    startedAt: run.startedAt ?? run.createdAt,
    validatedAt: run.validationPassed && validate?.finishedAt ? validate.finishedAt : null,
    restorePointAt: run.restorePointAt,
    steps: run.steps.filter((s) => s.startedAt).map((s) => ({ name: s.name, startedAt: s.startedAt as Date, finishedAt: s.finishedAt })),
  };
}

/**
 * Tells the incidents concerned what a restore run did (recordSystemEvidence decides which: the
 * run's own incident, none for a drill, else the environment's open ones), so their checklists
 * tick themselves and their RTO/RPO are measured. Never fails the restore: a problem is logged.
 */
export async function reportRunEvidence(
  db: Db,
  input: { runId: string; environment: string; kind: EvidenceKind; description: string; outcome?: "succeeded" | "failed" },
): Promise<void> {
  try {
    const run = await recoveryRunOf(db, input.runId);
    await recordSystemEvidence({
      ctx: systemCtx(db, input.runId),
      input: {
        environment: input.environment,
        kind: input.kind,
        runId: input.runId,
        href: `/restores/${input.runId}`,
        description: input.description,
        outcome: input.outcome,
        ...(run ? { run } : {}),
      },
    });
  } catch (error) {
    console.error(`[restore ${input.runId}] could not report ${input.kind} to incidents`, error);
  }
}
