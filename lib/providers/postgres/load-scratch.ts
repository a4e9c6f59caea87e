import "server-only";
import { createDatabase, dropDatabase, type AdminTarget } from "./admin";
import { createLoaderRole, dropLoaderRole, handOverDatabase, listRoles, loaderConnection } from "./loader-role";
import { restoreDump, type RestoreDumpOptions, type RestoreResult } from "./restore-dump";

export interface LoadIntoScratchOptions extends Omit<RestoreDumpOptions, "target" | "database" | "existingRoles" | "asLoader"> {
  admin: AdminTarget;
  /** Names the loader role (one per run, so a sweeper can find what a dead worker left). */
  runId: string;
  /** Created here, owned by the loader while it loads; must not exist yet. */
  scratchDatabase: string;
  /** The database whose encoding and locale the scratch copy takes, if it exists. */
  like?: string;
  /** Who owns the scratch database and everything in it afterwards. */
  owner: string;
}

/**
 * The least-privilege load: a loader role made for this run creates nothing but what the dump
 * holds, inside a scratch database that only it owns; afterwards everything is handed to `owner`
 * and the loader is dropped, whatever happened. On failure the scratch database is dropped too.
 */
export async function loadIntoScratch(options: LoadIntoScratchOptions): Promise<RestoreResult & { loader: string }> {
  const { admin, runId, scratchDatabase, like, owner, ...dump } = options;
  const loader = await createLoaderRole(admin, runId);
  try {
    await createDatabase(admin, scratchDatabase, { owner: loader.name, ...(like ? { like } : {}) });
    const result = await restoreDump({
      ...dump,
      target: loaderConnection(admin, loader),
      asLoader: true,
      existingRoles: await listRoles(admin),
      database: scratchDatabase,
    });
    await handOverDatabase(admin, scratchDatabase, loader.name, owner);
    return { ...result, loader: loader.name };
  } catch (error) {
    await dropDatabase(admin, scratchDatabase, { force: true }).catch(() => undefined);
    throw error;
  } finally {
    // After the scratch database is gone or handed over, the loader owns nothing and can go.
    await dropLoaderRole(admin, runId).catch((error: unknown) =>
      options.onMessage?.(`Could not drop the loader role: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}
