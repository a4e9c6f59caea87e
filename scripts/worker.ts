// The job worker: `npm run worker` (the run command starts it beside the web server).
import { unreadableSecrets } from "@/lib/config/check-secrets";
import { loadConfig } from "@/lib/config/load-config";
import { createDb } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { ALL_JOBS, ALL_TICKERS } from "@/scripts/job-registry";
import { startWorker } from "@/lib/jobs/worker";
import { plural } from "@/lib/format";

async function main() {
  const env = getEnv();
  // The same configuration and secrets as every other worker, checked now: a worker that lacks a
  // secret would otherwise take runs from the queue and fail them.
  const { config } = loadConfig();
  const missing = await unreadableSecrets(config);
  if (missing.length > 0) {
    throw new Error(
      `This worker cannot read ${plural(missing.length, "secret")} its configuration names, so it does not start:\n  ${missing.join("\n  ")}`,
    );
  }
  const db = createDb(env.DATABASE_URL);
  const worker = await startWorker({ connectionString: env.DATABASE_URL, db, jobs: ALL_JOBS, tickers: ALL_TICKERS });
  console.log(`worker ${worker.workerId} running ${plural(ALL_JOBS.length, "job type")}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await worker.stop();
    await db.$disconnect();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
