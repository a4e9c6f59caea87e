/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-side packages that ship native code, child-process helpers or dynamic requires:
  // keep them out of the bundle and load them from node_modules at run time.
  serverExternalPackages: ["pg", "pg-boss", "@prisma/adapter-pg", "bcryptjs"],
  poweredByHeader: false,
  // Security headers for every response (pages, API routes, static files). The nonce-based
  // Content-Security-Policy is per request, so it is set by proxy.ts, not here.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          // For browsers without CSP frame-ancestors, and for responses proxy.ts does not see.
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
        ],
      },
      {
        // HSTS only when the browser came over https: `next start` speaks plain http, so https
        // means a TLS-terminating proxy in front, which says so in X-Forwarded-Proto.
        source: "/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: "https(?:,.*)?" }],
        headers: [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }],
      },
    ];
  },
  typedRoutes: false,
};

export default nextConfig;
