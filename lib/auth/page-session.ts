import "server-only";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db/client";
import { ForbiddenError } from "@/lib/errors";
import { getEnv, oidcSettings } from "@/lib/env";
import { getAuthOptions, OIDC_PROVIDER_ID } from "./options";
import { hasRole, type Role, type SessionUser } from "./roles";
import { loadSessionUser } from "./session";

/** For server components: the signed-in user, or a redirect to the sign-in page. */
export async function requirePageUser(required: Role = "viewer"): Promise<SessionUser> {
  const session = await getServerSession(getAuthOptions());
  const user = await loadSessionUser(getDb(), session?.user.id);
  if (!user) redirect("/signin");
  if (!hasRole(user.role, required)) {
    throw new ForbiddenError(`This page needs the ${required} role; you are signed in as ${user.role}.`);
  }
  return user;
}

/** For the sign-in page: the single sign-on button to show, if OIDC is configured. */
export function singleSignOn(): { providerId: string; name: string } | null {
  const oidc = oidcSettings(getEnv());
  return oidc ? { providerId: OIDC_PROVIDER_ID, name: oidc.name } : null;
}
