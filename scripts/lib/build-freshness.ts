import { readdir, stat } from "node:fs/promises";
import path from "node:path";

const SOURCE_DIRS = ["app", "components", "lib", "public"];
const SOURCE_FILES = ["next.config.mjs", "package-lock.json", "tsconfig.json", "postcss.config.mjs", "prisma/schema.prisma"];
const SKIP = new Set(["generated", "node_modules"]);

async function newestMtime(target: string): Promise<number> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(target, { withFileTypes: true })) {
    if (SKIP.has(entry.name) || entry.name.endsWith(".test.ts")) continue;
    newest = Math.max(newest, await newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

/** True when there is no production build, or a source file changed after it was made. */
export async function buildIsStale(root = process.cwd()): Promise<boolean> {
  const built = await stat(path.join(root, ".next", "BUILD_ID")).catch(() => undefined);
  if (!built) return true;
  const sources = await Promise.all([...SOURCE_DIRS, ...SOURCE_FILES].map((p) => newestMtime(path.join(root, p))));
  return Math.max(...sources) > built.mtimeMs;
}
