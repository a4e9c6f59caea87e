import { randomUUID } from "node:crypto";
import { z } from "zod";
import { BadRequestError } from "@/lib/errors";
import { buildPitrPlan, PITR_MODE, PITR_TARGET_NAME, pitrTargetLabel } from "./plan";
import { PitrRestoreChoice, resolvePitrRestore } from "./choice";
import { drRegionText } from "./dr";
import { assertMayRestore } from "../logical/choice";
import type { ClientCtx } from "@/lib/db/ctx";
import { restoreRunView, type RestoreRunView } from "../restore-run-views";
import { createQueuedRun } from "../engine/create-queued-run";
import { BUILTIN_CHECKS } from "../validation/builtin-checks";

export const StartPitrRestoreInput = PitrRestoreChoice.extend({
  /** The person types the environment's name, exactly. */
  confirmation: z.string(),
});
export type StartPitrRestoreInput = z.infer<typeof StartPitrRestoreInput>;

/**
 * Starts a point-in-time restore, in the source's region or its DR region. The target time is
 * checked against a window described now there (outside it: 400, nothing created); then the
 * run, its steps, the environment's PITR lock (one PITR restore per environment at a time,
 * whichever the region: two restores of one source would compete for one cutover) and the
 * audit event are written in ONE transaction, and the worker is asked to run it. The source is
 * never touched: the data comes back in a new server.
 */
export async function startPitrRestore({ ctx, input }: { ctx: ClientCtx; input: StartPitrRestoreInput }): Promise<RestoreRunView> {
  const { environment, source, provider, dr, window, incident } = await resolvePitrRestore(ctx.db, input);
  assertMayRestore(ctx.user, environment, "Starting a point-in-time restore");
  if (input.confirmation !== environment.name) {
    throw new BadRequestError(`Type the environment's name, ${environment.name}, exactly to confirm the restore.`);
  }

  const runId = randomUUID();
  const plan = buildPitrPlan({
    environment: { name: environment.name, protected: environment.protected },
    source,
    providerKind: provider.kind,
    identifiers: provider.resourceIdentifiers(runId),
    choice: input.target,
    dr,
    window,
    incident,
    now: new Date(),
    configuredChecks: environment.validation.checks.length,
    builtinChecks: BUILTIN_CHECKS.length,
    preflight: null,
  });
  const target = pitrTargetLabel(input.target);

  const run = await createQueuedRun(ctx, {
    runId,
    columns: {
      kind: "pitr",
      environment: environment.name,
      targetName: PITR_TARGET_NAME,
      targetDatabase: source.database,
      mode: PITR_MODE,
      // What the run creates and clean-up removes: the restored cluster, instance or data folder.
      scratchDatabase: plan.identifiers[0] ?? "",
      // Its evidence goes to this incident alone.
      incidentId: incident?.id ?? null,
      // "Latest" is pinned when the restore step starts.
      restorePointAt: input.target.kind === "time" ? new Date(input.target.time) : null,
    },
    plan,
    audit: {
      action: "pitr.start",
      payload: {
        environment: environment.name,
        provider: provider.kind,
        region: plan.region,
        ...(dr ? { drRegion: dr.region } : {}),
        target: input.target,
        window: { earliest: window.earliest, latest: window.latest },
        identifiers: plan.identifiers,
        incidentId: incident?.id ?? null,
      },
    },
    createdEvent: { kind: "pitr", target, provider: provider.kind, region: plan.region },
    evidence: `Point-in-time restore of ${environment.name} to ${target}${dr ? ` in ${drRegionText(dr)}` : ""} started by ${ctx.user.email}`,
  });
  return restoreRunView(run, run.steps);
}
