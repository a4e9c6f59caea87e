import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "@/lib/generated/prisma/client";
import { getEnv } from "@/lib/env";

export type Db = PrismaClient;
/** Either the client or an interactive transaction: verbs accept both. */
export type DbOrTx = PrismaClient | Prisma.TransactionClient;

export function createDb(connectionString: string): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
}

const globalForDb = globalThis as unknown as { restoreConsoleDb?: { url: string; db: Db } };

/** The process-wide client (kept on globalThis so dev reloads don't open new pools). */
export function getDb(): Db {
  const url = getEnv().DATABASE_URL;
  if (globalForDb.restoreConsoleDb?.url !== url) globalForDb.restoreConsoleDb = { url, db: createDb(url) };
  return globalForDb.restoreConsoleDb.db;
}
