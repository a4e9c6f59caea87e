import "server-only";
import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { BadRequestError } from "@/lib/errors";

// TLS to a restored RDS/Aurora endpoint is verified (verify-full) against the CA bundle the
// source names. RDS server certificates are signed by Amazon RDS's own private CAs, which are in
// no operating-system or Node trust store: "verify-full against the default store" would refuse
// every restored endpoint, and "no-verify" would send the database password to whoever answers.

/** Where AWS publishes the bundle of every RDS certificate authority, for all commercial regions. */
export const RDS_GLOBAL_BUNDLE_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem";

/** The CA bundle is missing, unreadable or not PEM certificates: the endpoint cannot be verified. */
export class CaBundleError extends BadRequestError {}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Checks that `file` (the source's `caBundleFile`) holds PEM certificates this process can read,
 * and says what will be verified. Throws CaBundleError saying what to do otherwise.
 */
export async function checkRdsCaBundle(file: string | undefined): Promise<string> {
  const get = `Download AWS's global bundle from ${RDS_GLOBAL_BUNDLE_URL} (or your region's bundle), save it where the worker can read it`;
  if (!file) {
    throw new CaBundleError(
      "The restored server's TLS certificate cannot be verified: this source has no caBundleFile. " +
        `${get}, and set pitr.caBundleFile to its absolute path. Restore Console does not connect to a restored endpoint without verifying it.`,
    );
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new CaBundleError(
      `The CA bundle ${file} (pitr.caBundleFile) could not be read (${reason}). ${get} as that file, or correct the path.`,
      { cause: error },
    );
  }
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0)
    throw new CaBundleError(`The CA bundle ${file} (pitr.caBundleFile) holds no PEM certificate. ${get} as that file.`);
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new CaBundleError(
        `Certificate ${index + 1} in the CA bundle ${file} (pitr.caBundleFile) is not a valid certificate. ${get} as that file.`,
        { cause: error },
      );
    }
  }
  return `TLS to the restored endpoint is verified (verify-full: certificate chain and host name) against ${file} (${blocks.length} certificate${blocks.length === 1 ? "" : "s"}).`;
}
