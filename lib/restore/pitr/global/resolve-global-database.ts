import { resolvePitrEnvironment } from "@/lib/config/resolve-pitr-environment";
import type { AwsPitrSource, EnvironmentConfig } from "@/lib/config/schema";
import { BadRequestError } from "@/lib/errors";
import { globalDatabaseOf, type GlobalDatabaseConfigView } from "../dr";

/** The environment whose PITR source is in an Aurora global database; every other environment is a clear 400. */
export function resolveGlobalDatabase(name?: string | null): {
  environment: EnvironmentConfig;
  source: AwsPitrSource;
  config: GlobalDatabaseConfigView;
} {
  const { environment, source } = resolvePitrEnvironment(name);
  const config = globalDatabaseOf(source);
  if (!config || source.provider !== "aws") {
    throw new BadRequestError(
      `${environment.name}'s PITR source is not in an Aurora global database (dr.mode: global), so it has no DR cluster to promote. Restore it to a point in time instead.`,
    );
  }
  return { environment, source, config };
}
