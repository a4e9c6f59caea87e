// Applies the app's migrations (Prisma's layout and bookkeeping) and pg-boss's schema as the
// database's owner, then grants the app's runtime role what it needs.
//   npm run db:migrate                          as MIGRATION_DATABASE_URL (the owner) for the app at
//                                               DATABASE_URL (the runtime role), or the embedded database
//   npm run db:migrate -- --rolled-back NAME    marks a repaired failed migration as rolled back
import { markRolledBack } from "@/lib/db/migrate";
import { databaseUrlsFromEnv, type DatabaseUrls } from "@/lib/db/runtime-role";
import { startEmbeddedDatabase } from "./lib/embedded-database";
import { prepareAppDatabase } from "./lib/prepare-database";

async function main() {
  const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedDatabase();
  const urls: DatabaseUrls = embedded ? { runtimeUrl: embedded.url, ownerUrl: embedded.ownerUrl } : databaseUrlsFromEnv();
  if (urls.warning) console.warn(`warning: ${urls.warning}`);
  try {
    const rolledBackIndex = process.argv.indexOf("--rolled-back");
    if (rolledBackIndex >= 0) {
      const name = process.argv[rolledBackIndex + 1];
      if (!name) throw new Error("--rolled-back needs the migration's folder name");
      const changed = await markRolledBack(urls.ownerUrl, name);
      console.log(changed ? `Marked ${name} as rolled back.` : `No failed migration named ${name}.`);
      return;
    }
    const result = await prepareAppDatabase(urls);
    for (const warning of result.warnings) console.warn(`warning: ${warning}`);
    console.log(result.applied.length ? `Applied ${result.applied.join(", ")}.` : "Database is up to date.");
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
