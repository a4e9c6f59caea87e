import type { Backup, BackupCatalogRefresh, BackupVerification } from "@/lib/generated/prisma/client";
import type { BackupReplicaView } from "./replica-copies";
import type { RestoreTested } from "./restore-tested";

/** A running verification with no progress for this long is shown as stalled (its worker died). */
export const STALLED_AFTER_MS = 60_000;

export type VerificationStatus = "queued" | "running" | "stalled" | "verified" | "mismatch" | "failed";

export interface VerificationView {
  id: string;
  status: VerificationStatus;
  expectedSha256: string | null;
  actualSha256: string | null;
  expectedSize: number | null;
  bytesTotal: number;
  bytesDone: number;
  /** Bytes per second over the run so far (or the whole run when finished). */
  throughput: number | null;
  error: string | null;
  requestedByEmail: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface BackupView {
  id: string;
  environment: string;
  key: string;
  name: string;
  format: string;
  size: number;
  takenAt: string;
  lastModified: string;
  manifestState: string;
  manifestError: string | null;
  manifest: unknown;
  expectedSha256: string | null;
  verificationState: string;
  verifiedAt: string | null;
  actualSha256: string | null;
  removed: boolean;
  /** The latest drill that restored and validated this backup (null: none has). */
  restoreTested: RestoreTested | null;
  /** What each configured replica holds of it, in the configuration's order. */
  replicas: BackupReplicaView[];
}

export function verificationView(v: BackupVerification, now = new Date()): VerificationView {
  const lastSign = v.progressAt ?? v.startedAt ?? v.createdAt;
  const active = v.status === "queued" || v.status === "running";
  const stalled = active && now.getTime() - lastSign.getTime() > STALLED_AFTER_MS;
  const end = v.finishedAt ?? v.progressAt;
  const seconds = v.startedAt && end ? (end.getTime() - v.startedAt.getTime()) / 1000 : 0;
  return {
    id: v.id,
    status: stalled ? "stalled" : (v.status as VerificationStatus),
    expectedSha256: v.expectedSha256,
    actualSha256: v.actualSha256,
    expectedSize: v.expectedSize === null ? null : Number(v.expectedSize),
    bytesTotal: Number(v.bytesTotal),
    bytesDone: Number(v.bytesDone),
    throughput: seconds > 0 ? Math.round(Number(v.bytesDone) / seconds) : null,
    error: v.error,
    requestedByEmail: v.requestedByEmail,
    createdAt: v.createdAt.toISOString(),
    startedAt: v.startedAt?.toISOString() ?? null,
    finishedAt: v.finishedAt?.toISOString() ?? null,
  };
}

export function backupView(b: Backup, restoreTested: RestoreTested | null, replicas: BackupReplicaView[]): BackupView {
  return {
    id: b.id,
    environment: b.environment,
    key: b.key,
    name: b.name,
    format: b.format,
    size: Number(b.size),
    takenAt: b.takenAt.toISOString(),
    lastModified: b.lastModified.toISOString(),
    manifestState: b.manifestState,
    manifestError: b.manifestError,
    manifest: b.manifest,
    expectedSha256: b.expectedSha256,
    verificationState: b.verificationState,
    verifiedAt: b.verifiedAt?.toISOString() ?? null,
    actualSha256: b.actualSha256,
    removed: b.removedAt !== null,
    restoreTested,
    replicas,
  };
}

export function isActive(v: VerificationView): boolean {
  return v.status === "queued" || v.status === "running";
}

export interface RefreshView {
  id: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  objectCount: number;
  backupCount: number;
  error: string | null;
}

export function refreshView(r: BackupCatalogRefresh): RefreshView {
  return {
    id: r.id,
    status: r.status,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    objectCount: r.objectCount,
    backupCount: r.backupCount,
    error: r.error,
  };
}
