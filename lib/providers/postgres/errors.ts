import "server-only";
import { BadRequestError, ConflictError, UnavailableError } from "@/lib/errors";

/** Machine-readable reason a restore failed, for the run record and the troubleshooting mapping. */
export type RestoreFailure =
  | "checksum-mismatch"
  | "incomplete-dump"
  | "dump-refused"
  | "dump-read"
  | "permission-denied"
  | "not-permitted-for-dump"
  | "connection-failed"
  | "tool-failed"
  | "cancelled";

const NOT_COMMITTED = "Nothing was committed to the scratch database.";

/**
 * What became of the scratch database, said after the cause. Loading over one connection commits
 * nothing before the gate; loading over several commits as it goes, so there the scratch
 * database as a whole is what is never kept (see PARTLY_LOADED).
 */
export interface Aftermath {
  aftermath?: string;
}

/** The aftermath of a failed load over several connections (the caller drops the scratch database). */
export const PARTLY_LOADED = "The partly loaded scratch database is not kept: it is dropped, and the target database is untouched.";

/** The dump's bytes are not the ones its manifest describes. */
export class ChecksumMismatchError extends BadRequestError {
  readonly failure: RestoreFailure = "checksum-mismatch";

  constructor(
    readonly expected: string,
    readonly actual: string,
    options: Aftermath = {},
  ) {
    super(
      `Checksum mismatch: the dump's sha256 is ${actual}, its manifest says ${expected}. The file is corrupt or is not the ` +
        `one the manifest describes. ${options.aftermath ?? NOT_COMMITTED} Pick another backup, or verify this one and investigate the upload.`,
      { details: { failure: "checksum-mismatch", expected, actual } },
    );
  }
}

/** The dump stopped before pg_dump's end marker, or could not be decompressed to the end. */
export class IncompleteDumpError extends BadRequestError {
  readonly failure: RestoreFailure = "incomplete-dump";

  constructor(
    readonly reason: string,
    options: { cause?: unknown } & Aftermath = {},
  ) {
    const { aftermath, ...rest } = options;
    super(
      `The dump is incomplete: ${reason}. It was probably truncated during the backup or the upload. ${aftermath ?? NOT_COMMITTED} Pick another backup.`,
      {
        ...rest,
        details: { failure: "incomplete-dump", reason },
      },
    );
  }
}

/** The dump holds something a pg_dump file never does (a psql meta-command, another format). */
export class DumpRefusedError extends BadRequestError {
  readonly failure: RestoreFailure = "dump-refused";

  constructor(
    readonly reason: string,
    options: Aftermath = {},
  ) {
    super(`The dump was refused: ${reason}. ${options.aftermath ?? NOT_COMMITTED}`, { details: { failure: "dump-refused", reason } });
  }
}

/** Reading the dump from the backup store failed part-way. */
export class DumpReadError extends UnavailableError {
  readonly failure: RestoreFailure = "dump-read";

  constructor(
    readonly reason: string,
    options: { cause?: unknown } & Aftermath = {},
  ) {
    const { aftermath, ...rest } = options;
    super(
      `Reading the dump from the backup store failed part-way (${reason}). ${aftermath ?? NOT_COMMITTED} Check the store and try again.`,
      {
        ...rest,
        details: { failure: "dump-read", reason },
      },
    );
  }
}

const PERMISSION = /permission denied|must be owner|must be superuser|must have .* privilege/i;
const CONNECTION =
  /password authentication failed|no password supplied|connection to server .* failed|could not connect|could not translate host name|timeout expired|no pg_hba\.conf entry|database ".*" does not exist|role ".*" does not exist|SSL/i;

type ToolFailure = Extract<RestoreFailure, "permission-denied" | "not-permitted-for-dump" | "connection-failed" | "tool-failed">;

function classify(lines: readonly string[], exitCode: number | null, loader: boolean): ToolFailure {
  const text = lines.join("\n");
  // As the run's loader, a refused privilege means the dump asked for more than its own copy.
  if (PERMISSION.test(text)) return loader ? "not-permitted-for-dump" : "permission-denied";
  if (CONNECTION.test(text) || exitCode === 2) return "connection-failed";
  return "tool-failed";
}

const NEXT_STEP: Record<ToolFailure, string> = {
  "permission-denied":
    'The target user lacks a privilege the restore needs. Runbook, Troubleshooting, "Logical restore fails with permission errors": ' +
    "make sure the target user has CREATE privileges on the scratch database, verify the database exists, and check the " +
    "connection parameters (host, port, user).",
  "not-permitted-for-dump":
    "The dump's SQL runs as this run's loader role, which owns only the scratch database, and the dump asked for more than that " +
    "(the message above names the statement). Restores never widen the loader's rights. If the statement is legitimate (an extension " +
    "that needs a superuser, say), create that object on the target beforehand; otherwise investigate where this dump came from.",
  "connection-failed":
    "Could not connect to or stay connected to the target server. Check the connection parameters (host, port, user, password, " +
    "SSL mode) and that the server is running and reachable from the worker.",
  "tool-failed": "See the tool's messages above; the raw output is kept with the run.",
};

const LOADER_CONNECTS =
  "The dump is loaded by a role made for each run (named rc_loader_…): the server's pg_hba.conf must let such roles connect " +
  "to the scratch database the way it lets the configured user.";

/** psql or pg_restore exited unsuccessfully; `stderr` is already filtered for secrets. */
export class RestoreToolError extends UnavailableError {
  readonly failure: RestoreFailure;

  constructor(
    readonly tool: string,
    readonly exit: { code: number | null; signal: string | null },
    readonly stderr: readonly string[],
    options: { aftermath: string; loader?: boolean },
  ) {
    const failure = classify(stderr, exit.code, options.loader ?? false);
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const last = stderr.slice(-5).join(" | ") || "no message";
    // The loader connects as a role of its own: a server that admits only named users refuses it.
    const loaderHint = options.loader && failure === "connection-failed" ? ` ${LOADER_CONNECTS}` : "";
    super(`${tool} ${how}: ${last}. ${options.aftermath} ${NEXT_STEP[failure]}${loaderHint}`, {
      details: { failure, tool, exitCode: exit.code, signal: exit.signal, stderr },
    });
    this.failure = failure;
  }
}

export class CancelledError extends ConflictError {
  readonly failure: RestoreFailure = "cancelled";

  constructor(aftermath: string) {
    super(`The restore was cancelled. ${aftermath}`, { details: { failure: "cancelled" } });
  }
}
