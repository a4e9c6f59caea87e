import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "@/lib/generated/prisma/client";
import { getEnv } from "@/lib/env";

export type Db = PrismaClient;
/** Either the client or an interactive transaction: verbs accept both. */
export type DbOrTx = PrismaClient | Prisma.TransactionClient;

export function createDb(connectionString: string): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
}

const globalForDb = globalThis as unknown as { restoreConsoleDb?: Db };

/** The process-wide client (kept on globalThis so dev reloads don't open new pools). */
export function getDb(): Db {
  globalForDb.restoreConsoleDb ??= createDb(getEnv().DATABASE_URL);
  return globalForDb.restoreConsoleDb;
}
