// The job worker: `npm run worker` (the run command starts it beside the web server).
import { createDb } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { ALL_JOBS } from "@/lib/jobs/all-jobs";
import { startWorker } from "@/lib/jobs/worker";

async function main() {
  const env = getEnv();
  const db = createDb(env.DATABASE_URL);
  const worker = await startWorker({ connectionString: env.DATABASE_URL, db, jobs: ALL_JOBS });
  console.log(`worker ${worker.workerId} running ${ALL_JOBS.length} job type(s)`);
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
