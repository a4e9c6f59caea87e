import type { EnvironmentConfig, GuardedAction } from "@/lib/config/schema";

export interface FourEyesRule {
  windowMinutes: number;
  approverRole: "operator" | "admin";
}

/**
 * Whether `action` on a run onto `targetName` needs a second person in `environment`, and on what
 * terms; null when one person may do it. PITR runs, and promotions of a global database's DR
 * cluster, have the target name "pitr".
 */
export function fourEyesRule(environment: EnvironmentConfig, action: GuardedAction, targetName: string): FourEyesRule | null {
  const fourEyes = environment.fourEyes;
  if (!fourEyes || !fourEyes.actions.includes(action)) return null;
  if (fourEyes.targets && !fourEyes.targets.includes(targetName)) return null;
  return { windowMinutes: fourEyes.windowMinutes, approverRole: fourEyes.approverRole };
}
