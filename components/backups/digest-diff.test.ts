import { describe, expect, it } from "vitest";
import { differingRuns } from "./digest-diff";

describe("differingRuns", () => {
  it("marks where two digests differ, and only there", () => {
    expect(differingRuns("abc123", "abc124")).toEqual([
      { text: "abc12", differs: false },
      { text: "4", differs: true },
    ]);
    expect(differingRuns("aaaa", "abba")).toEqual([
      { text: "a", differs: false },
      { text: "bb", differs: true },
      { text: "a", differs: false },
    ]);
    expect(differingRuns("same", "same")).toEqual([{ text: "same", differs: false }]);
  });
});
