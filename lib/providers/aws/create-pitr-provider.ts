import "server-only";
import { RDSClient } from "@aws-sdk/client-rds";
import type { AwsPitrSource } from "@/lib/config/schema";
import { ConfigurationError } from "@/lib/errors";
import { copiedSnapshotOrigin } from "@/lib/providers/aws/aurora-dr-snapshot-origin";
import { AuroraGlobalFailover } from "@/lib/providers/aws/aurora-global-failover";
import { AuroraPitrProvider } from "@/lib/providers/aws/aurora-pitr-provider";
import { RDS_SDK_MAX_ATTEMPTS, type RdsProviderOptions } from "@/lib/providers/aws/rds-common";
import { replicatedBackupsOrigin } from "@/lib/providers/aws/rds-instance-dr-origin";
import { RdsInstancePitrProvider } from "@/lib/providers/aws/rds-instance-pitr-provider";
import type { PitrProvider } from "@/lib/providers/pitr";

export interface AwsPitrProviderOptions extends RdsProviderOptions {
  /**
   * "primary" (the default): the source's own region and window. "dr": the source's `dr.region`,
   * from what was replicated there (for a regional failure), without calling the source's region.
   */
  region?: "primary" | "dr";
}

/**
 * Credentials come from the standard AWS chain; the SDK makes a single attempt per call because
 * the providers retry (visibly) themselves.
 */
function rdsClient(region: string): RDSClient {
  return new RDSClient({ region, maxAttempts: RDS_SDK_MAX_ATTEMPTS });
}

/** The PITR provider for an AWS source, in its own region or (with `region: "dr"`) in its DR region. */
export function createAwsPitrProvider(source: AwsPitrSource, options: AwsPitrProviderOptions = {}): PitrProvider {
  const { region = "primary", ...rdsOptions } = options;
  if (region === "primary") {
    const client = rdsClient(source.region);
    return source.engine === "aurora-postgresql"
      ? new AuroraPitrProvider(client, source, rdsOptions)
      : new RdsInstancePitrProvider(client, source, rdsOptions);
  }
  const name = source.engine === "aurora-postgresql" ? source.clusterIdentifier : source.instanceIdentifier;
  if (!source.dr) {
    throw new ConfigurationError(
      `The source "${name}" has no dr block, so it cannot be recovered in another region. Add dr (region, and what was replicated there) to its configuration.`,
    );
  }
  if (source.engine === "postgres") {
    return new RdsInstancePitrProvider(rdsClient(source.dr.region), source, rdsOptions, replicatedBackupsOrigin(source, source.dr));
  }
  if (source.dr.mode === "global") {
    throw new ConfigurationError(
      `The source "${name}" recovers in ${source.dr.region} through its global database (dr.mode: global): that is a failover (createAuroraGlobalFailover), not a restore.`,
    );
  }
  return new AuroraPitrProvider(rdsClient(source.dr.region), source, rdsOptions, copiedSnapshotOrigin(source, source.dr));
}

/** The failover of an Aurora source whose DR is its global database (`dr.mode: global`); calls go to the DR region. */
export function createAuroraGlobalFailover(source: AwsPitrSource, options?: RdsProviderOptions): AuroraGlobalFailover {
  const dr = source.engine === "aurora-postgresql" ? source.dr : undefined;
  if (source.engine !== "aurora-postgresql" || dr?.mode !== "global") {
    throw new ConfigurationError(
      'Only an Aurora source with dr.mode: global has a global database to fail over; use createAwsPitrProvider(source, { region: "dr" }) for the others.',
    );
  }
  return new AuroraGlobalFailover(rdsClient(dr.region), source, dr, options);
}
