import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db/client";
import { ForbiddenError } from "@/lib/errors";
import { getEnv, oidcSettings } from "@/lib/env";
import { REQUESTED_PATH_HEADER } from "@/lib/http/security-headers";
import { OIDC_PROVIDER_ID } from "./options";
import { hasRole, type Role, type SessionUser } from "./roles";
import { checkSession, sessionClaimsFromHeaders, type SessionCheck } from "./session";

/** Where a person holding a one-time password is sent until they have chosen their own. */
export const CHANGE_PASSWORD_PAGE = "/account/password";

/** Sign in, then back to the page asked for (the sign-in page keeps only same-origin paths). */
async function signInRedirect(): Promise<never> {
  const requested = (await headers()).get(REQUESTED_PATH_HEADER);
  redirect(requested && requested !== "/" ? `/signin?callbackUrl=${encodeURIComponent(requested)}` : "/signin");
}

/** The session of the page being rendered, checked against the database as every API request is. */
async function pageSession(): Promise<SessionCheck> {
  return checkSession(getDb(), await sessionClaimsFromHeaders(await headers()));
}

/** For server components: the signed-in user, or a redirect to the sign-in page (or to the password change a one-time password needs). */
export async function requirePageUser(required: Role = "viewer"): Promise<SessionUser> {
  return (await requirePageSession(required)).user;
}

/** requirePageUser, with the person's display zone from the same read (for the page's frame). */
export async function requirePageSession(required: Role = "viewer"): Promise<{ user: SessionUser; timeZone: string | null }> {
  const check = await pageSession();
  if (!check.ok) return signInRedirect();
  if (check.passwordChangeRequired) redirect(CHANGE_PASSWORD_PAGE);
  const user = check.user;
  if (!hasRole(user.role, required)) {
    throw new ForbiddenError(`This page needs the ${required} role; you are signed in as ${user.role}.`);
  }
  return { user, timeZone: check.timeZone };
}

/** For the password page: the signed-in user (whether or not they hold a one-time password), or a redirect to sign in. */
export async function requirePasswordPageUser(): Promise<{ user: SessionUser; passwordChangeRequired: boolean }> {
  const check = await pageSession();
  if (!check.ok) redirect("/signin");
  return { user: check.user, passwordChangeRequired: check.passwordChangeRequired };
}

/** For the sign-in page: whether a valid session (any state) is already present, so it can move on. */
export async function hasPageSession(): Promise<boolean> {
  return (await pageSession()).ok;
}

/** For the sign-in page: the single sign-on button to show, if OIDC is configured. */
export function singleSignOn(): { providerId: string; name: string } | null {
  const oidc = oidcSettings(getEnv());
  return oidc ? { providerId: OIDC_PROVIDER_ID, name: oidc.name } : null;
}
