import "server-only";
import { randomUUID } from "node:crypto";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth/page-session";
import type { Role } from "@/lib/auth/roles";
import { getDb } from "@/lib/db/client";
import type { ClientCtx } from "@/lib/db/ctx";
import { NotFoundError } from "@/lib/errors";

/**
 * For server pages: the signed-in person's Ctx, as a route handler gets one (the client and a
 * fresh request id). Without a session it redirects to sign in (or to the password change a
 * one-time password needs); below `required` it throws ForbiddenError.
 */
export async function pageContext(required: Role = "viewer"): Promise<ClientCtx> {
  const user = await requirePageUser(required);
  return { db: getDb(), user, requestId: randomUUID() };
}

/** What a read resolves to; its NotFoundError becomes the not-found page. Every other error passes through. */
export async function orNotFound<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
}
