/**
 * Requests to route handlers called as functions, as the app's own pages send them.
 *
 * `useTestEnv` sets NEXTAUTH_URL to TEST_ORIGIN, so `Origin: TEST_ORIGIN` is the same-origin
 * proof the route wrapper asks of every non-GET request (CSRF); a test that means to be
 * cross-site passes its own headers instead.
 */
export const TEST_ORIGIN = "http://127.0.0.1:3000";

/** The proof a browser adds to a same-origin POST from one of our pages (it also sends Sec-Fetch-Site). */
export const SAME_ORIGIN_HEADERS: Readonly<Record<string, string>> = { origin: TEST_ORIGIN };

export interface ApiRequestInit {
  method?: string;
  /** A session cookie (`TestUser.cookie`). */
  cookie?: string;
  /** Sent as JSON with `Content-Type: application/json`; undefined sends no body. */
  body?: unknown;
  /** Extra headers, applied last: a value replaces the same-origin ones, null removes a header. */
  headers?: Record<string, string | null>;
  signal?: AbortSignal;
}

/** A `Request` for `pathOrUrl` (a path is resolved against TEST_ORIGIN) from our own pages. */
export function apiRequest(pathOrUrl: string, init: ApiRequestInit = {}): Request {
  const headers = new Headers(SAME_ORIGIN_HEADERS);
  if (init.cookie) headers.set("cookie", init.cookie);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  return new Request(new URL(pathOrUrl, TEST_ORIGIN), {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
}
