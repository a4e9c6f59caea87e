import "server-only";
import type { PitrSource } from "@/lib/config/schema";
import { BadRequestError } from "@/lib/errors";
import { createAwsPitrProvider, type AwsPitrProviderOptions } from "@/lib/providers/aws/create-pitr-provider";
import { LocalPitrProvider } from "@/lib/providers/local/local-pitr-provider";
import type { PitrProvider } from "@/lib/providers/pitr";

/** Where a source is restored: its own region, or (an AWS source with a dr block) its DR region. */
export type PitrRegion = NonNullable<AwsPitrProviderOptions["region"]>;

/**
 * The PITR provider for a configured source: Aurora / RDS through the RDS API (in the source's
 * region or its DR region), or a self-hosted cluster's WAL archive, which has no other region.
 */
export function createPitrProviderFor(source: PitrSource, region: PitrRegion = "primary"): PitrProvider {
  if (source.provider === "aws") return createAwsPitrProvider(source, { region });
  if (region === "dr") {
    throw new BadRequestError(
      `The PITR source ${source.database} on ${source.host}:${source.port} is self-hosted (provider local): it has no DR region, only its own WAL archive. Restore it in the primary region (leave region out).`,
    );
  }
  return new LocalPitrProvider(source);
}
