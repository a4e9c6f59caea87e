import { describe, expect, it } from "vitest";
import { ACTIVE_STATUSES, canTransition, isActive, isRunStatus, isTerminal, RUN_STATUSES, sourcesOf, type RunStatus } from "./state";

describe("restore run transitions", () => {
  it("follow the happy path of a swap restore", () => {
    const path: RunStatus[] = ["queued", "running", "awaiting-swap", "running", "succeeded", "rolled-back"];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1] as RunStatus, path[i] as RunStatus)).toBe(true);
  });

  it("let every active run be cancelled, and only active runs", () => {
    for (const status of RUN_STATUSES) expect(canTransition(status, "cancelled")).toBe(ACTIVE_STATUSES.includes(status));
  });

  it("interrupt only a running run", () => {
    expect(sourcesOf("interrupted")).toEqual(["running"]);
  });

  it("roll back only a succeeded run", () => {
    expect(sourcesOf("rolled-back")).toEqual(["succeeded"]);
  });

  it("never leave a finished run", () => {
    for (const from of ["failed", "cancelled", "interrupted", "rolled-back"] as const) {
      for (const to of RUN_STATUSES) expect(canTransition(from, to)).toBe(false);
    }
  });

  it("never go back to queued, and never succeed without running", () => {
    expect(sourcesOf("queued")).toEqual([]);
    expect(sourcesOf("succeeded")).toEqual(["running"]);
    expect(canTransition("awaiting-swap", "succeeded")).toBe(false);
  });

  it("classify statuses", () => {
    expect(RUN_STATUSES.filter(isTerminal)).toEqual(["succeeded", "failed", "cancelled", "interrupted", "rolled-back"]);
    expect(RUN_STATUSES.filter(isActive)).toEqual(["queued", "running", "awaiting-swap"]);
    expect(isRunStatus("running")).toBe(true);
    expect(isRunStatus("done")).toBe(false);
  });
});
