import "server-only";
import { RDSClient } from "@aws-sdk/client-rds";
import type { AwsPitrSource } from "@/lib/config/schema";
import { AuroraPitrProvider } from "@/lib/providers/aws/aurora-pitr-provider";
import { RDS_SDK_MAX_ATTEMPTS, type RdsProviderOptions } from "@/lib/providers/aws/rds-common";
import { RdsInstancePitrProvider } from "@/lib/providers/aws/rds-instance-pitr-provider";
import type { PitrProvider } from "@/lib/providers/pitr";

/**
 * The PITR provider for an AWS source. Credentials come from the standard AWS chain; the SDK
 * makes a single attempt per call because the providers retry (visibly) themselves.
 */
export function createAwsPitrProvider(source: AwsPitrSource, options?: RdsProviderOptions): PitrProvider {
  const client = new RDSClient({ region: source.region, maxAttempts: RDS_SDK_MAX_ATTEMPTS });
  return source.engine === "aurora-postgresql"
    ? new AuroraPitrProvider(client, source, options)
    : new RdsInstancePitrProvider(client, source, options);
}
