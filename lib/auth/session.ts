import "server-only";
import { parse as parseCookies } from "cookie";
import { getToken } from "next-auth/jwt";
import type { DbOrTx } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import type { SessionUser } from "./roles";
import { sessionExpiresAt, UUID_PATTERN as UUID, type SessionClaims } from "./session-claims";

export { sessionExpiresAt, sessionLifetimeSeconds, type SessionClaims } from "./session-claims";

/** Why a token is not a session (for tests and the rare log line; never shown to a caller). */
export type SessionRefusal = "no_token" | "incomplete" | "expired" | "unknown_user" | "disabled" | "revoked" | "signed_out";

export type SessionCheck =
  | {
      ok: true;
      user: SessionUser;
      sessionId: string;
      passwordChangeRequired: boolean;
      /** The person's display zone (null: their browser's), read with the row that checks the session. */
      timeZone: string | null;
    }
  | { ok: false; reason: SessionRefusal };

/** The only API a person holding a one-time password may call: the one that replaces it. */
export const CHANGE_OWN_PASSWORD_PATH = "/api/users/me/password";

/**
 * The database, not the token, has the last word, on every request: the person must exist and be
 * enabled, the token's session version must be the person's current one (a role change, disable,
 * password reset or "end all sessions" bumps it), this session must not have been signed out, and
 * the absolute lifetime must not have passed. A token without our claims (issued before they
 * existed, or forged without them) is refused: signing in again issues a complete one.
 */
export async function checkSession(db: DbOrTx, claims: SessionClaims | null | undefined, now: Date = new Date()): Promise<SessionCheck> {
  if (!claims?.sub) return { ok: false, reason: "no_token" };
  const { sub, sid, sv, authTime } = claims;
  if (!UUID.test(sub) || typeof sid !== "string" || !UUID.test(sid) || !Number.isInteger(sv) || typeof authTime !== "number") {
    return { ok: false, reason: "incomplete" };
  }
  if (sessionExpiresAt(authTime).getTime() <= now.getTime()) return { ok: false, reason: "expired" };
  const user = await db.user
    .findUnique({ where: { id: sub }, include: { revokedSessions: { where: { sessionId: sid }, select: { sessionId: true } } } })
    .catch(() => null);
  if (!user) return { ok: false, reason: "unknown_user" };
  if (user.disabledAt) return { ok: false, reason: "disabled" };
  if (user.sessionVersion !== sv) return { ok: false, reason: "revoked" };
  if (user.revokedSessions.length > 0) return { ok: false, reason: "signed_out" };
  return {
    ok: true,
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    sessionId: sid,
    passwordChangeRequired: user.passwordChangeRequired,
    timeZone: user.timeZone,
  };
}

/**
 * The signed-in person behind a token's claims, or null. A person who still holds a one-time
 * password gets null here: the only thing such a session may do goes through `checkSession`.
 */
export async function loadSessionUser(db: DbOrTx, claims: SessionClaims | null | undefined): Promise<SessionUser | null> {
  const check = await checkSession(db, claims);
  return check.ok && !check.passwordChangeRequired ? check.user : null;
}

/** The decoded session token of a request (session cookie or `Authorization: Bearer <session token>`). */
export async function sessionClaimsFromHeaders(headers: Headers): Promise<SessionClaims | null> {
  const cookies = parseCookies(headers.get("cookie") ?? "");
  return getToken({
    req: { headers, cookies } as unknown as Parameters<typeof getToken>[0]["req"],
    secret: getEnv().NEXTAUTH_SECRET,
  });
}

/**
 * The signed-in user of an API request. A person who must still replace a one-time password is
 * signed in only for the endpoint that replaces it; everywhere else they count as signed out.
 */
export async function userFromRequest(db: DbOrTx, request: Request): Promise<SessionUser | null> {
  const check = await checkSession(db, await sessionClaimsFromHeaders(request.headers));
  if (!check.ok) return null;
  if (check.passwordChangeRequired && new URL(request.url).pathname !== CHANGE_OWN_PASSWORD_PATH) return null;
  return check.user;
}
