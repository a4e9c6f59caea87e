import type { RunKindDefinition } from "./engine/kind";
import { drillKind } from "./drill/kind";
import { logicalKind } from "./logical/kind";
import { pitrKind } from "./pitr/kind";

// Every kind of run the engine runs. A new kind is a folder with its definition, and one line here.
export const RUN_KINDS = {
  logical: logicalKind,
  pitr: pitrKind,
  drill: drillKind,
} as const;

export type RunKind = keyof typeof RUN_KINDS;

/** The definition of a stored run's kind; an unknown kind is an error, never a guess. */
export function runKindOf(kind: string): RunKindDefinition<unknown, unknown> {
  if (!(kind in RUN_KINDS))
    throw new Error(`Unknown kind of run: ${kind}. This version of Restore Console runs ${Object.keys(RUN_KINDS).join(", ")}.`);
  return RUN_KINDS[kind as RunKind] as unknown as RunKindDefinition<unknown, unknown>;
}
