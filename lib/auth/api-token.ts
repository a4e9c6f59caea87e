import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { DbOrTx } from "@/lib/db/client";
import type { SessionUser } from "./roles";

// API tokens as the route wrapper sees them: `Authorization: Bearer rct_…`, looked up by sha256
// (the token itself is never stored), refused once expired or revoked.

const TOKEN_PREFIX = "rct_";
/** How many characters of a token a list shows: enough to recognise, far too few to use. */
const SHOWN = TOKEN_PREFIX.length + 6;
/** lastUsedAt is written at most this often, so a busy CI job does not write on every call. */
const LAST_USED_EVERY_MS = 60_000;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** A new token: 32 random bytes. Shown once; only its hash and first characters are kept. */
export function newToken(): { token: string; hash: string; prefix: string } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { token, hash: hashToken(token), prefix: token.slice(0, SHOWN) };
}

/**
 * The API token a request carries, or null: none, or a bearer that is a session token (the
 * session code reads those), told apart by the API tokens' prefix.
 */
export function apiTokenOf(headers: Headers): string | null {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "")?.[1];
  return bearer?.startsWith(TOKEN_PREFIX) ? bearer : null;
}

/** Who a token acts as: its own name and role, marked as a token in every audit record. */
const tokenActorEmail = (name: string) => `token:${name}`;

/** The token's identity when it is known, unexpired and not revoked; null otherwise. */
export async function userFromApiToken(db: DbOrTx, token: string): Promise<SessionUser | null> {
  const found = await db.apiToken.findUnique({ where: { tokenHash: hashToken(token) } });
  const now = Date.now();
  if (!found || found.revokedAt || found.expiresAt.getTime() <= now || found.role === "admin") return null;
  if (!found.lastUsedAt || now - found.lastUsedAt.getTime() > LAST_USED_EVERY_MS) {
    await db.apiToken.update({ where: { id: found.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { id: found.id, email: tokenActorEmail(found.name), name: found.name, role: found.role, via: "token" };
}
