// The restore run's status machine, as data. Every status change in lib/restore goes through
// canTransition and a guarded UPDATE (transition-run.ts), so a lost race is a ConflictError.

export const RUN_STATUSES = [
  "queued",
  "running",
  "awaiting-swap",
  "succeeded",
  "failed",
  "cancelled",
  "interrupted",
  "rolled-back",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const STEP_STATUSES = ["pending", "running", "succeeded", "failed", "skipped", "cancelled"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

const TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ["running", "cancelled", "failed"],
  // awaiting-swap: the restored copy is validated and waits for a person (to confirm the swap, or,
  // after a blocking validation failure, for an admin to accept it); interrupted: the worker died
  // where resuming is not safe.
  running: ["awaiting-swap", "succeeded", "failed", "cancelled", "interrupted"],
  // running: the person confirmed the swap (or an admin accepted a new-database run's blocking
  // failures); failed: the scratch database vanished meanwhile.
  "awaiting-swap": ["running", "cancelled", "failed"],
  // Only a swap that kept the previous database can be rolled back (the verb checks that).
  succeeded: ["rolled-back"],
  failed: [],
  cancelled: [],
  interrupted: [],
  "rolled-back": [],
};

/** A run holds its target (the lock row) while it is in one of these. */
export const ACTIVE_STATUSES: readonly RunStatus[] = ["queued", "running", "awaiting-swap"];

export function isRunStatus(value: unknown): value is RunStatus {
  return typeof value === "string" && (RUN_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** No more work will happen on its own (a succeeded swap can still be rolled back by a person). */
export function isTerminal(status: RunStatus): boolean {
  return !ACTIVE_STATUSES.includes(status);
}

export function isActive(status: RunStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

/** The statuses a run may move to `to` from: what the guarded UPDATE's `WHERE status IN (...)` allows. */
export function sourcesOf(to: RunStatus): RunStatus[] {
  return RUN_STATUSES.filter((from) => canTransition(from, to));
}
