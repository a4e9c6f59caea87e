import { randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";

/** bcrypt cost 12: about a quarter of a second per check on this class of machine. */
const COST = 12;
export const MIN_PASSWORD_LENGTH = 12;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. Without a hash (unknown email) it still spends the
 * same time on a throwaway hash, so response times do not reveal which emails exist.
 */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (hash) return bcrypt.compare(password, hash);
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  await bcrypt.compare(password, await dummyHash);
  return false;
}

/** A random password for generated accounts: 24 characters from a URL-safe alphabet. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}
