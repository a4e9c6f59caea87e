import { describe, expect, it } from "vitest";
import { acceptsChanges, canReview, canTransition, INCIDENT_STATUSES, isActive, isTerminal, nextStatuses } from "./state";

describe("incident state table", () => {
  it("moves only forward, one step at a time", () => {
    const allowed = INCIDENT_STATUSES.flatMap((from) =>
      INCIDENT_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`),
    );
    expect(allowed).toEqual(["open→recovering", "recovering→recovered", "recovered→closed"]);
  });

  it("refuses skipping a step, going back and staying put", () => {
    expect(canTransition("open", "recovered")).toBe(false);
    expect(canTransition("open", "closed")).toBe(false);
    expect(canTransition("recovered", "recovering")).toBe(false);
    expect(canTransition("closed", "open")).toBe(false);
    expect(canTransition("open", "open")).toBe(false);
  });

  it("closed is the only terminal status", () => {
    expect(INCIDENT_STATUSES.filter(isTerminal)).toEqual(["closed"]);
    expect(nextStatuses("closed")).toEqual([]);
  });

  it("says what is still worked, editable and reviewable", () => {
    expect(INCIDENT_STATUSES.filter(isActive)).toEqual(["open", "recovering"]);
    expect(INCIDENT_STATUSES.filter(acceptsChanges)).toEqual(["open", "recovering", "recovered"]);
    expect(INCIDENT_STATUSES.filter(canReview)).toEqual(["recovered", "closed"]);
  });
});
