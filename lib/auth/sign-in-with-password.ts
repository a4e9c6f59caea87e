import { recordAnonymousFailure } from "@/lib/audit/record-anonymous-failure";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { Ctx } from "@/lib/db/ctx";
import { hashPassword, needsRehash, verifyPassword } from "@/lib/users/passwords";
import { addressBucket } from "./client-address";
import type { Role } from "./roles";
import type { SignInThrottle } from "./sign-in-throttle";
import { throttledErrorCode } from "./sign-in-throttled-error";

/**
 * Thrown when a sign-in is throttled. Its message is the code the sign-in form reads
 * (`SignInThrottled:<seconds>`): next-auth hands an `authorize` error's message to the client.
 */
export class SignInThrottledError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(throttledErrorCode(retryAfterSeconds));
    this.name = "SignInThrottledError";
  }
}

export interface SignInWithPasswordInput {
  /** Lower-cased. */
  email: string;
  password: string;
  /** The client's address (see `clientAddress`). */
  address: string;
}

export interface SignedInUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

/**
 * Email and password sign-in: throttled per account and per address before the password is
 * checked, argon2id hashes checked off the main thread, and an old (bcrypt) hash replaced by
 * argon2id on success. Failures of a known account are audited one by one; failures for an
 * email without an account and throttled attempts are counted per window (anonymous failures).
 * Returns the user, or null for "email or password is incorrect" (the same for every reason).
 */
export async function signInWithPassword({
  ctx,
  input,
  throttle,
}: {
  /** Nobody is signed in yet. */
  ctx: Ctx<null>;
  input: SignInWithPasswordInput;
  throttle: SignInThrottle;
}): Promise<SignedInUser | null> {
  const { db, requestId } = ctx;
  const attempt = await throttle.begin({ account: input.email, address: addressBucket(input.address) });
  if (attempt.throttled) {
    await recordAnonymousFailure(db, { kind: "sign_in.throttled", source: input.address });
    throw new SignInThrottledError(attempt.retryAfterSeconds);
  }

  const user = await db.user.findUnique({ where: { email: input.email } });
  const ok = await verifyPassword(input.password, user?.passwordHash);
  if (!user || !ok || user.disabledAt) {
    const { failures, backoffSeconds } = await attempt.failed();
    if (!user) {
      await recordAnonymousFailure(db, { kind: "sign_in.unknown_account", source: input.address });
    } else {
      await recordAuditEvent(db, {
        actor: { id: user.id, email: user.email },
        action: "auth.sign_in",
        outcome: "denied",
        payload: {
          provider: "credentials",
          reason: user.disabledAt ? "disabled" : "bad credentials",
          address: input.address,
          failuresInARow: failures,
          ...(backoffSeconds === null ? {} : { backoffSeconds }),
        },
        requestId,
      });
    }
    return null;
  }

  await attempt.succeeded();
  const rehashed = needsRehash(user.passwordHash) ? await hashPassword(input.password) : null;
  // Guarded on the old hash: a password reset that lands meanwhile is never overwritten.
  if (rehashed) await db.user.updateMany({ where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash: rehashed } });
  await db.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
  await recordAuditEvent(db, {
    actor: { id: user.id, email: user.email },
    action: "auth.sign_in",
    payload: { provider: "credentials", address: input.address, ...(rehashed ? { rehashed: "argon2id" } : {}) },
    requestId,
  });
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
