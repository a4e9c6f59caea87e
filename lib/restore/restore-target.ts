import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { EnvironmentConfig, RestoreTargetConfig } from "@/lib/config/schema";
import { resolveSecret } from "@/lib/config/secrets";
import { NotFoundError } from "@/lib/errors";
import type { AdminTarget } from "@/lib/providers/postgres/admin";
import type { PlanTarget } from "./logical/plan";

/** A configured restore target of the environment: restores only ever go where the configuration says. */
export function findRestoreTarget(environment: EnvironmentConfig, targetName: string): RestoreTargetConfig {
  const target = environment.restoreTargets.find((t) => t.name === targetName);
  if (target) return target;
  const known = environment.restoreTargets.map((t) => t.name).join(", ") || "none";
  throw new NotFoundError(`Environment ${environment.name} has no restore target "${targetName}". Configured targets: ${known}.`);
}

/** Connection settings with the password read now (so a rotated secret is picked up). Never log the result. */
export async function adminTargetFor(target: RestoreTargetConfig): Promise<AdminTarget> {
  const password = target.passwordFrom ? await resolveSecret(target.passwordFrom) : undefined;
  return {
    connection: { host: target.host, port: target.port, user: target.user, sslMode: target.sslMode, ...(password ? { password } : {}) },
    maintenanceDatabase: target.maintenanceDatabase,
  };
}

/** The admin connection to the target a run restores onto, as configured now. */
export async function adminTargetForRun(run: { environment: string; targetName: string }): Promise<AdminTarget> {
  return adminTargetFor(findRestoreTarget(resolveEnvironment(run.environment), run.targetName));
}

/** What a person sees of a target: never the password, not even where it comes from. */
export function planTargetOf(target: RestoreTargetConfig): PlanTarget {
  return {
    name: target.name,
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.user,
    maintenanceDatabase: target.maintenanceDatabase,
    sslMode: target.sslMode,
  };
}

export function secretsOf(admin: AdminTarget): string[] {
  return admin.connection.password ? [admin.connection.password] : [];
}
