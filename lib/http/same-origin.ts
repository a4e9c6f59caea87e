/** Methods a browser may send cross-site without any proof of intent; we never change state on them. */
export function isSafeMethod(method: string): boolean {
  return method === "GET" || method === "HEAD" || method === "OPTIONS";
}

export type SameOriginVerdict =
  { ok: true; via: "origin" | "sec-fetch-site" | "bearer" } | { ok: false; origin: string | null; secFetchSite: string | null };

/**
 * Whether a state-changing request provably comes from our own pages (CSRF defence).
 *
 * Accepted:
 * - `Origin` exactly equal to the public URL's origin (NEXTAUTH_URL). Browsers send Origin on
 *   every cross-origin request and on same-origin POST/PUT/PATCH/DELETE; a page elsewhere
 *   (another port of the same host included) cannot forge it.
 * - `Sec-Fetch-Site: same-origin` (a forbidden header name: only the browser sets it), for
 *   the app reached under another name than the public URL by its own page.
 * - An `Authorization: Bearer …` header: a cross-site page can only add it with a CORS
 *   preflight, which this app never grants, so it cannot ride on a victim's browser. This
 *   keeps non-browser API clients working without faking an Origin.
 * Anything else — no Origin, `Origin: null`, another origin, `Sec-Fetch-Site: same-site` or
 * `cross-site` — is refused.
 */
export function checkSameOrigin(headers: Headers, publicOrigin: string): SameOriginVerdict {
  const origin = headers.get("origin");
  const secFetchSite = headers.get("sec-fetch-site");
  if (origin !== null && origin === publicOrigin) return { ok: true, via: "origin" };
  if (secFetchSite === "same-origin") return { ok: true, via: "sec-fetch-site" };
  if (/^Bearer\s+\S/i.test(headers.get("authorization") ?? "")) return { ok: true, via: "bearer" };
  return { ok: false, origin, secFetchSite };
}

/** The origin (scheme://host[:port]) of the public URL, as browsers write it in `Origin`. */
export function originOf(url: string): string {
  return new URL(url).origin;
}
