import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { newToken } from "@/lib/auth/api-token";
import { hasRole, type SessionUser } from "@/lib/auth/roles";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import type { ApiToken } from "@/lib/generated/prisma/client";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { CreateApiTokenInput, type ApiTokenView } from "./api-token-model";

// Named API tokens for automation, managed by admins: created with a role and an expiry, shown
// once, revoked at will. What a token may do is its role, checked by the same route wrapper.

function view(token: ApiToken, now = Date.now()): ApiTokenView {
  return {
    id: token.id,
    name: token.name,
    role: token.role === "operator" ? "operator" : "viewer",
    prefix: token.prefix,
    createdByEmail: token.createdByEmail,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt.toISOString(),
    revokedAt: token.revokedAt?.toISOString() ?? null,
    revokedByEmail: token.revokedByEmail,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    state: token.revokedAt ? "revoked" : token.expiresAt.getTime() <= now ? "expired" : "active",
  };
}

function requireAdmin(ctx: Ctx<SessionUser | null>, doing: string): void {
  if (ctx.user && !hasRole(ctx.user.role, "admin")) {
    throw new ForbiddenError(`${doing} needs the admin role; you are signed in as ${ctx.user.role}.`);
  }
}

/** Every token, newest first (revoked and expired ones too, for the record). */
export async function listApiTokens({ ctx }: { ctx: Ctx<SessionUser | null> }): Promise<ApiTokenView[]> {
  requireAdmin(ctx, "Seeing API tokens");
  const tokens = await ctx.db.apiToken.findMany({ orderBy: { createdAt: "desc" } });
  return tokens.map((token) => view(token));
}

/** Creates a token; its secret is in the answer and nowhere else, ever. */
export async function createApiToken({
  ctx,
  input: raw,
}: {
  ctx: Ctx<SessionUser | null>;
  input: CreateApiTokenInput;
}): Promise<{ token: string; view: ApiTokenView }> {
  requireAdmin(ctx, "Creating an API token");
  const input = CreateApiTokenInput.parse(raw);
  const secret = newToken();
  const created = await withTransaction(ctx, async ({ db: tx }) => {
    const clash = await tx.apiToken.findFirst({
      where: { name: { equals: input.name, mode: "insensitive" }, revokedAt: null, expiresAt: { gt: new Date() } },
      select: { id: true },
    });
    if (clash) throw new ConflictError(`An active token is already named "${input.name}"; revoke it or choose another name.`);
    const token = await tx.apiToken.create({
      data: {
        name: input.name,
        role: input.role,
        tokenHash: secret.hash,
        prefix: secret.prefix,
        createdByEmail: actorOf(ctx).email,
        expiresAt: new Date(Date.now() + input.expiresInDays * 24 * 60 * 60_000),
      },
    });
    await recordAuditEvent(tx, {
      actor: actorOf(ctx),
      action: "api_token.create",
      subject: { type: "api-token", id: token.id },
      payload: { name: token.name, role: token.role, expiresAt: token.expiresAt.toISOString(), prefix: token.prefix },
      requestId: ctx.requestId,
    });
    return token;
  });
  return { token: secret.token, view: view(created) };
}

/** Revokes a token at once: its next request is refused. Revoking twice changes nothing. */
export async function revokeApiToken({ ctx, input }: { ctx: Ctx<SessionUser | null>; input: { tokenId: string } }): Promise<ApiTokenView> {
  requireAdmin(ctx, "Revoking an API token");
  return withTransaction(ctx, async ({ db: tx }) => {
    const token = await tx.apiToken.findUnique({ where: { id: input.tokenId } });
    if (!token) throw new NotFoundError("That API token does not exist.");
    if (token.revokedAt) return view(token);
    const revoked = await tx.apiToken.update({
      where: { id: token.id },
      data: { revokedAt: new Date(), revokedByEmail: actorOf(ctx).email },
    });
    await recordAuditEvent(tx, {
      actor: actorOf(ctx),
      action: "api_token.revoke",
      subject: { type: "api-token", id: token.id },
      payload: { name: token.name, role: token.role, prefix: token.prefix },
      requestId: ctx.requestId,
    });
    return view(revoked);
  });
}
