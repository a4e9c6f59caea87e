import { z } from "zod";
import type { PitrSource } from "@/lib/config/schema";
import type { PitrRegion as ProviderRegion } from "@/lib/providers/create-pitr-provider-for";

// Where an environment's point-in-time recovery can happen when its region fails, read from its
// configuration alone (no call to AWS), so the page can offer the DR region while the primary
// region does not answer. Pure and browser-safe.

export const PITR_REGIONS = ["primary", "dr"] as const satisfies ReadonlyArray<ProviderRegion>;
export const PitrRegion = z.enum(PITR_REGIONS, { error: 'expected "primary" (the source\'s own region) or "dr" (its DR region)' });
export type PitrRegion = z.infer<typeof PitrRegion>;

/** What a restore in the DR region restores from. */
export const PitrDrView = z.object({
  primaryRegion: z.string(),
  region: z.string(),
  /** RDS for PostgreSQL: automated backups replicated there; Aurora: the newest cluster snapshot copied there. */
  kind: z.enum(["replicated-backups", "snapshot-copy"]),
});
export type PitrDrView = z.infer<typeof PitrDrView>;

/** An Aurora source whose DR is its global database: promoted there, never restored. */
export interface GlobalDatabaseConfigView {
  primaryRegion: string;
  region: string;
  globalClusterIdentifier: string;
  secondaryClusterIdentifier: string;
}

/** The DR region a source can be restored in; null for a local source, one without dr, or a global database. */
export function pitrDrOf(source: PitrSource): PitrDrView | null {
  if (source.provider !== "aws" || !source.dr) return null;
  if (source.engine === "postgres") return { primaryRegion: source.region, region: source.dr.region, kind: "replicated-backups" };
  return source.dr.mode === "snapshot" ? { primaryRegion: source.region, region: source.dr.region, kind: "snapshot-copy" } : null;
}

export function globalDatabaseOf(source: PitrSource): GlobalDatabaseConfigView | null {
  if (source.provider !== "aws" || source.engine !== "aurora-postgresql" || source.dr?.mode !== "global") return null;
  return {
    primaryRegion: source.region,
    region: source.dr.region,
    globalClusterIdentifier: source.dr.globalClusterIdentifier,
    secondaryClusterIdentifier: source.dr.secondaryClusterIdentifier,
  };
}

/** "us-west-2 (the DR region)": how plans and pages name it. */
export function drRegionText(dr: PitrDrView): string {
  return `${dr.region} (the DR region)`;
}

/**
 * The source as a planned run reaches it: in the DR region its plan names, even when the
 * configuration has since moved or dropped that region, so a resumed run adopts what it started
 * and a clean-up deletes it where it is. The configured dr block is kept when it names that region.
 */
export function sourceInPlannedRegion(source: PitrSource, plan: { region?: PitrRegion; dr?: PitrDrView }): PitrSource {
  if (plan.region !== "dr" || !plan.dr || source.provider !== "aws" || source.dr?.region === plan.dr.region) return source;
  const region = plan.dr.region;
  return source.engine === "postgres" ? { ...source, dr: { region } } : { ...source, dr: { region, mode: "snapshot" } };
}
