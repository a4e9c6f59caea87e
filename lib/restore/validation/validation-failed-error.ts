import { BadRequestError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { FailureWithOutput } from "../engine/step-runner";
import { isBlockingFailure } from "./severity";
import type { ValidationReport } from "./types";

/** Blocking checks failed: the step fails, and its output keeps which ones. */
export class ValidationFailedError extends BadRequestError implements FailureWithOutput {
  readonly stepOutput: Prisma.InputJsonValue;

  constructor(report: ValidationReport, scratch: string, live: string) {
    const failed = report.results.filter(isBlockingFailure);
    super(
      `Validation failed (${failed.length} of ${report.results.length} checks blocking): ${failed.map((r) => `${r.name}: ${r.message}`).join(" ")} ` +
        `The restored copy is kept as ${scratch} for inspection; ${live} was not touched.`,
    );
    this.name = "ValidationFailedError";
    this.stepOutput = { passed: false, checks: report.results.length, failed: failed.map((r) => r.name) };
  }
}
