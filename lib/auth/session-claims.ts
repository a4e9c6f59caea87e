import { getEnv } from "@/lib/env";

/**
 * The claims of ours a session token carries, set once at sign-in by the `jwt` callback:
 * `sid` names this one session (sign-out revokes it), `sv` is the person's session version
 * when it was issued (bumping the version revokes all of their sessions), `authTime` is the
 * sign-in time in seconds (the absolute lifetime counts from it, however often the cookie rolls).
 */
export interface SessionClaims {
  sub?: string | null;
  sid?: unknown;
  sv?: unknown;
  authTime?: unknown;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The absolute session lifetime in seconds (`SESSION_LIFETIME_HOURS`, default 12). */
export function sessionLifetimeSeconds(): number {
  return Math.round(getEnv().SESSION_LIFETIME_HOURS * 3600);
}

/** When a session signed in at `authTime` (seconds) ends, whatever happens meanwhile. */
export function sessionExpiresAt(authTime: number): Date {
  return new Date((authTime + sessionLifetimeSeconds()) * 1000);
}
