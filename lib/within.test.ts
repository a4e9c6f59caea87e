import { describe, expect, it } from "vitest";
import { rejectAfter } from "./within";

describe("rejectAfter", () => {
  it("gives the work's outcome when it comes in time", async () => {
    await expect(rejectAfter(Promise.resolve(7), 1_000, "late")).resolves.toBe(7);
    await expect(rejectAfter(Promise.reject(new Error("broken")), 1_000, "late")).rejects.toThrow("broken");
  });

  it("rejects with the message when the time runs out", async () => {
    await expect(rejectAfter(new Promise(() => {}), 10, "no answer within 0.01 s")).rejects.toThrow("no answer within 0.01 s");
  });
});
