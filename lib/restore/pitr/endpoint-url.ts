import type { PitrSource } from "@/lib/config/schema";
import { checkRdsCaBundle } from "@/lib/providers/aws/rds-ca-bundle";
import type { PitrEndpoint } from "@/lib/providers/pitr";

/**
 * The restored database's URL for the worker's `pg` clients, with the source's password (never
 * log or store it). An RDS/Aurora endpoint is reached with sslmode=verify-full against the
 * source's CA bundle: the chain must lead to a CA in that file and the certificate must name the
 * endpoint's host. A missing or unreadable bundle throws (CaBundleError) rather than connecting
 * unverified. A local restored server listens on loopback only, without TLS.
 */
export async function pitrEndpointUrl(source: PitrSource, endpoint: PitrEndpoint, password: string | undefined): Promise<string> {
  const url = new URL(`postgresql://${endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}/`);
  url.pathname = `/${encodeURIComponent(endpoint.database)}`;
  url.username = encodeURIComponent(endpoint.user);
  if (password) url.password = encodeURIComponent(password);
  if (source.provider === "aws") {
    await checkRdsCaBundle(source.caBundleFile);
    url.searchParams.set("sslmode", "verify-full");
    // pg reads this file itself when the URL is parsed; checked just above for a clear error.
    url.searchParams.set("sslrootcert", source.caBundleFile ?? "");
  } else {
    url.searchParams.set("sslmode", "disable");
  }
  url.searchParams.set("application_name", "restore-console");
  return url.toString();
}
