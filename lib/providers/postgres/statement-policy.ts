import "server-only";
import { judgeStatement } from "./dump-statements";
import { DumpRefusedError } from "./errors";

const MAX_REPORTED = 50;

/** What the guard set aside, for the run's record: nothing here ran on the server. */
export interface GuardReport {
  /** `ALTER … OWNER TO` statements: ownership is given to the target's owner role after the load. */
  ownerChangesSkipped: number;
  /** GRANT/REVOKE naming roles the target does not have, and `ALTER DEFAULT PRIVILEGES FOR ROLE …`. */
  skipped: Array<{ line: number; reason: "grant-to-missing-role" | "default-privileges"; roles: string[] }>;
  /** Roles the dump named that the target lacks. */
  missingRoles: string[];
  /** pg_dump's `BEGIN` … `COMMIT` around large-object data, folded into the restore's transaction. */
  largeObjectBlocks: number;
}

export function refusal(line: number, what: string, why: string): DumpRefusedError {
  return new DumpRefusedError(`line ${line} holds ${what} (${why}); pg_dump never writes that`);
}

/** What to do with one statement: send it to psql, or drop it (keeping its newlines). */
export interface Decision {
  send: boolean;
  copyFromStdin: boolean;
  insert: boolean;
  /** pg_dump's large-object BEGIN or COMMIT: dropped inside the restore's own transaction, needed on a connection without one. */
  largeObject?: "begin" | "commit";
}

/**
 * Applies the verdicts of dump-statements.ts in order: refusals throw, skipped statements are
 * reported, and pg_dump's large-object `BEGIN` … `COMMIT` is accepted only around large-object
 * writes (its BEGIN and COMMIT are dropped: the restore's own transaction holds the data).
 */
export class StatementPolicy {
  readonly report: GuardReport = { ownerChangesSkipped: 0, skipped: [], missingRoles: [], largeObjectBlocks: 0 };
  /** The line of an open large-object block's BEGIN. */
  private largeObjectFrom: number | null = null;
  private readonly missing = new Set<string>();

  constructor(private readonly existingRoles?: ReadonlySet<string>) {}

  get largeObjectBlockOpen(): boolean {
    return this.largeObjectFrom !== null;
  }

  /** `head` describes the statement for a refusal (its first words); only a refusal pays for it. */
  decide(text: string, line: number, head: () => string): Decision {
    const verdict = judgeStatement(text, this.existingRoles);
    const send: Decision = { send: true, copyFromStdin: false, insert: false };
    const drop: Decision = { send: false, copyFromStdin: false, insert: false };
    if (this.largeObjectFrom !== null && !(verdict.action === "large-object" && verdict.part !== "begin")) {
      throw refusal(this.largeObjectFrom, "a BEGIN", `it is followed by ${head()} at line ${line}, not by pg_dump's large-object data`);
    }
    switch (verdict.action) {
      case "refuse":
        throw refusal(line, head(), verdict.why);
      case "large-object":
        if (verdict.part === "write") return send;
        if (verdict.part === "begin") this.largeObjectFrom = line;
        else if (this.largeObjectFrom === null)
          throw refusal(line, head(), "transaction control, which would end the restore's own transaction");
        else {
          this.largeObjectFrom = null;
          this.report.largeObjectBlocks++;
        }
        return { ...drop, largeObject: verdict.part };
      case "skip":
        this.recordSkip(verdict.reason, verdict.roles, line);
        return drop;
      case "pass":
        return { send: true, copyFromStdin: verdict.copyFromStdin ?? false, insert: verdict.insert ?? false };
    }
  }

  /** A statement too long to hold is judged by its head and streamed: only plain statements qualify. */
  decideStreamed(head: string, line: number, what: string): Decision {
    const verdict = judgeStatement(head);
    if (verdict.action !== "pass" || verdict.copyFromStdin || this.largeObjectFrom !== null)
      throw refusal(line, what, "only data statements are that long");
    return { send: true, copyFromStdin: false, insert: verdict.insert ?? false };
  }

  private recordSkip(reason: "owner" | "grant-to-missing-role" | "default-privileges", roles: string[], line: number): void {
    if (reason === "owner") {
      this.report.ownerChangesSkipped++;
      return;
    }
    if (this.report.skipped.length < MAX_REPORTED) this.report.skipped.push({ line, reason, roles });
    if (reason !== "grant-to-missing-role") return;
    for (const role of roles) {
      if (this.missing.has(role)) continue;
      this.missing.add(role);
      this.report.missingRoles.push(role);
    }
  }
}
