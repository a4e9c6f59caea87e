import pg from "pg";
import { describe, expect, it } from "vitest";
import { QueryFailedError, translateQueryError } from "./query-errors";

function serverError(message: string, code: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, "error");
  error.code = code;
  return error;
}

describe("translateQueryError", () => {
  it("names what the server refused, keeping its words and saying the connection still works", () => {
    const cases: Array<[pg.DatabaseError, string]> = [
      [serverError('relation "payments" does not exist', "42P01"), "missing-table"],
      [serverError("canceling statement due to statement timeout", "57014"), "timeout"],
      [serverError("cannot execute nextval() in a read-only transaction", "25006"), "read-only-violation"],
      [serverError("cannot insert multiple commands into a prepared statement", "42601"), "multiple-statements"],
      [serverError("permission denied for table loans", "42501"), "permission"],
      [serverError('column "nope" does not exist', "42703"), "server"],
    ];
    for (const [error, kind] of cases) {
      const translated = translateQueryError(error);
      expect(translated).toBeInstanceOf(QueryFailedError);
      expect(translated).toMatchObject({ kind, message: error.message, sqlState: error.code, fromServer: true, cause: error });
    }
    expect(translateQueryError(serverError('relation "payments" does not exist', "42P01")).table).toBe("payments");
  });

  it("tells a silent server and a broken connection apart from a server's refusal", () => {
    expect(translateQueryError(new Error("Query read timeout"), { queryTimeoutMs: 70_000 })).toMatchObject({
      kind: "client-timeout",
      waitedMs: 70_000,
      fromServer: false,
    });
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    expect(translateQueryError(refused)).toMatchObject({
      kind: "unreachable",
      message: "connect ECONNREFUSED 127.0.0.1:1",
      sqlState: "ECONNREFUSED",
      fromServer: false,
    });
  });

  it("never repeats the password, and leaves an already translated error alone", () => {
    const translated = translateQueryError(new Error("could not log in as app with hunter2"), { password: "hunter2" });
    expect(translated.message).toBe("could not log in as app with ********");
    expect(translateQueryError(translated)).toBe(translated);
  });
});
