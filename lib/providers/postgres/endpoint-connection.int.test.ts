import { randomBytes } from "node:crypto";
import { chmod, copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PitrSource } from "@/lib/config/schema";
import type { PitrEndpoint } from "@/lib/providers/pitr";
import { certificateDir, makeCertificateAuthority, makeServerCertificate, type TestCertificate } from "@/lib/testing/certificates";
import { giveToOwner, LocalCluster } from "./cluster";
import { testConnectivity } from "./connectivity-test";
import { connectEndpoint, restoredDatabaseEndpoint, type DatabaseEndpoint } from "./endpoint-connection";
import { QueryFailedError } from "./query-errors";
import { ReadOnlySession } from "./read-only-session";

// A real PostgreSQL with ssl=on, its certificate signed by a CA made here, standing in for a
// restored RDS endpoint: the connection settings the worker builds must connect when the bundle
// holds that CA and the certificate names the host, and must refuse otherwise (another CA, another
// host name).

const PASSWORD = randomBytes(12).toString("hex");
let tmp: string;
let certs: string;
let cluster: LocalCluster;
let rightCa: TestCertificate;
let wrongCa: TestCertificate;
let endpoint: PitrEndpoint;

const awsSource = (caBundleFile: string): PitrSource => ({
  provider: "aws",
  engine: "postgres",
  region: "us-east-1",
  instanceIdentifier: "loanserve-prod",
  writerInstanceClass: "db.m6g.large",
  restoredIdentifierPrefix: "loanserve-prod-restore",
  database: "postgres",
  user: "postgres",
  caBundleFile,
});

/** Installs `cert` as the server's certificate and reloads (PostgreSQL re-reads its SSL files on reload). */
async function serve(cert: TestCertificate): Promise<void> {
  for (const [from, to] of [
    [cert.certFile, "server.crt"],
    [cert.keyFile, "server.key"],
  ] as const) {
    const target = path.join(cluster.dataDir, to);
    await copyFile(from, target);
    await chmod(target, 0o600);
    await giveToOwner(target);
  }
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  try {
    await admin.query("SELECT pg_reload_conf()");
  } finally {
    await admin.end();
  }
  // The postmaster reloads asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 300));
}

const SSL_IN_USE = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";

/** Connects the way the worker's clients do (connectEndpoint) and asks the server whether TLS is in use. */
async function sslInUse(endpoint: DatabaseEndpoint): Promise<boolean> {
  const client = await connectEndpoint(endpoint, { applicationName: "restore-console-test", connectTimeoutMs: 5_000 });
  try {
    const { rows } = await client.query<{ ssl: boolean }>(SSL_IN_USE);
    return rows[0]?.ssl ?? false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "rc-tls-"));
  await giveToOwner(tmp);
  certs = certificateDir();
  rightCa = makeCertificateAuthority(certs, "Right CA");
  wrongCa = makeCertificateAuthority(certs, "Wrong CA");
  const forLoopback = makeServerCertificate(certs, rightCa, "loopback", ["IP:127.0.0.1"]);
  cluster = await LocalCluster.open({
    baseDir: path.join(tmp, "server"),
    password: PASSWORD,
    settings: { ssl: true, ssl_cert_file: "server.crt", ssl_key_file: "server.key" },
  });
  // The files must exist before the first start; serve() puts them in place and reloads once up.
  await copyFile(forLoopback.certFile, path.join(cluster.dataDir, "server.crt"));
  await copyFile(forLoopback.keyFile, path.join(cluster.dataDir, "server.key"));
  await chmod(path.join(cluster.dataDir, "server.key"), 0o600);
  await giveToOwner(path.join(cluster.dataDir, "server.crt"));
  await giveToOwner(path.join(cluster.dataDir, "server.key"));
  const { port } = await cluster.start();
  endpoint = { host: "127.0.0.1", port, database: "postgres", user: "postgres", identifier: "loanserve-prod-restore-0000" };
}, 60_000);

afterAll(async () => {
  await cluster?.stop("immediate");
  if (tmp) await rm(tmp, { recursive: true, force: true });
  if (certs) await rm(certs, { recursive: true, force: true });
});

describe("TLS to a restored endpoint (verify-full against the configured bundle)", () => {
  it("connects over TLS when the bundle holds the server's CA and the certificate names the host", async () => {
    expect(await sslInUse(await restoredDatabaseEndpoint(awsSource(rightCa.certFile), endpoint, PASSWORD))).toBe(true);
  });

  it("refuses a server whose certificate another CA signed", async () => {
    await expect(sslInUse(await restoredDatabaseEndpoint(awsSource(wrongCa.certFile), endpoint, PASSWORD))).rejects.toThrow(
      /self[- ]signed certificate in certificate chain|unable to verify/i,
    );
  });

  it("refuses a certificate from the right CA that names another host", async () => {
    await serve(makeServerCertificate(certs, rightCa, "elsewhere", ["DNS:elsewhere.cluster-abc.us-east-1.rds.amazonaws.com"]));
    try {
      await expect(sslInUse(await restoredDatabaseEndpoint(awsSource(rightCa.certFile), endpoint, PASSWORD))).rejects.toThrow(
        /does not match certificate's altnames/,
      );
    } finally {
      await serve(makeServerCertificate(certs, rightCa, "loopback-again", ["IP:127.0.0.1"]));
    }
    expect(await sslInUse(await restoredDatabaseEndpoint(awsSource(rightCa.certFile), endpoint, PASSWORD))).toBe(true);
  });

  it("runs the connectivity test and the validation session over the verified connection, and refuses them otherwise", async () => {
    const verified = await restoredDatabaseEndpoint(awsSource(rightCa.certFile), endpoint, PASSWORD);
    expect(await testConnectivity(verified, SSL_IN_USE, { connectTimeoutMs: 5_000, statementTimeoutMs: 5_000 })).toMatchObject({
      result: "true",
      rows: 1,
    });
    const session = new ReadOnlySession(verified, { statementTimeoutMs: 5_000, maxRows: 10 });
    try {
      expect((await session.readOnly((query) => query(SSL_IN_USE))).firstValue).toBe(true);
    } finally {
      await session.close();
    }

    const unverified = await restoredDatabaseEndpoint(awsSource(wrongCa.certFile), endpoint, PASSWORD);
    const testing = testConnectivity(unverified, SSL_IN_USE, { connectTimeoutMs: 5_000, statementTimeoutMs: 5_000 });
    await expect(testing).rejects.toBeInstanceOf(QueryFailedError);
    await expect(testing).rejects.toMatchObject({
      kind: "unreachable",
      message: expect.stringMatching(/self[- ]signed certificate in certificate chain|unable to verify/i),
    });
  });
});
