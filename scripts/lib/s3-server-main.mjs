// Child process entry for the local S3-protocol server (s3rver). Run with
// NODE_OPTIONS=--openssl-legacy-provider: s3rver encrypts continuation tokens with DES, which
// OpenSSL 3 only offers through the legacy provider (without it, page 2 of a listing is a 500).
//
// While the file S3_OUTAGE_FLAG exists, the server stops listening and drops its open connections,
// so clients are refused as by a region that is down; once it is gone, it listens on the same port
// again. A file, because the processes that flip it (the web app) are not this one's parent.
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import S3rver from "s3rver";

const { S3_PORT, S3_DIRECTORY, S3_BUCKETS, S3_OUTAGE_FLAG } = process.env;
const FLAG_POLL_MS = 250;

const s3rver = new S3rver({
  directory: S3_DIRECTORY,
  silent: true,
  vhostBuckets: false,
  configureBuckets: (S3_BUCKETS ?? "")
    .split(",")
    .filter(Boolean)
    .map((name) => ({ name })),
});
// Our own listener around s3rver's request handler: s3rver.close() also closes its logger for good,
// so its own server could not be started again after an outage.
const handler = s3rver.callback();
let port = Number(S3_PORT ?? 0);
/** @type {import("node:http").Server | null} */
let listener = null;

function listen() {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.address();
      if (address && typeof address === "object") port = address.port;
      listener = server;
      resolve();
    });
  });
}

function stopListening() {
  const server = listener;
  listener = null;
  if (!server) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive sockets would go on being served: a region that is down answers nobody.
    server.closeAllConnections();
  });
}

/** Line-delimited JSON on stdout: the parent reads the first line for the port, later ones for outages. */
const report = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

let following = false;
let failing = false;
async function followFlag() {
  if (following) return;
  following = true;
  try {
    const down = existsSync(S3_OUTAGE_FLAG);
    if (down && listener) {
      await stopListening();
      report({ outage: true });
    } else if (!down && !listener) {
      await listen();
      failing = false;
      report({ outage: false });
    }
  } catch (error) {
    // Tried again on the next tick (another process may hold the port for a while); said once.
    if (!failing) process.stderr.write(`s3rver could not listen on port ${port} again: ${error.message}\n`);
    failing = true;
  } finally {
    following = false;
  }
}

let poll;
try {
  await s3rver.configureBuckets();
  await listen();
  report({ ready: true, port });
  if (S3_OUTAGE_FLAG) poll = setInterval(followFlag, FLAG_POLL_MS);
} catch (error) {
  process.stderr.write(`s3rver failed to start: ${error.message}\n`);
  process.exit(1);
}
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    clearInterval(poll);
    stopListening().finally(() => process.exit(0));
  });
}
