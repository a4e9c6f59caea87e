import { describe, expect, it } from "vitest";
import { parseThrottledError, throttledErrorCode, throttledMessage } from "./sign-in-throttled-error";

describe("the throttled sign-in code", () => {
  it("carries the wait to the form, which says when to try again", () => {
    expect(parseThrottledError(throttledErrorCode(14.2))).toBe(15);
    expect(parseThrottledError("CredentialsSignin")).toBeNull();
    expect(parseThrottledError(null)).toBeNull();
    expect(throttledMessage(15)).toBe("Too many sign-in attempts. Try again in 15 s.");
    expect(throttledMessage(600)).toBe("Too many sign-in attempts. Try again in 10 min.");
  });
});
