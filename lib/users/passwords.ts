import { randomBytes } from "node:crypto";
import { hash as argon2Hash, parseOptions as argon2Options, verify as argon2Verify } from "@node-rs/argon2";
import bcrypt from "bcryptjs";

/**
 * argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): tens of ms per
 * check here. The native binding (@node-rs/argon2, napi prebuilt binaries) runs hash and verify
 * on the libuv thread pool, so the web server's event loop keeps answering while it works.
 */
const ARGON2ID = 2; // Algorithm.Argon2id (a const enum in the binding's types)
const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;

/** A new password's hash: argon2id, in the PHC string format (`$argon2id$v=19$m=…`). */
export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, ARGON2_OPTIONS);
}

const isBcrypt = (hash: string) => /^\$2[aby]\$\d\d\$/.test(hash);
const isArgon2 = (hash: string) => hash.startsWith("$argon2");

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash: argon2 (current) or bcrypt (accounts made before
 * argon2id; see `needsRehash`). Without a hash (unknown email) it still spends the same time on
 * a throwaway argon2id hash, so response times do not reveal which emails exist. An unreadable
 * hash is a failed check, never an exception.
 */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  try {
    if (hash && isArgon2(hash)) return await argon2Verify(hash, password);
    if (hash && isBcrypt(hash)) return await bcrypt.compare(password, hash);
  } catch {
    return false;
  }
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  await argon2Verify(await dummyHash, password).catch(() => false);
  return false;
}

/**
 * Whether a stored hash should be replaced after the next successful sign-in: bcrypt hashes and
 * argon2 hashes with other settings than today's are rehashed (rehash-on-login), so old hashes
 * disappear as people sign in, with no reset needed.
 */
export function needsRehash(hash: string | null | undefined): boolean {
  if (!hash) return false;
  if (!isArgon2(hash)) return true;
  try {
    const o = argon2Options(hash);
    return (
      o.algorithm !== ARGON2_OPTIONS.algorithm ||
      o.memoryCost !== ARGON2_OPTIONS.memoryCost ||
      o.timeCost !== ARGON2_OPTIONS.timeCost ||
      o.parallelism !== ARGON2_OPTIONS.parallelism
    );
  } catch {
    return true;
  }
}

/** A random password for generated accounts: 24 characters from a URL-safe alphabet. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}
