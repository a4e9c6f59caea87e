import { z } from "zod";
import type { EnvironmentConfig, PitrSource } from "@/lib/config/schema";
import type { DbOrTx } from "@/lib/db/client";
import { BadRequestError } from "@/lib/errors";
import { createPitrProviderFor } from "@/lib/providers/create-pitr-provider-for";
import { RestoreWindowError, type PitrProvider } from "@/lib/providers/pitr";
import { resolvePitrEnvironment } from "@/lib/config/resolve-pitr-environment";
import { findRunIncident } from "../run-incident";
import { globalDatabaseOf, pitrDrOf, PitrRegion, type PitrDrView } from "./dr";
import { PitrTargetChoice, pitrWindowProblem, pitrWindowView, type PitrIncidentView, type PitrWindowView } from "./plan";

export const PitrRestoreChoice = z.object({
  /** Defaults to the default environment. */
  environment: z.string().min(1).max(63).optional(),
  /** Where to restore: the source's own region (the default) or its DR region. */
  region: PitrRegion.optional(),
  target: PitrTargetChoice,
  /** The incident this restore answers: its start and last-known-good time frame the data loss. */
  incidentId: z.uuid().optional(),
});
export type PitrRestoreChoice = z.infer<typeof PitrRestoreChoice>;

export interface ResolvedPitrRestore {
  environment: EnvironmentConfig;
  source: PitrSource;
  provider: PitrProvider;
  /** Set when restoring in the DR region. */
  dr: PitrDrView | null;
  /** Described just now, never taken from the caller. */
  window: PitrWindowView;
  incident: PitrIncidentView | null;
}

/**
 * The provider for a request in `region`. Asking for the DR region of an AWS source that has
 * none to restore from is the caller's mistake (400), said with what the configuration offers;
 * a local source is refused by createPitrProviderFor.
 */
export function pitrProviderIn(
  environment: EnvironmentConfig,
  source: PitrSource,
  region: PitrRegion,
): { provider: PitrProvider; dr: PitrDrView | null } {
  const dr = region === "dr" ? pitrDrOf(source) : null;
  if (region === "dr" && !dr && source.provider === "aws") {
    const global = globalDatabaseOf(source);
    throw new BadRequestError(
      global
        ? `${environment.name} recovers in ${global.region} through its Aurora global database "${global.globalClusterIdentifier}": nothing is restored there, its DR cluster is promoted (Promote the DR cluster, on the point-in-time recovery page).`
        : `${environment.name}'s PITR source has no dr block, so it cannot be restored in another region. Add one (region, and what is replicated there) to its pitr section, or restore in the primary region.`,
    );
  }
  return { provider: createPitrProviderFor(source, region), dr };
}

/**
 * The environment, provider and incident of a PITR choice, with the target checked against a
 * window described afresh in the chosen region: a time outside it is a RestoreWindowError (400)
 * before anything is planned or started, whatever the page said.
 */
export async function resolvePitrRestore(db: DbOrTx, choice: PitrRestoreChoice): Promise<ResolvedPitrRestore> {
  const { environment, source } = resolvePitrEnvironment(choice.environment);
  const { provider, dr } = pitrProviderIn(environment, source, choice.region ?? "primary");
  const incident = await findRunIncident(db, choice.incidentId, environment.name);
  const window = pitrWindowView(await provider.describeWindow());
  const problem = pitrWindowProblem(window, choice.target);
  if (problem) throw new RestoreWindowError(problem, { details: { window } });
  return { environment, source, provider, dr, window, incident };
}
