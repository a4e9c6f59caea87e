import type { RestoreRunView } from "./restore-run-views";

// Where the run page puts focus after a person's action succeeded: on what now says what happened
// (or the next thing to do), so a keyboard or screen-reader user is not left on the page's body
// when the button they pressed goes away. Pure: the page asks once it shows the new state.

/** The actions a person takes on a run page (the verbs behind /api/restores/<id>/<action>). */
export type RunAction = "cancel" | "swap" | "rollback" | "cleanup" | "accept-validation" | "cut-over" | "pitr-cleanup";

/**
 * The elements that say what an action did. `status` (the run's status line) is always on the
 * page, so it is where focus goes when the expected element is not (yet) there.
 */
export type OutcomeAnchor =
  "status" | "error" | "requested" | "swap-confirmed" | "swap-panel" | "succeeded" | "rolled-back" | "cleanup-result" | "cut-over";

/** A guarded action on a four-eyes environment answers 202 with the recorded request instead of doing it. */
export function isApprovalRequest(response: unknown): boolean {
  return typeof response === "object" && response !== null && "approval" in response;
}

/** What a clean-up answered: the databases (or the restored server's parts) it removed, and a PITR run's final snapshot. */
export interface CleanupOutcome {
  removed: string[];
  finalSnapshot: string | null;
}

export function cleanupOutcomeOf(response: unknown): CleanupOutcome | null {
  if (typeof response !== "object" || response === null || !("dropped" in response)) return null;
  const { dropped } = response;
  if (!Array.isArray(dropped)) return null;
  const finalSnapshot = "finalSnapshot" in response && typeof response.finalSnapshot === "string" ? response.finalSnapshot : null;
  return { removed: dropped.filter((name): name is string => typeof name === "string"), finalSnapshot };
}

type OutcomeRun = Pick<RestoreRunView, "status" | "error" | "cutOverAt">;

/** The banner of a run that ended badly (its error says why, a cancel says who), else the status line. */
function endOf(run: OutcomeRun): OutcomeAnchor {
  return run.error !== null && (run.status === "failed" || run.status === "cancelled" || run.status === "interrupted") ? "error" : "status";
}

/** Where focus goes after `action` succeeded, given the run as the page shows it now. */
export function outcomeAnchor(action: RunAction, run: OutcomeRun, response: unknown): OutcomeAnchor {
  if (isApprovalRequest(response)) return "requested";
  switch (action) {
    case "cleanup":
    case "pitr-cleanup":
      return "cleanup-result";
    case "cut-over":
      return run.cutOverAt !== null ? "cut-over" : endOf(run);
    case "rollback":
      return run.status === "rolled-back" ? "rolled-back" : endOf(run);
    case "swap":
      // The worker may have finished the swap before the page fetched the run again.
      if (run.status === "running") return "swap-confirmed";
      if (run.status === "succeeded") return "succeeded";
      // Sent back to wait (sessions appeared meanwhile): the swap panel says why.
      return run.status === "awaiting-swap" ? "swap-panel" : endOf(run);
    case "accept-validation":
      // A swap still needs its confirmation, the next thing to do; otherwise the run goes on.
      return run.status === "awaiting-swap" ? "swap-panel" : endOf(run);
    case "cancel":
      // A running step takes a moment to stop: the status line says it is being cancelled.
      return endOf(run);
  }
}
