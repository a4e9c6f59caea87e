import type { DbOrTx } from "@/lib/db/client";

/**
 * Failures nobody can be held to account for — a sign-in for an email that has no account, a
 * sign-in answered "too many attempts", an API call without a session, a refused cross-site
 * request without one — are counted per window
 * instead of each writing a permanent audit row: one row per (window, kind, source), incremented
 * with an upsert. A flood therefore makes a bounded number of rows: at most
 * `MAX_SOURCES_PER_WINDOW` sources per kind and window, the rest counted under `(other sources)`.
 * Failures of a known account are still audited one by one (the sign-in throttle bounds them).
 */
export const ANONYMOUS_FAILURE_KINDS = [
  "sign_in.unknown_account",
  "sign_in.throttled",
  "api.unauthenticated",
  "api.csrf_refused",
  "api.token_refused",
] as const;
export type AnonymousFailureKind = (typeof ANONYMOUS_FAILURE_KINDS)[number];

export const ANONYMOUS_WINDOW_MS = 60 * 60 * 1000;
/** Above every API route this app has (a few dozen), so each route keeps its own row. */
export const MAX_SOURCES_PER_WINDOW = 200;
export const OTHER_SOURCES = "(other sources)";
const MAX_SOURCE_LENGTH = 200;

export function windowStartOf(at: Date, windowMs = ANONYMOUS_WINDOW_MS): Date {
  return new Date(Math.floor(at.getTime() / windowMs) * windowMs);
}

const ID_SEGMENT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+|[A-Za-z0-9_-]{21,})$/i;

/**
 * An API path with its identifiers replaced (`/api/restores/3f2a…/cancel` → `/api/restores/:id/cancel`),
 * so calls to one route count together and a caller cannot make a row per made-up id.
 */
export function routeOf(method: string, pathname: string): string {
  const path = pathname
    .split("/")
    .map((segment) => (ID_SEGMENT.test(segment) ? ":id" : segment))
    .join("/");
  return `${method.toUpperCase()} ${path}`;
}

export interface AnonymousFailureInput {
  kind: AnonymousFailureKind;
  /** The client address (sign-ins) or the route (`routeOf`, API calls). */
  source: string;
  at?: Date;
}

/** Counts one anonymous failure in its window (one statement; safe under concurrency). */
export async function recordAnonymousFailure(
  db: DbOrTx,
  input: AnonymousFailureInput,
  options: { windowMs?: number; maxSources?: number } = {},
): Promise<void> {
  const at = input.at ?? new Date();
  const windowStart = windowStartOf(at, options.windowMs);
  const source = input.source.slice(0, MAX_SOURCE_LENGTH) || "unknown";
  const maxSources = options.maxSources ?? MAX_SOURCES_PER_WINDOW;
  // A new source joins the window only while the window has room; otherwise it is counted as
  // "(other sources)". Concurrent first inserts can overshoot the cap by a few rows, never more.
  await db.$executeRaw`
    INSERT INTO anonymous_failures AS f (window_start, kind, source, count, first_at, last_at)
    SELECT ${windowStart}, ${input.kind},
           CASE WHEN EXISTS (SELECT 1 FROM anonymous_failures e
                              WHERE e.window_start = ${windowStart} AND e.kind = ${input.kind} AND e.source = ${source})
                  OR (SELECT count(*) FROM anonymous_failures e
                       WHERE e.window_start = ${windowStart} AND e.kind = ${input.kind}) < ${maxSources}
                THEN ${source} ELSE ${OTHER_SOURCES} END,
           1, ${at}, ${at}
    ON CONFLICT (window_start, kind, source)
    DO UPDATE SET count = f.count + 1, last_at = GREATEST(f.last_at, EXCLUDED.last_at)`;
}
