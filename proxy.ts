import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, createNonce, REQUESTED_PATH_HEADER, servedOverHttps } from "@/lib/http/security-headers";

/**
 * Next.js 16 middleware: a nonce-based Content-Security-Policy for every page.
 *
 * A fresh nonce per request goes into the CSP on the REQUEST (Next.js reads it there and puts
 * it on the scripts it renders, and the root layout reads `x-nonce` for its own inline script)
 * and on the RESPONSE (where the browser enforces it). No authentication here: every page and
 * every route handler checks the session itself. The other security headers (nosniff, referrer
 * policy, HSTS over https…) come from next.config.mjs, for API routes and static files too.
 * It also passes the requested path on, for the sign-in redirect to return to.
 */
export function proxy(request: NextRequest): NextResponse {
  const nonce = createNonce();
  const csp = contentSecurityPolicy(nonce, {
    dev: process.env.NODE_ENV === "development",
    https: servedOverHttps(request.nextUrl, request.headers),
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  // The page asked for, so a sign-in redirect can come back to it (set here, never taken from the client).
  requestHeaders.set(REQUESTED_PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: not API routes (JSON, and their request bodies must reach the route
      // wrapper's size limit unbuffered), not static files. Prefetches carry no document.
      source: "/((?!api/|_next/static|_next/image|favicon.ico|screenshots/).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
