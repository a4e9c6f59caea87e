import type { Severity } from "./types";

// What a run's validation verdict means once checks have a severity: only a failed `block` check
// stops the swap, and only until an admin accepts it with a reason.

interface Verdict {
  name: string;
  passed: boolean;
  severity: Severity;
}

/** A failed check that stops the swap (accepted or not). */
export function isBlockingFailure(result: Verdict): boolean {
  return !result.passed && result.severity === "block";
}

/** A failed check that is only shown. */
export function isWarning(result: Verdict): boolean {
  return !result.passed && result.severity === "warn";
}

/** The run's verdict: passed unless a `block` check failed; failed `warn` checks do not count. */
export function validationPassed(results: readonly Verdict[]): boolean {
  return !results.some(isBlockingFailure);
}

/** The blocking failures no admin has accepted yet: while there is one, the swap is refused. */
export function unacceptedBlockingFailures<T extends Verdict & { acceptedAt: unknown }>(results: readonly T[]): T[] {
  return results.filter((result) => isBlockingFailure(result) && (result.acceptedAt === null || result.acceptedAt === undefined));
}

/** Severity as stored; a value this code never writes reads as the safe one. */
export function severityOf(value: string): Severity {
  return value === "warn" ? "warn" : "block";
}
