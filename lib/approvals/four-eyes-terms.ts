import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { FOUR_EYES_ACTIONS, type FourEyesAction } from "@/lib/config/schema";
import { fourEyesRule } from "./four-eyes-rule";

export interface FourEyesTerms {
  actions: FourEyesAction[];
  approverRole: "operator" | "admin";
  windowMinutes: number;
}

/** What a run page shows about four-eyes: the run's guarded actions and their terms; null when off. */
export function fourEyesTerms(environmentName: string, targetName: string): FourEyesTerms | null {
  let environment;
  try {
    environment = resolveEnvironment(environmentName);
  } catch {
    // A run of an environment no longer configured: nothing it does is allowed anyway.
    return null;
  }
  const actions = FOUR_EYES_ACTIONS.filter((action) => fourEyesRule(environment, action, targetName) !== null);
  const fourEyes = environment.fourEyes;
  if (!fourEyes || actions.length === 0) return null;
  return { actions, approverRole: fourEyes.approverRole, windowMinutes: fourEyes.windowMinutes };
}
