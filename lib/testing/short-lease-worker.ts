// A worker process for tests that kill one: the production worker with a short lease and a fast
// lapsed-lease sweep. Started by `startWorkerProcess`; prints one "ready" line.
import { createDb } from "@/lib/db/client";
import { startWorker } from "@/lib/jobs/worker";
import { createRestoreRunJob } from "@/lib/restore/restore-run-job";
import { createLapsedRunTicker, restoreSweeperJob } from "@/lib/restore/restore-sweeper-job";

const url = process.env.DATABASE_URL ?? "";
const leaseMs = Number(process.env.TEST_WORKER_LEASE_MS ?? 3_000);
const sweepEveryMs = Number(process.env.TEST_WORKER_SWEEP_EVERY_MS ?? 60_000);
const worker = await startWorker({
  connectionString: url,
  db: createDb(url),
  jobs: [
    createRestoreRunJob({ leaseMs, renewEveryMs: Math.max(200, leaseMs / 6) }),
    ...(process.env.TEST_WORKER_CRON === "1" ? [restoreSweeperJob] : []),
  ],
  tickers: [createLapsedRunTicker(sweepEveryMs)],
  pollingIntervalSeconds: 0.5,
});
console.log(JSON.stringify({ ready: worker.workerId }));
