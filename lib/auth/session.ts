import "server-only";
import { parse as parseCookies } from "cookie";
import { getToken } from "next-auth/jwt";
import type { DbOrTx } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import type { SessionUser } from "./roles";

/**
 * The database, not the token, has the last word: a disabled user or a changed role takes
 * effect on the next request, not when the 12-hour session expires.
 */
export async function loadSessionUser(db: DbOrTx, userId: string | undefined): Promise<SessionUser | null> {
  if (!userId) return null;
  const user = await db.user.findUnique({ where: { id: userId } }).catch(() => null);
  if (!user || user.disabledAt) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** The signed-in user of an API request (session cookie or `Authorization: Bearer <session token>`). */
export async function userFromRequest(db: DbOrTx, request: Request): Promise<SessionUser | null> {
  const cookies = parseCookies(request.headers.get("cookie") ?? "");
  const token = await getToken({
    req: { headers: request.headers, cookies } as unknown as Parameters<typeof getToken>[0]["req"],
    secret: getEnv().NEXTAUTH_SECRET,
  });
  return loadSessionUser(db, token?.sub);
}
