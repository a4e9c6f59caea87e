import { loadConfig } from "@/lib/config/load-config";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { EnvironmentConfig, PitrSource } from "@/lib/config/schema";
import { BadRequestError } from "@/lib/errors";

/** The environment and its PITR source; an environment without one is a clear 400. */
export function resolvePitrEnvironment(name?: string | null): { environment: EnvironmentConfig; source: PitrSource } {
  const environment = resolveEnvironment(name);
  if (!environment.pitr) {
    throw new BadRequestError(
      `Environment ${environment.name} has no point-in-time recovery source. Add a pitr section (provider aws or local) to it in the configuration file.`,
    );
  }
  return { environment, source: environment.pitr };
}

/** Names of the environments that can be restored to a point in time, the default first. */
export function pitrEnvironmentNames(): string[] {
  const { config } = loadConfig();
  const names = config.environments.filter((e) => e.pitr).map((e) => e.name);
  return names.sort((a, b) => Number(b === config.defaultEnvironment) - Number(a === config.defaultEnvironment));
}
