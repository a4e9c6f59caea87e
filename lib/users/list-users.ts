import type { DbOrTx } from "@/lib/db/client";
import type { Role } from "@/lib/auth/roles";

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  authProvider: string;
  createdAt: string;
  lastSignInAt: string | null;
  disabled: boolean;
}

export async function listUsers({ ctx }: { ctx: { db: DbOrTx } }): Promise<UserView[]> {
  const users = await ctx.db.user.findMany({ orderBy: { email: "asc" } });
  return users.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    authProvider: u.authProvider,
    createdAt: u.createdAt.toISOString(),
    lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
    disabled: u.disabledAt !== null,
  }));
}
