import type { Ctx } from "@/lib/db/ctx";
import type { SessionUser } from "./roles";

export interface SsoIdentityRow {
  userId: string;
  issuer: string;
  subject: string;
  /** The email the identity provider gave at the last sign-in. */
  email: string | null;
  linkedByEmail: string | null;
  lastSignInAt: string | null;
}

/** Every linked single sign-on identity, by person id: what the People page shows beside each person. */
export async function listSsoIdentities({ ctx }: { ctx: Ctx<SessionUser | null> }): Promise<Map<string, SsoIdentityRow[]>> {
  const rows = await ctx.db.oidcAccount.findMany({ orderBy: { createdAt: "asc" } });
  const byUser = new Map<string, SsoIdentityRow[]>();
  for (const r of rows) {
    const list = byUser.get(r.userId) ?? [];
    list.push({
      userId: r.userId,
      issuer: r.issuer,
      subject: r.subject,
      email: r.email,
      linkedByEmail: r.linkedByEmail,
      lastSignInAt: r.lastSignInAt?.toISOString() ?? null,
    });
    byUser.set(r.userId, list);
  }
  return byUser;
}
