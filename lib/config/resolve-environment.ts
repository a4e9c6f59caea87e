import { defaultEnvironment, getEnvironment, loadConfig } from "./load-config";
import type { EnvironmentConfig } from "./schema";

/** The named environment, or the default one when no name is given. */
export function resolveEnvironment(name?: string | null): EnvironmentConfig {
  const { config } = loadConfig();
  return name ? getEnvironment(config, name) : defaultEnvironment(config);
}

/** The named environment, or null when the configuration no longer lists it (its catalog rows outlive it). */
export function findEnvironment(name: string): EnvironmentConfig | null {
  return loadConfig().config.environments.find((environment) => environment.name === name) ?? null;
}
