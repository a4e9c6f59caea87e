/**
 * The Content-Security-Policy of every page, with this request's nonce. Next.js reads the
 * nonce from the request's CSP header and puts it on its own scripts (framework, page chunks,
 * inline RSC payload); 'strict-dynamic' lets those scripts load the chunks they import, and
 * nothing else runs: no injected inline script, no script from another origin.
 *
 * Styles allow 'unsafe-inline': React renders `style` attributes (progress bars, timelines)
 * and the theme switcher inserts a <style>; a nonce cannot cover either, and CSS cannot run
 * script. `connect-src 'self'` covers fetch and the live EventSource streams.
 */
export function contentSecurityPolicy(nonce: string, options: { dev?: boolean; https?: boolean } = {}): string {
  const directives = [
    "default-src 'self'",
    // React's development build needs eval for its error overlays; production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** A fresh, unguessable nonce per response (128 random bits, base64). */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/** Whether the browser reached us over https (directly, or through a TLS-terminating proxy). */
export function servedOverHttps(url: URL, headers: Headers): boolean {
  if (url.protocol === "https:") return true;
  return headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}

/** The request header the proxy sets to the page's path and query, for the sign-in redirect. */
export const REQUESTED_PATH_HEADER = "x-requested-path";
