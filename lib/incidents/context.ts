import type { SessionUser } from "@/lib/auth/roles";
import type { Db, DbOrTx } from "@/lib/db/client";

/** A person acting on incidents: who, the database (each verb opens its own transaction) and the request id. */
export interface ActionContext {
  db: Db;
  user: SessionUser;
  requestId: string;
}

/** Reads need only a database or a transaction. */
export interface ReadContext {
  db: DbOrTx;
}
