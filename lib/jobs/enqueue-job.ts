import type PgBoss from "pg-boss";
import type { z } from "zod";
import type { JobQueue } from "./define-job";
import { createBoss } from "./boss";
import { getEnv } from "@/lib/env";

let webBoss: Promise<PgBoss> | undefined;
const createdQueues = new WeakMap<PgBoss, Set<string>>();

/** The web process's sender: started once, never runs maintenance or workers. */
function senderBoss(): Promise<PgBoss> {
  webBoss ??= (async () => {
    const boss = createBoss(getEnv().DATABASE_URL, "web");
    await boss.start();
    return boss;
  })();
  webBoss.catch(() => {
    webBoss = undefined;
  });
  return webBoss;
}

/** Jobs waiting in each queue (queued or waiting to retry; not those running): how far behind the workers are. */
export async function queueDepths(): Promise<Array<{ queue: string; waiting: number }>> {
  const boss = await senderBoss();
  const queues = await boss.getQueues();
  return Promise.all(queues.map(async (queue) => ({ queue: queue.name, waiting: await boss.getQueueSize(queue.name) })));
}

/** Queues a job after validating its payload; returns the job id (null if a singleton was already queued). */
export async function enqueueJob<S extends z.ZodType>(
  job: JobQueue<S>,
  data: z.input<S>,
  options: PgBoss.SendOptions = {},
  boss?: PgBoss,
): Promise<string | null> {
  const payload = job.input.parse(data) as object;
  const sender = boss ?? (await senderBoss());
  const known = createdQueues.get(sender) ?? new Set<string>();
  createdQueues.set(sender, known);
  if (!known.has(job.queue)) {
    // pg-boss 10 refuses jobs for queues that don't exist yet; creating one is idempotent.
    await sender.createQueue(job.queue, { name: job.queue, ...job.options });
    known.add(job.queue);
  }
  return sender.send(job.queue, payload, options);
}

/**
 * Marks an active job failed, for a job whose worker is known to be gone (its run's lease lapsed):
 * pg-boss would otherwise keep it active until its expiry. A job that already ended is left as it is.
 */
export async function failJob(job: JobQueue, jobId: string, reason: string, boss?: PgBoss): Promise<void> {
  const sender = boss ?? (await senderBoss());
  await sender.fail(job.queue, jobId, { reason });
}
