/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-side packages that ship native code, child-process helpers or dynamic requires:
  // keep them out of the bundle and load them from node_modules at run time.
  serverExternalPackages: ["pg", "pg-boss", "@prisma/adapter-pg", "bcryptjs"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
