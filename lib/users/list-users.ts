import type { Role, SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import type { User } from "@/lib/generated/prisma/client";

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  /** "credentials" (email and password) or "oidc" (single sign-on). */
  authProvider: string;
  createdAt: string;
  lastSignInAt: string | null;
  disabled: boolean;
  /** Holds a one-time password that must be replaced at the next sign-in. */
  passwordChangeRequired: boolean;
}

export function toUserView(u: User): UserView {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    authProvider: u.authProvider,
    createdAt: u.createdAt.toISOString(),
    lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
    disabled: u.disabledAt !== null,
    passwordChangeRequired: u.passwordChangeRequired,
  };
}

export async function listUsers({ ctx }: { ctx: Ctx<SessionUser | null> }): Promise<UserView[]> {
  const users = await ctx.db.user.findMany({ orderBy: { email: "asc" } });
  return users.map(toUserView);
}
