import type { SessionUser } from "@/lib/auth/roles";
import { hasRestorableBackup } from "@/lib/backups/list-restorable-backups";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { EnvironmentConfig } from "@/lib/config/schema";
import type { Ctx } from "@/lib/db/ctx";
import { errorMessage, NotFoundError } from "@/lib/errors";
import type { MethodFacts, PitrFacts } from "./method-advice";
import { describePitrWindowShared } from "./pitr/describe-pitr-window";

/** A page waits this long for the PITR source; the advice says so when it did not answer. */
const PITR_TIMEOUT_MS = 5_000;

/** What the method advice needs to know of an environment (the default one without a name); null when it is not configured. */
export async function loadMethodFacts(ctx: Ctx<SessionUser | null>, name?: string): Promise<MethodFacts | null> {
  let environment: EnvironmentConfig;
  try {
    environment = resolveEnvironment(name);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
  const pitr: Promise<PitrFacts> = environment.pitr
    ? describePitrWindowShared(ctx, environment.name, PITR_TIMEOUT_MS).then(
        ({ window }) => ({ state: "described", earliest: window.earliest, latest: window.latest }),
        (error: unknown) => ({ state: "unreadable", problem: errorMessage(error) }),
      )
    : Promise.resolve({ state: "absent" });
  const [pitrFacts, backup] = await Promise.all([pitr, hasRestorableBackup(ctx, environment.name)]);
  return { environment: environment.name, pitr: pitrFacts, hasRestorableBackup: backup, objectives: environment.objectives };
}
