import { describe, expect, it } from "vitest";
import { BadRequestError } from "@/lib/errors";
import { quoteIdent } from "./admin";

describe("quoteIdent", () => {
  it("quotes names as identifiers, doubling embedded quotes", () => {
    expect(quoteIdent("loanserve")).toBe('"loanserve"');
    expect(quoteIdent("LoanServe-DR")).toBe('"LoanServe-DR"');
    expect(quoteIdent('x"; DROP DATABASE prod; --')).toBe('"x""; DROP DATABASE prod; --"');
  });

  it("refuses what PostgreSQL cannot name", () => {
    expect(() => quoteIdent("")).toThrow(BadRequestError);
    expect(() => quoteIdent("a\u0000b")).toThrow(BadRequestError);
    expect(() => quoteIdent("x".repeat(64))).toThrow(BadRequestError);
    expect(quoteIdent("x".repeat(63))).toHaveLength(65);
  });
});
