import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { Db } from "@/lib/db/client";
import type { RestoreRun, RestoreStep } from "@/lib/generated/prisma/client";
import { appendRunEvent } from "../engine/events";
import type { LapsedOutcome } from "../engine/kind";
import { awaitPerson, finishRun } from "../engine/settlement";
import { ADVICE } from "../engine/troubleshooting";
import { adminTargetForRun } from "../restore-target";
import { dropScratch, inspectSwap } from "./steps";

// What the sweeper does with a logical run whose worker died in a step that cannot simply resume.

export const INTERRUPTED_MESSAGE =
  "The worker stopped during the restore; the target was not touched and the partial scratch database was dropped. Start the restore again.";

/** Dead during the restore: streaming cannot resume, so the partial scratch is dropped and the run ends interrupted. */
async function interrupt(db: Db, run: RestoreRun, step: RestoreStep, owner: string): Promise<LapsedOutcome> {
  let note = "";
  try {
    await dropScratch({ db, admin: await adminTargetForRun(run), run });
  } catch (error) {
    note = ` The scratch database ${run.scratchDatabase} could not be dropped (${error instanceof Error ? error.message : String(error)}); use Clean up.`;
  }
  await db.restoreStep.update({ where: { id: step.id }, data: { status: "failed", finishedAt: new Date(), error: INTERRUPTED_MESSAGE } });
  await appendRunEvent(db, run.id, "sweeper", { action: "interrupted", step: step.name });
  await finishRun(db, run, owner, {
    to: "interrupted",
    data: { error: INTERRUPTED_MESSAGE + note, troubleshooting: ADVICE.interrupted },
    action: "restore.interrupted",
    payload: { step: step.name, reason: "lease expired", scratchDatabase: run.scratchDatabase },
  });
  return "interrupted";
}

/**
 * Dead during the swap: the renames are one transaction, so the databases say exactly where it
 * stands. Done → the run succeeded. Not done → nothing changed: back to awaiting-swap for a fresh
 * confirmation (sessions may differ by now). Neither → a person must look; nothing is dropped.
 */
async function resolveSwap(db: Db, run: RestoreRun, step: RestoreStep, owner: string): Promise<LapsedOutcome> {
  const { state } = await inspectSwap(await adminTargetForRun(run), {
    live: run.targetDatabase,
    scratch: run.scratchDatabase,
    previous: run.previousDatabase,
  });
  await appendRunEvent(db, run.id, "sweeper", { action: "swap-inspected", state });
  if (state === "done") {
    await db.restoreStep.update({
      where: { id: step.id },
      data: { status: "succeeded", finishedAt: new Date(), output: { previousDatabase: run.previousDatabase, resolvedBySweeper: true } },
    });
    await finishRun(db, run, owner, {
      to: "succeeded",
      data: { error: null },
      action: "restore.succeeded",
      payload: { resolvedBySweeper: true },
    });
    return "succeeded";
  }
  if (state === "ready") {
    const message = `The worker stopped before the swap completed; nothing was changed (${run.targetDatabase} is as it was, the restored copy is ${run.scratchDatabase}). Confirm the swap again.`;
    await db.$transaction(async (tx) => {
      await tx.restoreStep.update({ where: { id: step.id }, data: { status: "pending", startedAt: null, error: message } });
      await awaitPerson(tx, run.id, owner, { forgetConfirmation: true, error: message });
      await recordAuditEvent(tx, {
        actor: SYSTEM,
        action: "restore.swap.reverted",
        subject: { type: "restore-run", id: run.id },
        payload: { environment: run.environment, target: run.targetName, message },
        requestId: run.id,
      });
    });
    return "awaiting-swap";
  }
  const message = `The worker stopped during the swap and neither ${run.scratchDatabase} nor ${run.previousDatabase ?? "a before-restore database"} is where it should be. Nothing was dropped; check the databases on the server.`;
  await db.restoreStep.update({ where: { id: step.id }, data: { status: "failed", finishedAt: new Date(), error: message } });
  await finishRun(db, run, owner, {
    to: "failed",
    data: { error: message },
    action: "restore.failed",
    payload: { step: "swap", reason: "lease expired" },
  });
  return "failed";
}

/** A running restore step is interrupted, a running swap resolved by inspection; anything else resumes (null). */
export async function settleLapsedLogicalRun(db: Db, run: RestoreRun, step: RestoreStep, owner: string): Promise<LapsedOutcome | null> {
  if (step.status !== "running") return null;
  if (step.name === "restore") return interrupt(db, run, step, owner);
  if (step.name === "swap") return resolveSwap(db, run, step, owner);
  return null;
}
