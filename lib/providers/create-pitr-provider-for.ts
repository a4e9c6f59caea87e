import "server-only";
import type { PitrSource } from "@/lib/config/schema";
import { createAwsPitrProvider } from "@/lib/providers/aws/create-pitr-provider";
import { LocalPitrProvider } from "@/lib/providers/local/local-pitr-provider";
import type { PitrProvider } from "@/lib/providers/pitr";

/** The PITR provider for a configured source: Aurora / RDS through the RDS API, or a self-hosted cluster's WAL archive. */
export function createPitrProviderFor(source: PitrSource): PitrProvider {
  return source.provider === "aws" ? createAwsPitrProvider(source) : new LocalPitrProvider(source);
}
