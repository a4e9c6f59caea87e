import { describe, expect, it } from "vitest";
import { TargetAdminError } from "@/lib/providers/postgres/admin";
import { ChecksumMismatchError, IncompleteDumpError, RestoreToolError } from "@/lib/providers/postgres/errors";
import { StepTimeoutError } from "./step-runner";
import { ADVICE, describeFailure } from "./troubleshooting";

describe("describeFailure", () => {
  it("maps a permission error to the runbook's CREATE-privilege advice", () => {
    const error = new RestoreToolError("psql", { code: 3, signal: null }, ["ERROR:  permission denied for schema public"], {
      aftermath: "Nothing was committed.",
    });
    const described = describeFailure(error);
    expect(described.troubleshooting).toBe(ADVICE.permission);
    expect(described.error).toMatch(/permission denied/);
  });

  it("never advises widening privileges when the dump itself asked for more than its copy (loader refused)", () => {
    const error = new RestoreToolError(
      "psql",
      { code: 3, signal: null },
      ['line 12 of the dump: ERROR:  permission denied to create extension "plperlu"'],
      {
        aftermath: "Nothing was committed.",
        loader: true,
      },
    );
    const described = describeFailure(error);
    expect(described.troubleshooting).toBe(ADVICE.notPermitted);
    expect(`${described.error} ${described.troubleshooting}`).not.toMatch(/grant|ensure the target user has/i);
    expect(described.error).toMatch(/line 12 of the dump/);
  });

  it("tells why the loader may be refused a connection the configured user gets", () => {
    const stderr = [
      'psql: error: connection to server at "db" failed: FATAL:  no pg_hba.conf entry for host "10.0.0.5", user "rc_loader_0a1b", database "x"',
    ];
    const error = new RestoreToolError("psql", { code: 2, signal: null }, stderr, { aftermath: "Nothing was committed.", loader: true });
    expect(describeFailure(error).troubleshooting).toBe(ADVICE.connection);
    expect(error.message).toMatch(/pg_hba\.conf must let such roles connect/);
    expect(new RestoreToolError("psql", { code: 2, signal: null }, stderr, { aftermath: "x" }).message).not.toMatch(/rc_loader_…/);
  });

  it("maps a slow restore (timeout) to the parallel-restore advice", () => {
    expect(describeFailure(new StepTimeoutError("restore", 6 * 3_600_000)).troubleshooting).toBe(ADVICE.slow);
  });

  it("tells people not to restore a backup whose checksum does not match", () => {
    const described = describeFailure(new ChecksumMismatchError("a".repeat(64), "b".repeat(64)));
    expect(described.troubleshooting).toBe(ADVICE.checksum);
    expect(described.troubleshooting).toMatch(/do not restore this backup; pick another/i);
  });

  it("maps truncation and admin connection failures", () => {
    expect(describeFailure(new IncompleteDumpError("no end marker")).troubleshooting).toBe(ADVICE.incomplete);
    expect(describeFailure(new TargetAdminError("connection-failed", "Could not connect")).troubleshooting).toBe(ADVICE.connection);
  });

  it("never shows internals or secrets", () => {
    const described = describeFailure(new Error("connect failed for postgres://u:hunter2@db/x with password=hunter2"), ["hunter2"]);
    expect(described.error).toBe("The step failed unexpectedly.");
    expect(described.detail).not.toContain("hunter2");
    expect(described.detail).toContain("connect failed");
  });
});
