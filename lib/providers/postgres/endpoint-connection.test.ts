import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { PitrSource } from "@/lib/config/schema";
import { CaBundleError, RDS_GLOBAL_BUNDLE_URL } from "@/lib/providers/aws/rds-ca-bundle";
import type { PitrEndpoint } from "@/lib/providers/pitr";
import { certificateDir, makeCertificateAuthority } from "@/lib/testing/certificates";
import { connectionConfigsFor, restoredDatabaseEndpoint, type DatabaseEndpoint } from "./endpoint-connection";

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

describe("restoredDatabaseEndpoint", () => {
  it("verifies an RDS/Aurora endpoint fully against the configured CA bundle, never no-verify", async () => {
    const endpoint = await restoredDatabaseEndpoint(aws(CA.certFile), ENDPOINT, "p@ss:/word");
    expect(endpoint.sslMode).toBe("verify-full");
    expect(endpoint.sslRootCert).toBe(CA.certFile);
    expect(endpoint).toMatchObject({ host: ENDPOINT.host, port: 5432, database: "loanserve", user: "loanserve" });
    expect(endpoint.password).toBe("p@ss:/word");
    // What the pg driver is given: the bundle as its only CA, the certificate checked (host name included).
    const configs = await connectionConfigsFor(endpoint);
    expect(configs).toHaveLength(1);
    const ssl = configs[0]?.ssl;
    expect(typeof ssl === "object" && ssl !== null ? ssl : null).toMatchObject({
      ca: expect.stringContaining("-----BEGIN CERTIFICATE-----"),
    });
    expect(ssl).not.toHaveProperty("rejectUnauthorized", false);
    expect(ssl).not.toHaveProperty("checkServerIdentity");
    // Structured settings, never a URL that carries the password.
    expect(configs[0]).toMatchObject({ host: ENDPOINT.host, port: 5432, database: "loanserve", user: "loanserve", password: "p@ss:/word" });
    expect(configs[0]).not.toHaveProperty("connectionString");
  });

  it("refuses to build an endpoint without a CA bundle, saying where AWS publishes it", async () => {
    const building = restoredDatabaseEndpoint(aws(), ENDPOINT, "secret");
    await expect(building).rejects.toBeInstanceOf(CaBundleError);
    await expect(building).rejects.toThrow(RDS_GLOBAL_BUNDLE_URL);
    await expect(building).rejects.not.toThrow("secret");
  });

  it("refuses a bundle that is missing, or is not PEM certificates, naming the file", async () => {
    const missing = path.join(CERTS, "global-bundle.pem");
    await expect(restoredDatabaseEndpoint(aws(missing), ENDPOINT, undefined)).rejects.toThrow(
      `The CA bundle ${missing} (pitr.caBundleFile) could not be read (ENOENT)`,
    );
    const garbage = path.join(CERTS, "garbage.pem");
    writeFileSync(garbage, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
    await expect(restoredDatabaseEndpoint(aws(garbage), ENDPOINT, undefined)).rejects.toThrow("Certificate 1 in the CA bundle");
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
    const endpoint = await restoredDatabaseEndpoint(local, { ...ENDPOINT, host: "127.0.0.1", port: 6543 }, undefined);
    expect(endpoint.sslMode).toBe("disable");
    expect(endpoint).not.toHaveProperty("sslRootCert");
    expect(endpoint).not.toHaveProperty("password");
    expect(endpoint).toMatchObject({ host: "127.0.0.1", port: 6543 });
    const configs = await connectionConfigsFor(endpoint);
    expect(configs.map((config) => config.ssl)).toEqual([false]);
    expect(configs[0]).not.toHaveProperty("password");
  });
});

describe("connectionConfigsFor", () => {
  const base: DatabaseEndpoint = { host: "db.internal", port: 5433, database: "loanserve", user: "restore", password: "pw" };

  it("follows libpq's sslmode: prefer (the default) tries TLS then plain, require does not verify, verify-full does", async () => {
    const ssl = async (endpoint: DatabaseEndpoint) => (await connectionConfigsFor(endpoint)).map((config) => config.ssl);
    expect(await ssl(base)).toEqual([{ rejectUnauthorized: false }, false]);
    expect(await ssl({ ...base, sslMode: "prefer" })).toEqual([{ rejectUnauthorized: false }, false]);
    expect(await ssl({ ...base, sslMode: "require" })).toEqual([{ rejectUnauthorized: false }]);
    expect(await ssl({ ...base, sslMode: "disable" })).toEqual([false]);
    // Without a CA file, the system's certificate authorities.
    expect(await ssl({ ...base, sslMode: "verify-full" })).toEqual([{ rejectUnauthorized: true }]);
  });
});
