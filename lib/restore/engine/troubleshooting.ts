import { AppError } from "@/lib/errors";
import { maskSecrets } from "@/lib/providers/postgres/tools";

// The runbook's Troubleshooting section (§4), as the advice shown on a failed run.

export const ADVICE = {
  permission:
    "Logical restore fails with permission errors (runbook §4): the target's configured user needs CREATEDB and CREATEROLE (to create the scratch database and the run's loader role), membership in the role that owns the restored objects, and ownership of the databases it renames; check the database connection parameters; verify the target database exists.",
  notPermitted:
    "The dump asked for more than its own scratch copy: its SQL runs as a loader role that owns only that database, and the restore never widens that role's rights. If the refused statement is legitimate (an extension that needs a superuser, say), create that object on the target beforehand; otherwise investigate where the dump came from and pick another backup.",
  connection:
    "Check the database connection parameters (host, port, user, password secret, SSL mode), that the target server is running, and that it is reachable from the Restore Console worker.",
  slow: "Slow restore performance (runbook §4): use parallel restore options (custom-format dumps restore with pg_restore -j); increase the target instance size temporarily; consider a partial restore of specific tables.",
  checksum: "Do not restore this backup; pick another one. Verify it from the Backups page and investigate how the upload was corrupted.",
  incomplete: "This backup is truncated or corrupt; pick another one, and check the nightly dump job that produced it.",
  refused: "Do not restore this file: pg_dump never writes what it contained. Investigate where it came from and pick another backup.",
  store: "Check the backup store (endpoint, bucket, credentials) and try again; the target was not touched.",
  validation:
    "The restored copy is kept as the scratch database for inspection; the target was not touched. Compare the failed checks with the previous run's results, then pick another backup or clean up.",
  interrupted: "The worker stopped during the restore; the target was not touched. Start the restore again.",
  pitrWindow:
    'PITR fails with "invalid restore time" (runbook §4): check the available restore window; give the time in UTC (or with its offset); verify it is within the retention period.',
  pitrAccess:
    "Check the IAM permissions of Restore Console's AWS credentials: describing the source, restoring it to a point in time, creating the writer, tagging, and deleting what a run created.",
} as const;

/** A failure as a run shows it: what happened, what to do next, and the raw text (secrets masked). */
export interface FailureDescription {
  error: string;
  troubleshooting: string | null;
  detail: string;
}

interface Classified {
  failure?: string;
  name?: string;
}

function classify(error: unknown): Classified {
  if (!(error instanceof Error)) return {};
  const failure = (error as { failure?: unknown }).failure;
  return { failure: typeof failure === "string" ? failure : undefined, name: error.name };
}

function rawText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const parts = [error.message];
  const details = error instanceof AppError ? error.details : undefined;
  if (details !== undefined) parts.push(JSON.stringify(details));
  let cause: unknown = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 3; depth++, cause = cause.cause) parts.push(`caused by: ${cause.message}`);
  return parts.join("\n");
}

/**
 * Maps an error to the person-facing message and the runbook's advice. AppErrors already say what
 * happened; anything else is reported without its internals (those go to `detail`).
 */
export function describeFailure(error: unknown, secrets: readonly string[] = []): FailureDescription {
  const { failure, name } = classify(error);
  const message = error instanceof AppError ? error.message : "The step failed unexpectedly.";
  const detail = maskSecrets(rawText(error), secrets).slice(0, 8_000);
  const advice = (): string | null => {
    switch (failure) {
      case "checksum-mismatch":
        return ADVICE.checksum;
      case "incomplete-dump":
        return ADVICE.incomplete;
      case "dump-refused":
        return ADVICE.refused;
      case "dump-read":
        return ADVICE.store;
      case "permission-denied":
        return ADVICE.permission;
      case "not-permitted-for-dump":
        return ADVICE.notPermitted;
      case "connection-failed":
        return ADVICE.connection;
      case "cancelled":
        return null;
      default:
        break;
    }
    if (name === "StepTimeoutError") return (error as { step?: string }).step === "restore" ? ADVICE.slow : ADVICE.connection;
    if (name === "ValidationFailedError") return ADVICE.validation;
    if (name === "BackupStoreError") return ADVICE.store;
    if (name === "RestoreWindowError") return ADVICE.pitrWindow;
    if (name === "PitrAccessDeniedError") return ADVICE.pitrAccess;
    if (/permission denied|must be owner|privilege/i.test(detail)) return ADVICE.permission;
    return null;
  };
  return { error: maskSecrets(message, secrets), troubleshooting: advice(), detail };
}
