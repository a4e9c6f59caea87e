import { ConfigurationError } from "@/lib/errors";
import type { RestoreRun } from "@/lib/generated/prisma/client";
import type { RunKindDefinition } from "./kind";

/**
 * A run's stored plan, parsed by its kind's schema (which reads every version this code knows):
 * never a cast, so a plan this code cannot read is a clear error, not a wrong field at a swap.
 */
export function readStoredPlan<P>(run: Pick<RestoreRun, "id" | "kind" | "plan">, kind: Pick<RunKindDefinition<P>, "kind" | "plan">): P {
  if (run.kind !== kind.kind) throw new Error(`Run ${run.id} is a ${run.kind} run, not ${kind.kind}.`);
  const parsed = kind.plan.safeParse(run.plan);
  if (parsed.success) return parsed.data;
  const problem = parsed.error.issues[0];
  const where = problem?.path.length ? problem.path.join(".") : "the plan";
  throw new ConfigurationError(
    `The stored plan of run ${run.id} cannot be read by this version of Restore Console (${where}: ${problem?.message ?? "unreadable"}). ` +
      "Nothing was changed; start a new restore, or run the version that made the plan.",
  );
}
