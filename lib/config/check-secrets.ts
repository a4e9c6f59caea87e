import type { ConfigFile, SecretRef } from "./schema";
import { resolveSecret } from "./secrets";

/** A secret reference and where the configuration holds it (`environments[0].restoreTargets[1].passwordFrom`). */
export interface LocatedSecretRef {
  path: string;
  ref: SecretRef;
}

function isSecretRef(value: unknown): value is SecretRef {
  if (typeof value !== "object" || value === null) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === "env" || keys[0] === "file");
}

/** Every `…From` secret reference in the configuration (they are the only secrets it names). */
export function secretRefsOf(config: ConfigFile): LocatedSecretRef[] {
  const found: LocatedSecretRef[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (typeof value === "object" && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        const at = path ? `${path}.${key}` : key;
        if (key.endsWith("From") && isSecretRef(child)) found.push({ path: at, ref: child });
        else walk(child, at);
      }
    }
  };
  walk(config, "");
  return found;
}

/**
 * The secrets this process cannot read, each with where the configuration names it. A worker
 * checks them at start, so it refuses to run rather than failing the restores it picks up.
 */
export async function unreadableSecrets(config: ConfigFile): Promise<string[]> {
  const problems: string[] = [];
  for (const { path, ref } of secretRefsOf(config)) {
    await resolveSecret(ref).catch((error: unknown) => problems.push(`${path}: ${error instanceof Error ? error.message : String(error)}`));
  }
  return problems;
}
