import PgBoss from "pg-boss";

/** pg-boss keeps its tables in their own schema, beside the app's. */
const SCHEMA = "pgboss";

export function createBoss(connectionString: string, role: "web" | "worker" | "migrate"): PgBoss {
  const boss = new PgBoss({
    connectionString,
    schema: SCHEMA,
    application_name: `restore-console-${role}`,
    // Only the migrate command changes pg-boss's schema; only workers run maintenance and cron.
    migrate: role === "migrate",
    supervise: role === "worker",
    schedule: role === "worker",
    max: role === "web" ? 4 : 8,
  });
  boss.on("error", (error: unknown) => console.error(`[pg-boss ${role}]`, error));
  return boss;
}

/**
 * Installs or upgrades pg-boss's schema (part of `npm run db:migrate`) and creates the given
 * queues. A queue is a table of its own (a partition), so it is created here, as the owner: the
 * app's runtime role may not create tables, and the worker's own createQueue is then a no-op.
 */
/**
 * The queue pg-boss's own cron sends through (its timekeeper's "send-it" queue): a worker's
 * timekeeper creates it itself, which the runtime role cannot, so it is created here with the rest.
 */
const CRON_QUEUE = "__pgboss__send-it";

export async function installJobSchema(
  connectionString: string,
  queues: ReadonlyArray<{ queue: string; options: Omit<PgBoss.Queue, "name"> }> = [],
): Promise<void> {
  const boss = createBoss(connectionString, "migrate");
  await boss.start();
  try {
    for (const { queue, options } of [...queues, { queue: CRON_QUEUE, options: {} }])
      await boss.createQueue(queue, { name: queue, ...options });
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}
