import { BadRequestError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { dropDatabase } from "@/lib/providers/postgres/admin";
import { dropLoaderRole } from "@/lib/providers/postgres/loader-role";
import { appendRunEvent } from "../engine/events";
import { countRows } from "@/lib/providers/postgres/count-rows";
import { untilAborted, type FailureWithOutput } from "../engine/step-runner";
import type { PitrStepContext } from "../pitr/steps";
import type { DrillRowCount } from "./drill-model";
import { validateStep, type StepContext } from "../logical/steps";

/** What a drill's steps run with: the context of the restore it performs. */
export type DrillContext = { method: "logical"; c: StepContext } | { method: "pitr"; c: PitrStepContext };

// A drill's own step bodies; its preflight and restore are the logical restore's, unchanged.

export class DrillValidationFailedError extends BadRequestError implements FailureWithOutput {
  readonly failure = "validation-failed";
  constructor(
    problems: readonly string[],
    readonly stepOutput: Prisma.InputJsonValue,
  ) {
    super(`Validation of the restored copy failed: ${problems.join("; ")}. The results are kept on this drill; the copy is dropped.`);
  }
}

/** Every table the manifest counts, counted in the copy: the drill's proof that no row was lost. */
async function rowCountsAgainstManifest(c: StepContext): Promise<DrillRowCount[]> {
  const manifest = c.plan.source.manifestTables;
  if (!manifest) return [];
  const tables = Object.keys(manifest).sort();
  const counted = await countRows(c.admin, c.run.scratchDatabase, tables);
  return tables.map((table) => ({ table, manifest: manifest[table] ?? 0, restored: counted.get(table) ?? null }));
}

/**
 * The logical validation plus an exact count of every table the manifest records. A blocking
 * failure or a count that differs fails the drill (nobody waits for a person in a drill).
 */
export async function drillValidateStep(c: StepContext, signal: AbortSignal): Promise<Prisma.InputJsonValue> {
  const validation = (await validateStep(c, signal)) as { passed: boolean; failed: string[]; checks: number; warnings: string[] };
  const rowCounts = await untilAborted(rowCountsAgainstManifest(c), signal);
  const differing = rowCounts.filter((row) => row.restored !== row.manifest);
  const output = { ...validation, rowCounts: rowCounts.map((row) => ({ ...row })) };
  const problems = [
    ...(validation.failed.length > 0 ? [`failed checks ${validation.failed.join(", ")}`] : []),
    ...(differing.length > 0
      ? [
          `row counts differ from the manifest in ${differing
            .slice(0, 5)
            .map((row) => `${row.table} (${row.restored ?? "missing"} restored, ${row.manifest} in the manifest)`)
            .join(", ")}${differing.length > 5 ? ` and ${differing.length - 5} more` : ""}`,
        ]
      : []),
  ];
  if (problems.length > 0) throw new DrillValidationFailedError(problems, output);
  return output;
}

/** The drill's copy and its loader role, gone. Safe to repeat: what is gone is skipped. */
async function dropCopy(c: StepContext): Promise<void> {
  await dropDatabase(c.admin, c.run.scratchDatabase, { force: true });
  await dropLoaderRole(c.admin, c.run.id);
}

export async function drillDropStep(c: StepContext): Promise<Prisma.InputJsonValue> {
  await dropCopy(c);
  await appendRunEvent(c.db, c.run.id, "message", { line: `Dropped the drill's copy ${c.run.scratchDatabase}.` });
  return { dropped: [c.run.scratchDatabase] };
}

/** A PITR drill's restored server (writer before cluster), deleted without a final snapshot. */
async function deleteRestoredServer(c: PitrStepContext, signal?: AbortSignal): Promise<string[]> {
  const { deleted } = await c.provider.cleanup(
    c.run.id,
    { finalSnapshot: false },
    { ...(signal ? { signal } : {}), log: (line) => c.messages.add(line) },
  );
  return deleted;
}

export async function pitrDrillDropStep(c: PitrStepContext, signal: AbortSignal): Promise<Prisma.InputJsonValue> {
  const deleted = await deleteRestoredServer(c, signal);
  await appendRunEvent(c.db, c.run.id, "message", {
    line: `Deleted what the drill restored: ${deleted.join(", ") || "nothing was left"}.`,
  });
  return { dropped: deleted };
}

/**
 * After a drill stopped early what it restored goes too, and its drop step says so (succeeded,
 * or failed with the reason, for Clean up once the server is reachable).
 */
export async function dropAfterStop(context: DrillContext): Promise<void> {
  const { db, run } = context.c;
  const startedAt = new Date();
  let dropped: string[] = [];
  let error: string | null = null;
  try {
    if (context.method === "logical") {
      await dropCopy(context.c);
      dropped = [run.scratchDatabase];
    } else {
      dropped = await deleteRestoredServer(context.c);
      await context.c.messages.flush();
    }
  } catch (dropError) {
    error = `${run.scratchDatabase} could not be deleted (${dropError instanceof Error ? dropError.message : String(dropError)}). Use Clean up on this run once the server is reachable.`;
  }
  await db.restoreStep.updateMany({
    where: { runId: run.id, name: "drop" },
    data: {
      status: error ? "failed" : "succeeded",
      startedAt,
      finishedAt: new Date(),
      output: error ? undefined : { dropped, afterStop: true },
      error,
    },
  });
  await appendRunEvent(db, run.id, "message", {
    line: error
      ? `The drill stopped, and ${error}`
      : `The drill stopped; what it restored was deleted (${dropped.join(", ") || "nothing was left"}).`,
  });
}
