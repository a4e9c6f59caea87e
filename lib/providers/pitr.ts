import "server-only";
import { AppError, BadRequestError, ConflictError, ForbiddenError, NotFoundError, UnavailableError } from "@/lib/errors";

/**
 * Point-in-time recovery behind one interface: Aurora and RDS for PostgreSQL through the RDS API,
 * and a self-hosted PostgreSQL with a WAL archive. Speaks our types only; SDK types and errors
 * never leave the implementation.
 */

/** What can be restored to, as described now. Either end may be unknown (AWS can omit them). */
export interface RestoreWindow {
  earliest: Date | null;
  latest: Date | null;
  /** How far `latest` lags the time of the description, in seconds (null when latest is unknown). */
  lagSeconds: number | null;
  describedAt: Date;
  /** Human notes, e.g. "LatestRestorableTime was not reported by RDS". */
  notes: string[];
  /** Set when the window is one snapshot (a copy in the DR region): it alone can be restored, as it is. */
  snapshot?: { name: string; takenAt: Date };
}

export type RecoveryPoint = { kind: "time"; time: Date } | { kind: "latest" };

/** Where the restored database can be reached. The password is the source's (by reference), never here. */
export interface PitrEndpoint {
  host: string;
  port: number;
  database: string;
  user: string;
  /** The restored cluster/instance/data directory we created, for clean-up. */
  identifier: string;
}

export interface PitrPreflight {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; message: string }>;
}

/** For long operations: a way to report what is happening, and to stop. */
export interface PitrCallContext {
  signal?: AbortSignal;
  log?: (message: string) => void;
}

export interface PitrProvider {
  readonly kind: "aws-aurora" | "aws-rds-instance" | "local";
  /** The resource names a run will create: deterministic from the run id, so a retry finds them. */
  resourceIdentifiers(runId: string): string[];
  describeWindow(ctx?: PitrCallContext): Promise<RestoreWindow>;
  /** Changes nothing: identifiers free (or already ours), permissions, the window. */
  preflight(runId: string, target: RecoveryPoint, ctx?: PitrCallContext): Promise<PitrPreflight>;
  /**
   * Starts the restore to `target` (re-checking the window first). Safe to call again after a
   * crash or a lost response: a resource that already exists and carries this run's tag is adopted.
   */
  restore(runId: string, target: RecoveryPoint, ctx?: PitrCallContext): Promise<{ identifier: string; adopted: boolean }>;
  /** Aurora needs a writer instance in the restored cluster; other providers resolve at once. */
  createWriter(runId: string, ctx?: PitrCallContext): Promise<{ identifier: string | null; adopted: boolean }>;
  /** Waits (with an explicit maximum) until the restored database accepts connections. */
  waitUntilAvailable(runId: string, options: PitrCallContext & { timeoutMs: number }): Promise<PitrEndpoint>;
  /**
   * Deletes what this run created (writer before cluster); never touches anything without our tag.
   * The only call that lifts the deletion protection `restore` puts on what it creates. With
   * `finalSnapshot`, the data is kept first under `finalSnapshotIdentifier`.
   */
  cleanup(runId: string, options: PitrCleanupOptions, ctx?: PitrCallContext): Promise<PitrCleanupResult>;
}

export interface PitrCleanupOptions {
  /** Keep the restored data (an RDS snapshot, or the local data directory moved aside) before deleting. */
  finalSnapshot: boolean;
}

export interface PitrCleanupResult {
  /** What was deleted now (or was already being deleted). */
  deleted: string[];
  /** The final snapshot taken (or found already taken by an earlier attempt); null when skipped or nothing was deleted. */
  finalSnapshot: string | null;
}

const FINAL_SNAPSHOT_SUFFIX = "-final";

/**
 * The final snapshot clean-up takes of a restored server, named from its identifier (itself
 * derived from the run id), so a retried clean-up finds the snapshot it already took. Pure, for
 * the page that names it before anything happens. A local identifier is the run's folder: its
 * snapshot is a sibling `snapshots/<folder>-final`.
 */
export function finalSnapshotIdentifier(kind: PitrProvider["kind"], restoredIdentifier: string): string {
  if (kind !== "local") return `${restoredIdentifier}${FINAL_SNAPSHOT_SUFFIX}`;
  const slash = restoredIdentifier.lastIndexOf("/");
  return `${restoredIdentifier.slice(0, slash + 1)}snapshots/${restoredIdentifier.slice(slash + 1)}${FINAL_SNAPSHOT_SUFFIX}`;
}

/** The chosen time is outside what can be restored (the runbook's "invalid restore time"). */
export class RestoreWindowError extends BadRequestError {}

/** The cloud API asked us to slow down, and kept doing so past our retries. */
export class ThrottledError extends UnavailableError {}

/** A resource with our deterministic name exists but is not ours (no run tag, or another run's). */
export class NameCollisionError extends ConflictError {}

export class PitrAccessDeniedError extends ForbiddenError {}

export class PitrResourceNotFoundError extends NotFoundError {}

/** The restore itself failed (incompatible parameters, storage full, recovery error…). */
export class PitrFailedError extends AppError {
  override readonly code = "unavailable";
  override readonly status = 502;
}

/** The wait's maximum time passed before the database was available. */
export class PitrTimeoutError extends PitrFailedError {}
