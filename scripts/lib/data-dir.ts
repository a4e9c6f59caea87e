import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/** Where the embedded default keeps its state (git-ignored). */
export function dataDir(): string {
  return path.resolve(process.env.RESTORE_CONSOLE_DATA_DIR ?? path.join(process.cwd(), ".data"));
}

/** A random secret generated once and kept in a 0600 file, so restarts reuse it. */
export async function persistentSecret(name: string, bytes = 32): Promise<string> {
  const file = path.join(dataDir(), "secrets", name);
  try {
    const existing = (await readFile(file, "utf8")).trim();
    if (existing) return existing;
  } catch {
    // Not created yet.
  }
  // The data folder itself stays traversable: the embedded PostgreSQL runs as postgres under it.
  await mkdir(dataDir(), { recursive: true });
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(bytes).toString("base64url");
  await writeFile(file, secret, { mode: 0o600, flag: "w" });
  return secret;
}
