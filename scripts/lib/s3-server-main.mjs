// Child process entry for the local S3-protocol server (s3rver). Run with
// NODE_OPTIONS=--openssl-legacy-provider: s3rver encrypts continuation tokens with DES, which
// OpenSSL 3 only offers through the legacy provider (without it, page 2 of a listing is a 500).
import S3rver from "s3rver";

const { S3_PORT, S3_DIRECTORY, S3_BUCKETS } = process.env;
const server = new S3rver({
  address: "127.0.0.1",
  port: Number(S3_PORT ?? 0),
  directory: S3_DIRECTORY,
  silent: true,
  vhostBuckets: false,
  configureBuckets: (S3_BUCKETS ?? "")
    .split(",")
    .filter(Boolean)
    .map((name) => ({ name })),
});

server.run().then(
  (address) => process.stdout.write(`${JSON.stringify({ ready: true, port: address.port })}\n`),
  (error) => {
    process.stderr.write(`s3rver failed to start: ${error.message}\n`);
    process.exit(1);
  },
);
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close().finally(() => process.exit(0)));
}
