import { z } from "zod";
import type { PitrProvider } from "@/lib/providers/pitr";
import { resolvePitrEnvironment } from "@/lib/config/resolve-pitr-environment";
import type { EnvironmentConfig } from "@/lib/config/schema";
import { pitrProviderIn } from "./choice";
import { PitrRegion } from "./dr";
import { activePitrRun, type ActivePitrRun } from "./pitr-environment-state";
import { describePitrSource, pitrWindowView, type PitrWindowView } from "./plan";
import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { rejectAfter } from "@/lib/within";

export const DescribePitrWindowInput = z.object({
  environment: z.string().min(1).max(63).optional(),
  /** The source's own region (the default) or its DR region. */
  region: PitrRegion.optional(),
});
export type DescribePitrWindowInput = z.infer<typeof DescribePitrWindowInput>;

export interface PitrWindowSummary {
  environment: string;
  protected: boolean;
  provider: PitrProvider["kind"];
  /** Where the window was described: what a restore there can reach. */
  region: PitrRegion;
  sourceDescription: string;
  window: PitrWindowView;
  activeRun: ActivePitrRun | null;
  /** Local sources take base backups on demand (AWS keeps its own). */
  takesBaseBackups: boolean;
}

/** What an environment can be restored to right now in a region, described afresh by its provider there. Changes nothing. */
export async function describePitrWindow({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: DescribePitrWindowInput;
}): Promise<PitrWindowSummary> {
  const { environment, source } = resolvePitrEnvironment(input.environment);
  const region = input.region ?? "primary";
  const { provider } = pitrProviderIn(environment, source, region);
  const [window, activeRun] = await Promise.all([provider.describeWindow(), activePitrRun(ctx.db, environment.name)]);
  return {
    environment: environment.name,
    protected: environment.protected,
    provider: provider.kind,
    region,
    sourceDescription: describePitrSource(source),
    window: pitrWindowView(window),
    activeRun,
    takesBaseBackups: source.provider === "local",
  };
}

/** How long a described window serves the background readers (alerts, metrics) before asking the source again. */
const SHARED_WINDOW_MS = 60_000;
const shared = new Map<string, { at: number; summary: Promise<PitrWindowSummary> }>();

/**
 * The window for background readers (alert rules, metrics scrapes) and the method advice on
 * pages: described at most once a minute per environment, region and process, so they never
 * multiply calls to the source (an RDS API), and given up on after `timeoutMs` (the description
 * itself may still finish and be kept). A failed description is not kept.
 */
export function describePitrWindowShared(
  ctx: Ctx<SessionUser | null>,
  environment: string,
  timeoutMs: number,
  region: PitrRegion = "primary",
): Promise<PitrWindowSummary> {
  // Environment names are slugs: no "/" inside one.
  const key = `${environment}/${region}`;
  const cached = shared.get(key);
  const fresh = cached && Date.now() - cached.at < SHARED_WINDOW_MS;
  const summary = fresh ? cached.summary : describePitrWindow({ ctx, input: { environment, region } });
  if (!fresh) {
    shared.set(key, { at: Date.now(), summary });
    summary.catch(() => shared.delete(key));
  }
  return rejectAfter(summary, timeoutMs, `no answer within ${timeoutMs / 1000} s`);
}

/**
 * Each PITR environment's window lag in seconds (null: nothing restorable yet), or the Error of a
 * source that did not answer within `timeoutMs`: described in parallel through the shared read.
 */
export async function describePitrLags(
  ctx: Ctx<SessionUser | null>,
  environments: readonly EnvironmentConfig[],
  timeoutMs: number,
): Promise<Map<string, number | null | Error>> {
  const withPitr = environments.filter((environment) => environment.pitr);
  const lags = await Promise.all(
    withPitr.map((environment) =>
      describePitrWindowShared(ctx, environment.name, timeoutMs).then(
        (summary) => summary.window.lagSeconds,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      ),
    ),
  );
  return new Map(withPitr.map((environment, i) => [environment.name, lags[i] ?? null]));
}
