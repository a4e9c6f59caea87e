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

/** Installs or upgrades pg-boss's schema (part of `npm run db:migrate`). */
export async function installJobSchema(connectionString: string): Promise<void> {
  const boss = createBoss(connectionString, "migrate");
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
}
