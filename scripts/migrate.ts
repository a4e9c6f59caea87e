// Applies the app's migrations (Prisma's layout and bookkeeping) and pg-boss's schema.
//   npm run db:migrate                          uses DATABASE_URL, or the embedded database
//   npm run db:migrate -- --rolled-back NAME    marks a repaired failed migration as rolled back
import { markRolledBack, migrate } from "@/lib/db/migrate";
import { installJobSchema } from "@/lib/jobs/boss";
import { startEmbeddedDatabase } from "./lib/embedded-database";

async function main() {
  const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedDatabase();
  const url = process.env.DATABASE_URL || embedded?.url || "";
  try {
    const rolledBackIndex = process.argv.indexOf("--rolled-back");
    if (rolledBackIndex >= 0) {
      const name = process.argv[rolledBackIndex + 1];
      if (!name) throw new Error("--rolled-back needs the migration's folder name");
      const changed = await markRolledBack(url, name);
      console.log(changed ? `Marked ${name} as rolled back.` : `No failed migration named ${name}.`);
      return;
    }
    const result = await migrate(url);
    for (const warning of result.warnings) console.warn(`warning: ${warning}`);
    console.log(result.applied.length ? `Applied ${result.applied.join(", ")}.` : "Database is up to date.");
    await installJobSchema(url);
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
