import { randomUUID } from "node:crypto";
import { activePitrRun, type ActivePitrRun } from "./pitr-environment-state";
import { buildPitrPlan, recoveryPointOf, type PitrRestorePlan } from "./plan";
import { PitrRestoreChoice, resolvePitrRestore } from "./choice";
import { BUILTIN_CHECKS } from "../validation/builtin-checks";
import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";

export const PlanPitrRestoreInput = PitrRestoreChoice;
export type PlanPitrRestoreInput = PitrRestoreChoice;

export interface PitrRestorePreview {
  plan: PitrRestorePlan;
  /** The PITR run holding the environment right now, if any: starting would be refused with 409. */
  activeRun: ActivePitrRun | null;
  /** Preflight passed and no other PITR run holds the environment. */
  canStart: boolean;
}

/**
 * The plan a person reads before anything runs: the target checked against a fresh window, the
 * predicted data loss, the steps, the cutover checklist, and the provider's preflight run now,
 * changing nothing.
 */
export async function planPitrRestore({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: PlanPitrRestoreInput;
}): Promise<PitrRestorePreview> {
  const { environment, source, provider, dr, window, incident } = await resolvePitrRestore(ctx.db, input);
  // The real run gets its own id; the preview's identifiers show the pattern.
  const draftRunId = randomUUID();
  const [preflight, activeRun] = await Promise.all([
    provider.preflight(draftRunId, recoveryPointOf(input.target)),
    activePitrRun(ctx.db, environment.name),
  ]);
  const plan = buildPitrPlan({
    environment: { name: environment.name, protected: environment.protected },
    source,
    providerKind: provider.kind,
    identifiers: provider.resourceIdentifiers(draftRunId),
    choice: input.target,
    dr,
    window,
    incident,
    now: new Date(),
    configuredChecks: environment.validation.checks.length,
    builtinChecks: BUILTIN_CHECKS.length,
    preflight,
  });
  return { plan, activeRun, canStart: preflight.ok && activeRun === null };
}
