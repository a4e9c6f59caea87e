import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { isNode, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { demoConfig } from "@/lib/config/demo";
import { parseConfigFile, type ConfigFile, type EnvironmentConfig } from "@/lib/config/schema";
import { ConfigurationError, NotFoundError } from "@/lib/errors";

export type ConfigSource = { kind: "file"; path: string } | { kind: "demo" };
export type AppConfig = { source: ConfigSource; config: ConfigFile };

const DEFAULT_FILES = ["restore-console.yaml", "restore-console.json"];
const FIX_HINT = "Fix the configuration file and start again (restore-console.example.yaml shows every field).";

const cache = new Map<string, AppConfig>();

/** Forgets loaded configurations, so the next loadConfig() reads again (tests). */
export function resetConfigCache(): void {
  cache.clear();
}

type Located = { file: string; origin: "explicit path" | "RESTORE_CONSOLE_CONFIG" | "default location" };

function locate(explicit: string | undefined, cwd: string): Located | undefined {
  if (explicit) return { file: path.resolve(cwd, explicit), origin: "explicit path" };
  const fromEnv = process.env.RESTORE_CONSOLE_CONFIG?.trim();
  if (fromEnv) return { file: path.resolve(cwd, fromEnv), origin: "RESTORE_CONSOLE_CONFIG" };
  for (const name of DEFAULT_FILES) {
    // Read at run time from the working folder, not a build input: keep the bundler from tracing it.
    const file = path.join(/* turbopackIgnore: true */ cwd, name);
    if (existsSync(file)) return { file, origin: "default location" };
  }
  return undefined;
}

/**
 * The configuration, validated in full or not at all: an explicit path, else
 * RESTORE_CONSOLE_CONFIG, else restore-console.yaml or .json in `cwd`, else the built-in demo.
 * A named file that is missing is an error, never a silent fall-back to the demo.
 */
export function loadConfig(options: { path?: string; cwd?: string } = {}): AppConfig {
  const cwd = options.cwd ?? process.cwd();
  const located = locate(options.path, cwd);
  const key = located ? `file:${located.file}` : `demo:${cwd}`;
  const cached = cache.get(key);
  if (cached) return cached;

  const loaded: AppConfig = located
    ? { source: { kind: "file", path: located.file }, config: readConfigFile(located, cwd) }
    : { source: { kind: "demo" }, config: demoConfig({ cwd }) };
  // Shared by every caller in the process: frozen so no caller can change it for the others.
  deepFreeze(loaded);
  cache.set(key, loaded);
  return loaded;
}

function readConfigFile({ file, origin }: Located, cwd: string): ConfigFile {
  const label = displayPath(file, cwd);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? error.code : undefined;
    const reason = code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a directory" : "cannot be read";
    throw new ConfigurationError(
      `${label}: the configuration file (${origin}) ${reason}. Fix the path, or unset it to run the built-in demo.`,
      { details: { file: label } },
    );
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const [syntaxError] = doc.errors;
  if (syntaxError) {
    const { line, col } = lineCounter.linePos(syntaxError.pos[0]);
    // Only the parser's message: quoting the offending line could put a secret in a log.
    throw new ConfigurationError(`${label}: YAML syntax error at line ${line}, column ${col}: ${syntaxError.message}`, {
      details: { file: label, issues: [`line ${line}, column ${col}: ${syntaxError.message}`] },
    });
  }
  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) {
    throw new ConfigurationError(`${label}: the file is empty. ${FIX_HINT}`, { details: { file: label } });
  }

  const result = parseConfigFile(raw);
  if (result.success) return result.data;
  const issues = describeIssues(result.error, doc, lineCounter);
  const body = issues.length === 1 ? ` ${issues[0]}` : ` ${issues.length} problems:\n${issues.map((i) => `  ${i}`).join("\n")}`;
  throw new ConfigurationError(`${label}:${body}\n${FIX_HINT}`, { details: { file: label, issues } });
}

/** `restore-console.yaml` for a file under cwd, the absolute path otherwise. */
function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

/** `environments[0].restoreTargets[1].port`, the way the file is written. */
function formatIssuePath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out || "(top level)";
}

/**
 * One line per issue, `path: what is wrong (line N)`. A single unknown key is reported at its
 * own path, so the line points at the typo rather than at its parent.
 */
function describeIssues(error: z.ZodError, doc: Document, lineCounter: LineCounter): string[] {
  return error.issues.map((issue) => {
    const segments: PropertyKey[] = [...issue.path];
    const [onlyKey, ...moreKeys] = issue.code === "unrecognized_keys" ? issue.keys : [];
    if (onlyKey !== undefined && moreKeys.length === 0) segments.push(onlyKey);
    const line = lineOf(segments, doc, lineCounter);
    return `${formatIssuePath(segments)}: ${issue.message}${line ? ` (line ${line})` : ""}`;
  });
}

/** The line of the deepest node of `segments` that exists in the file (a missing field points at its parent). */
function lineOf(segments: readonly PropertyKey[], doc: Document, lineCounter: LineCounter): number | undefined {
  for (let depth = segments.length; depth >= 0; depth--) {
    const node = doc.getIn(segments.slice(0, depth), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

/** The environment called `name`; a NotFoundError naming the known ones otherwise. */
export function getEnvironment(config: ConfigFile, name: string): EnvironmentConfig {
  const environment = config.environments.find((e) => e.name === name);
  if (environment) return environment;
  const known = config.environments.map((e) => e.name).join(", ");
  throw new NotFoundError(`There is no environment "${name}". Configured environments: ${known}.`);
}

/** The environment named by defaultEnvironment, else the first one listed. */
export function defaultEnvironment(config: ConfigFile): EnvironmentConfig {
  const environment = config.defaultEnvironment ? getEnvironment(config, config.defaultEnvironment) : config.environments[0];
  // The schema requires at least one environment; this guards a hand-built ConfigFile.
  if (!environment) throw new ConfigurationError("The configuration lists no environments.");
  return environment;
}
