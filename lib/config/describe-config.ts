import { defaultEnvironment, type AppConfig } from "@/lib/config/load-config";
import { SecretRef, type ConfigFile } from "@/lib/config/schema";
import { describeSecretRef } from "@/lib/config/secrets";

/** `T` with every secret reference replaced by its description (a string). */
export type DisplaySafe<T> = T extends SecretRef
  ? string
  : T extends readonly (infer Item)[]
    ? DisplaySafe<Item>[]
    : T extends object
      ? { [K in keyof T]: DisplaySafe<T[K]> }
      : T;

export type ConfigDescription = {
  /** The configuration file's path, or "built-in demo". */
  source: string;
  sourceKind: AppConfig["source"]["kind"];
  version: ConfigFile["version"];
  defaultEnvironment: string;
  environments: DisplaySafe<ConfigFile["environments"]>;
};

/**
 * The loaded configuration as the read-only Settings page shows it: plain JSON, with every
 * secret reference replaced by where it comes from and whether it is available.
 */
export function describeConfig(app: AppConfig): ConfigDescription {
  return {
    source: app.source.kind === "file" ? app.source.path : "built-in demo",
    sourceKind: app.source.kind,
    version: app.config.version,
    defaultEnvironment: defaultEnvironment(app.config).name,
    // The walk mirrors DisplaySafe; TypeScript cannot follow a generic walk, hence the cast.
    environments: displaySafe(app.config.environments) as DisplaySafe<ConfigFile["environments"]>,
  };
}

// Secrets reach the configuration only as SecretRefs (the schema allows nothing else), so
// replacing every value shaped like one covers fields added later too.
function displaySafe(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(displaySafe);
  if (typeof value !== "object" || value === null) return value;
  const ref = SecretRef.safeParse(value);
  if (ref.success) return describeSecretRef(ref.data);
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, displaySafe(child)]));
}
