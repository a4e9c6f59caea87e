/**
 * How a throttled sign-in reaches the sign-in form. next-auth 4 passes the message of an error
 * thrown by `authorize` to the client as `error` (and to the sign-in page as `?error=`), so the
 * wait travels in that code. Safe to import from client components.
 */
const PREFIX = "SignInThrottled:";

export function throttledErrorCode(retryAfterSeconds: number): string {
  return `${PREFIX}${Math.max(1, Math.ceil(retryAfterSeconds))}`;
}

/** The wait in seconds when `code` is a throttled sign-in's, else null. */
export function parseThrottledError(code: string | null | undefined): number | null {
  if (!code?.startsWith(PREFIX)) return null;
  const value = Number(code.slice(PREFIX.length));
  return Number.isInteger(value) && value > 0 ? value : null;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} min`;
}

/** What the person reads: what happened and when to try again. */
export function throttledMessage(retryAfterSeconds: number): string {
  return `Too many sign-in attempts. Try again in ${duration(retryAfterSeconds)}.`;
}
