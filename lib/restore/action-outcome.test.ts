import { describe, expect, it } from "vitest";
import { cleanupOutcomeOf, isApprovalRequest, outcomeAnchor } from "./action-outcome";
import type { RunStatus } from "./engine/state";

const run = (status: RunStatus, over: { error?: string | null; cutOverAt?: string | null } = {}) => ({
  status,
  error: null,
  cutOverAt: null,
  ...over,
});
const requested = { approval: { id: "a" }, message: "Swap waits for a second person." };

describe("outcomeAnchor", () => {
  it("focuses the recorded request when four-eyes turned the action into one", () => {
    for (const action of ["swap", "rollback", "cut-over", "pitr-cleanup"] as const) {
      expect(outcomeAnchor(action, run("awaiting-swap"), requested)).toBe("requested");
    }
  });

  it("focuses the swap banner once the swap is confirmed, or the success if it already finished", () => {
    expect(outcomeAnchor("swap", run("running"), { id: "run" })).toBe("swap-confirmed");
    expect(outcomeAnchor("swap", run("succeeded"), { id: "run" })).toBe("succeeded");
    expect(outcomeAnchor("swap", run("awaiting-swap"), { id: "run" })).toBe("swap-panel");
    expect(outcomeAnchor("swap", run("failed", { error: "The scratch database vanished." }), null)).toBe("error");
  });

  it("focuses the rolled-back banner after a rollback", () => {
    expect(outcomeAnchor("rollback", run("rolled-back"), null)).toBe("rolled-back");
    expect(outcomeAnchor("rollback", run("succeeded"), null)).toBe("status");
  });

  it("focuses the cancel banner of a cancelled run, the status line of one still stopping", () => {
    expect(outcomeAnchor("cancel", run("cancelled", { error: "Cancelled by ops@example.com." }), null)).toBe("error");
    expect(outcomeAnchor("cancel", run("running"), null)).toBe("status");
  });

  it("focuses what a clean-up removed", () => {
    expect(outcomeAnchor("cleanup", run("succeeded"), { dropped: [] })).toBe("cleanup-result");
    expect(outcomeAnchor("pitr-cleanup", run("succeeded"), { dropped: ["db-1"] })).toBe("cleanup-result");
  });

  it("after accepting failures, focuses the swap confirmation still to give, else the status line", () => {
    expect(outcomeAnchor("accept-validation", run("awaiting-swap"), { accepted: 1 })).toBe("swap-panel");
    expect(outcomeAnchor("accept-validation", run("running"), { accepted: 1 })).toBe("status");
  });

  it("focuses the cut-over banner once the run is marked", () => {
    expect(outcomeAnchor("cut-over", run("succeeded", { cutOverAt: "2026-03-01T03:00:00.000Z" }), null)).toBe("cut-over");
    expect(outcomeAnchor("cut-over", run("succeeded"), null)).toBe("status");
  });

  it("never points at an error banner of a run that did not end badly", () => {
    expect(outcomeAnchor("cancel", run("awaiting-swap", { error: "Sessions are connected." }), null)).toBe("status");
  });
});

describe("isApprovalRequest", () => {
  it("tells a recorded request from an action's result", () => {
    expect(isApprovalRequest(requested)).toBe(true);
    expect(isApprovalRequest({ run: {} })).toBe(false);
    expect(isApprovalRequest(null)).toBe(false);
    expect(isApprovalRequest("approval")).toBe(false);
  });
});

describe("cleanupOutcomeOf", () => {
  it("reads what a logical or PITR clean-up removed", () => {
    expect(cleanupOutcomeOf({ run: {}, dropped: ["app_scratch_1"] })).toEqual({ removed: ["app_scratch_1"], finalSnapshot: null });
    expect(cleanupOutcomeOf({ dropped: ["i-1", "c-1"], finalSnapshot: "c-1-final" })).toEqual({
      removed: ["i-1", "c-1"],
      finalSnapshot: "c-1-final",
    });
  });

  it("is null for a recorded request or no answer", () => {
    expect(cleanupOutcomeOf(requested)).toBeNull();
    expect(cleanupOutcomeOf(null)).toBeNull();
    expect(cleanupOutcomeOf({ dropped: "x" })).toBeNull();
  });
});
