import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// Throwaway certificate authorities and server certificates made with the openssl CLI, for
// tests of verified TLS (a real PostgreSQL with ssl=on, or a CA bundle file a provider reads).
// EC keys: a few milliseconds each.

export interface TestCertificate {
  certFile: string;
  keyFile: string;
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** A fresh folder for one test's certificates (the caller removes it). */
export function certificateDir(): string {
  return mkdtempSync(path.join(tmpdir(), "rc-certs-"));
}

/** A self-signed CA named `name`, valid for two days. */
export function makeCertificateAuthority(dir: string, name: string): TestCertificate {
  const base = path.join(dir, name.replace(/\W+/g, "-"));
  const cert = { certFile: `${base}.crt`, keyFile: `${base}.key` };
  openssl([
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "2",
    "-subj",
    `/CN=${name}`,
    "-keyout",
    cert.keyFile,
    "-out",
    cert.certFile,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  return cert;
}

/** A server certificate signed by `ca`, for the given subjectAltName entries (e.g. "IP:127.0.0.1", "DNS:db.example"). */
export function makeServerCertificate(dir: string, ca: TestCertificate, name: string, altNames: string[]): TestCertificate {
  const base = path.join(dir, name.replace(/\W+/g, "-"));
  const cert = { certFile: `${base}.crt`, keyFile: `${base}.key` };
  const extFile = `${base}.ext`;
  writeFileSync(
    extFile,
    `subjectAltName=${altNames.join(",")}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`,
  );
  openssl([
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-subj",
    `/CN=${name}`,
    "-keyout",
    cert.keyFile,
    "-out",
    `${base}.csr`,
  ]);
  openssl([
    "x509",
    "-req",
    "-in",
    `${base}.csr`,
    "-CA",
    ca.certFile,
    "-CAkey",
    ca.keyFile,
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    extFile,
    "-out",
    cert.certFile,
  ]);
  return cert;
}
