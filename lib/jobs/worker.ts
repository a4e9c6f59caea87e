import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type PgBoss from "pg-boss";
import type { Db } from "@/lib/db/client";
import { createBoss } from "./boss";
import type { JobDefinition, Ticker } from "./define-job";

export interface WorkerOptions {
  connectionString: string;
  db: Db;
  jobs: readonly JobDefinition[];
  tickers?: readonly Ticker[];
  heartbeatIntervalMs?: number;
  pollingIntervalSeconds?: number;
}

export interface RunningWorker {
  workerId: string;
  boss: PgBoss;
  stop(): Promise<void>;
}

/** A worker silent this long is forgotten at the next worker's start. */
export const FORGET_WORKERS_AFTER_MS = 7 * 24 * 3_600_000;

/** Records that this worker is alive; /api/health reads the newest beat. */
async function beat(db: Db, workerId: string, startedAt: Date): Promise<void> {
  const now = new Date();
  await db.workerHeartbeat.upsert({
    where: { workerId },
    create: { workerId, hostname: hostname(), pid: process.pid, startedAt, beatAt: now },
    update: { beatAt: now },
  });
}

/** Runs a ticker every `everyMs`, never two runs of it at once; a failure is logged and the next tick tries again. */
function startTicker(ticker: Ticker, signal: AbortSignal): NodeJS.Timeout {
  let running = false;
  return setInterval(() => {
    if (running || signal.aborted) return;
    running = true;
    ticker
      .run(signal)
      .catch((error: unknown) => console.error(`[worker] ${ticker.name} failed`, error))
      .finally(() => {
        running = false;
      });
  }, ticker.everyMs);
}

/** Starts pg-boss as a worker, registers every job's handler, and heartbeats until stopped. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const startedAt = new Date();
  const shutdown = new AbortController();
  const boss = createBoss(options.connectionString, "worker");
  await boss.start();

  for (const job of options.jobs) {
    await boss.createQueue(job.queue, { name: job.queue, ...job.options });
    for (let i = 0; i < (job.concurrency ?? 1); i++) {
      await boss.work(job.queue, { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1 }, async ([received]) => {
        if (!received) return;
        const input: unknown = job.input.parse(received.data);
        await job.run(input, { jobId: received.id, signal: shutdown.signal });
      });
    }
    if (job.schedule) {
      await boss.schedule(job.queue, job.schedule.cron, {});
      if (job.schedule.atStart) await boss.send(job.queue, {});
    }
  }

  const tickerTimers = (options.tickers ?? []).map((ticker) => startTicker(ticker, shutdown.signal));

  await beat(options.db, workerId, startedAt);
  // Every restart is a new worker id: the rows of workers long gone are dropped, so they pile up neither here nor as metrics.
  await options.db.workerHeartbeat.deleteMany({ where: { beatAt: { lt: new Date(Date.now() - FORGET_WORKERS_AFTER_MS) } } });
  const timer = setInterval(() => {
    beat(options.db, workerId, startedAt).catch((error: unknown) => console.error("[worker] heartbeat failed", error));
  }, options.heartbeatIntervalMs ?? 5_000);

  return {
    workerId,
    boss,
    async stop() {
      clearInterval(timer);
      for (const tickerTimer of tickerTimers) clearInterval(tickerTimer);
      shutdown.abort();
      await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
    },
  };
}
