import { z } from "zod";
import type { EnvironmentConfig, PitrSource } from "@/lib/config/schema";
import type { DbOrTx } from "@/lib/db/client";
import { createPitrProviderFor } from "@/lib/providers/create-pitr-provider-for";
import { RestoreWindowError, type PitrProvider } from "@/lib/providers/pitr";
import { resolvePitrEnvironment } from "@/lib/config/resolve-pitr-environment";
import { findRunIncident } from "../run-incident";
import { PitrTargetChoice, pitrWindowProblem, pitrWindowView, type PitrIncidentView, type PitrWindowView } from "./plan";

export const PitrRestoreChoice = z.object({
  /** Defaults to the default environment. */
  environment: z.string().min(1).max(63).optional(),
  target: PitrTargetChoice,
  /** The incident this restore answers: its start and last-known-good time frame the data loss. */
  incidentId: z.uuid().optional(),
});
export type PitrRestoreChoice = z.infer<typeof PitrRestoreChoice>;

export interface ResolvedPitrRestore {
  environment: EnvironmentConfig;
  source: PitrSource;
  provider: PitrProvider;
  /** Described just now, never taken from the caller. */
  window: PitrWindowView;
  incident: PitrIncidentView | null;
}

/**
 * The environment, provider and incident of a PITR choice, with the target checked against a
 * window described afresh: a time outside it is a RestoreWindowError (400) before anything is
 * planned or started, whatever the page said.
 */
export async function resolvePitrRestore(db: DbOrTx, choice: PitrRestoreChoice): Promise<ResolvedPitrRestore> {
  const { environment, source } = resolvePitrEnvironment(choice.environment);
  const incident = await findRunIncident(db, choice.incidentId, environment.name);
  const provider = createPitrProviderFor(source);
  const window = pitrWindowView(await provider.describeWindow());
  const problem = pitrWindowProblem(window, choice.target);
  if (problem) throw new RestoreWindowError(problem, { details: { window } });
  return { environment, source, provider, window, incident };
}
