import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "pg-connection-string";
import { afterAll, describe, expect, it } from "vitest";
import type { PitrSource } from "@/lib/config/schema";
import { CaBundleError, RDS_GLOBAL_BUNDLE_URL } from "@/lib/providers/aws/rds-ca-bundle";
import type { PitrEndpoint } from "@/lib/providers/pitr";
import { certificateDir, makeCertificateAuthority } from "@/lib/testing/certificates";
import { pitrEndpointUrl } from "./endpoint-url";

const CERTS = certificateDir();
const CA = makeCertificateAuthority(CERTS, "Test RDS CA");
afterAll(() => rmSync(CERTS, { recursive: true, force: true }));

const ENDPOINT: PitrEndpoint = {
  host: "loanserve-restore-4e65d3fb.cluster-abc.us-east-1.rds.amazonaws.com",
  port: 5432,
  database: "loanserve",
  user: "loanserve",
  identifier: "loanserve-restore-4e65d3fb",
};

const aws = (caBundleFile?: string): PitrSource => ({
  provider: "aws",
  engine: "aurora-postgresql",
  region: "us-east-1",
  clusterIdentifier: "loanserve-prod",
  writerInstanceClass: "db.r6g.large",
  restoredIdentifierPrefix: "loanserve-restore",
  database: "loanserve",
  user: "loanserve",
  ...(caBundleFile ? { caBundleFile } : {}),
});

describe("pitrEndpointUrl", () => {
  it("verifies an RDS/Aurora endpoint fully against the configured CA bundle, never no-verify", async () => {
    const url = new URL(await pitrEndpointUrl(aws(CA.certFile), ENDPOINT, "p@ss:/word"));
    expect(url.searchParams.get("sslmode")).toBe("verify-full");
    expect(url.searchParams.get("sslrootcert")).toBe(CA.certFile);
    expect(url.hostname).toBe(ENDPOINT.host);
    expect(decodeURIComponent(url.password)).toBe("p@ss:/word");
    // What the pg driver makes of it: the bundle as its only CA, the certificate checked (host name included).
    const ssl = parse(url.toString()).ssl;
    expect(typeof ssl === "object" && ssl !== null ? ssl : null).toMatchObject({ ca: expect.stringContaining("-----BEGIN CERTIFICATE-----") });
    expect(ssl).not.toHaveProperty("rejectUnauthorized", false);
    expect(ssl).not.toHaveProperty("checkServerIdentity");
  });

  it("refuses to build a URL without a CA bundle, saying where AWS publishes it", async () => {
    const building = pitrEndpointUrl(aws(), ENDPOINT, "secret");
    await expect(building).rejects.toBeInstanceOf(CaBundleError);
    await expect(building).rejects.toThrow(RDS_GLOBAL_BUNDLE_URL);
    await expect(building).rejects.not.toThrow("secret");
  });

  it("refuses a bundle that is missing, or is not PEM certificates, naming the file", async () => {
    const missing = path.join(CERTS, "global-bundle.pem");
    await expect(pitrEndpointUrl(aws(missing), ENDPOINT, undefined)).rejects.toThrow(`The CA bundle ${missing} (pitr.caBundleFile) could not be read (ENOENT)`);
    const garbage = path.join(CERTS, "garbage.pem");
    writeFileSync(garbage, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
    await expect(pitrEndpointUrl(aws(garbage), ENDPOINT, undefined)).rejects.toThrow("Certificate 1 in the CA bundle");
  });

  it("connects to a local restored server (loopback only) without TLS", async () => {
    const local: PitrSource = {
      provider: "local",
      dataDir: "/srv/pg/data",
      archiveDir: "/srv/pg/archive",
      baseBackupDir: "/srv/pg/base",
      restoreDir: "/srv/pg/restores",
      host: "127.0.0.1",
      port: 5432,
      database: "loanserve",
      user: "postgres",
    };
    const url = new URL(await pitrEndpointUrl(local, { ...ENDPOINT, host: "127.0.0.1", port: 6543 }, undefined));
    expect(url.searchParams.get("sslmode")).toBe("disable");
    expect(url.searchParams.has("sslrootcert")).toBe(false);
    expect(url.password).toBe("");
  });
});
