import "server-only";
import { randomUUID } from "node:crypto";
import type { SessionUser } from "@/lib/auth/roles";
import type { Db, DbOrTx } from "./client";

/**
 * What every verb runs with (`verbNoun({ ctx, input })`): the database — the client, or the
 * transaction the verb joins — who acts, and the request id its audit records carry.
 * `U` is `SessionUser` for a person's action, `null` where the system acts (jobs, the sweeper,
 * the CLI; audited as SYSTEM), and `SessionUser | null` for verbs either may call.
 */
export interface Ctx<U extends SessionUser | null = SessionUser> {
  db: DbOrTx;
  user: U;
  requestId: string;
}

/** Jobs, the sweeper and the CLI: nobody signed in. */
export type SystemCtx = Ctx<null>;

/**
 * A ctx on the client itself, outside any transaction: what a request and a page have. Needed
 * by a verb that commits in steps of its own (an approval is claimed, then its action runs).
 */
export interface ClientCtx<U extends SessionUser | null = SessionUser> extends Ctx<U> {
  db: Db;
}

/** The system's ctx: for jobs, the CLI and tests (on the client it is a ClientCtx<null>). */
export function systemCtx<D extends DbOrTx>(db: D, requestId: string = randomUUID()): SystemCtx & { db: D } {
  return { db, user: null, requestId };
}

/** The client itself, not an interactive transaction (which has none of the client's connection methods). */
export function isClient(db: DbOrTx): db is Db {
  return typeof (db as Partial<Pick<Db, "$connect">>).$connect === "function";
}

/**
 * Runs `fn` in one transaction: a new one when `ctx.db` is the client, else the caller's, so a
 * verb called inside another's transaction joins it (commits with it, rolls back with it).
 * A throw inside rolls back everything the transaction did, the outer verb's work included.
 */
export async function withTransaction<U extends SessionUser | null, T>(ctx: Ctx<U>, fn: (ctx: Ctx<U>) => Promise<T>): Promise<T> {
  const { db } = ctx;
  if (!isClient(db)) return fn(ctx);
  return db.$transaction((tx) => fn({ ...ctx, db: tx }));
}
