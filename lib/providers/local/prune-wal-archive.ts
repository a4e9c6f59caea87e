import "server-only";
import { findPgBinaries } from "@/lib/providers/postgres/binaries";
import { runAsPostgres } from "@/lib/providers/postgres/cluster";

const SEGMENT_NAME = /^[0-9A-F]{24}$/;

/**
 * Removes the archived WAL segments before `oldestKept` (the oldest base backup's start segment)
 * with pg_archivecleanup: no restore can start before that backup, so nothing can replay them.
 * Returns how many files were removed.
 */
export async function pruneWalArchive(archiveDir: string, oldestKept: string): Promise<number> {
  if (!SEGMENT_NAME.test(oldestKept)) throw new RangeError(`${oldestKept} is not a WAL segment name`);
  const binaries = await findPgBinaries();
  // The archive belongs to the server's user; -d lists each removal on stderr.
  const { stderr } = await runAsPostgres(binaries.path("pg_archivecleanup"), ["-d", archiveDir, oldestKept]);
  return String(stderr)
    .split("\n")
    .filter((line) => line.includes("removing file")).length;
}
