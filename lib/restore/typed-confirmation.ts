import { BadRequestError } from "@/lib/errors";

/**
 * The server's half of a typed confirmation: the person typed exactly `expected`, or nothing
 * happens. The refusal (400) carries the expected text, so the dialog can show what to type.
 */
export function requireTypedConfirmation(typed: string | undefined, expected: string, what: string): void {
  if ((typed ?? "").trim() !== expected)
    throw new BadRequestError(`Type exactly "${expected}" to confirm ${what}.`, { details: { expected } });
}
