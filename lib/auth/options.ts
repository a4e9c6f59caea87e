import "server-only";
import { randomUUID } from "node:crypto";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { getEnv, oidcSettings } from "@/lib/env";
import { signOutSession } from "@/lib/users/sign-out-session";
import { clientAddress } from "./client-address";
import { oidcRefusalUrl } from "./oidc-policy";
import { signInWithOidc } from "./oidc-sign-in";
import { isRole, type Role, type SessionUser } from "./roles";
import { sessionExpiresAt, sessionLifetimeSeconds, UUID_PATTERN } from "./session-claims";
import { getSignInThrottle } from "./sign-in-throttle";
import { signInWithPassword } from "./sign-in-with-password";

const Credentials = z.object({ email: z.email().transform((e) => e.toLowerCase()), password: z.string().min(1).max(1024) });

export const OIDC_PROVIDER_ID = "oidc";

/** next-auth configuration: credentials against the users table, plus OIDC when configured. */
export function buildAuthOptions(): NextAuthOptions {
  const env = getEnv();
  const oidc = oidcSettings(env);
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      /** Throttled per account and address before the password is checked: see signInWithPassword. */
      async authorize(raw, req) {
        const parsed = Credentials.safeParse(raw);
        if (!parsed.success) return null;
        const throttle = getSignInThrottle(env.DATABASE_URL);
        const address = clientAddress(req.headers ?? {}, env.RESTORE_CONSOLE_TRUSTED_PROXY_HOPS);
        return signInWithPassword({
          ctx: { db: getDb(), user: null, requestId: randomUUID() },
          input: { ...parsed.data, address },
          throttle,
        });
      },
    }),
  ];
  if (oidc) {
    providers.push({
      id: OIDC_PROVIDER_ID,
      name: oidc.name,
      type: "oauth",
      wellKnown: `${oidc.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
      authorization: { params: { scope: oidc.scopes } },
      // The claims come from the ID token, validated (signature, issuer, audience, nonce) by openid-client.
      idToken: true,
      checks: ["pkce", "state", "nonce"],
      profile(profile: { sub: string; email?: string; name?: string }) {
        return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? null };
      },
    });
  }

  return {
    secret: env.NEXTAUTH_SECRET,
    // The cookie never outlives the absolute lifetime; the session check enforces it from sign-in.
    session: { strategy: "jwt", maxAge: sessionLifetimeSeconds() },
    pages: { signIn: "/signin" },
    providers,
    callbacks: {
      /**
       * Single sign-on: the account is found by (issuer, subject), never by email; see
       * signInWithOidc. A refusal goes back to the sign-in page with its reason, already audited.
       */
      async signIn({ user, account, profile }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        if (!oidc) return false;
        const result = await signInWithOidc({
          ctx: { db: getDb(), user: null, requestId: randomUUID() },
          input: { claims: { ...(profile ?? {}) } as Record<string, unknown>, settings: oidc },
        });
        if (!result.ok) return oidcRefusalUrl(env.NEXTAUTH_URL, result.reason);
        // next-auth hands this same object to the jwt callback: from here on it is OUR person
        // (id and email of the account the identity is bound to), not the IdP's email claim.
        Object.assign(user, { id: result.user.id, email: result.user.email, name: result.user.name, role: result.user.role });
        return true;
      },
      async jwt({ token, user, account }) {
        if (user && account) {
          // On sign-in, the token carries our user id and role. `user.id` is our person's id for
          // both providers (authorize returns it; the signIn callback puts it there for OIDC).
          const record = UUID_PATTERN.test(user.id) ? await getDb().user.findUnique({ where: { id: user.id } }) : null;
          if (record) {
            token.sub = record.id;
            token.role = record.role;
            token.email = record.email;
            token.name = record.name;
            // Set once here and carried unchanged as the cookie rolls: see SessionClaims.
            token.sid = randomUUID();
            token.sv = record.sessionVersion;
            token.authTime = Math.floor(Date.now() / 1000);
          }
        }
        return token;
      },
      async session({ session, token }) {
        const role: Role = isRole(token.role) ? token.role : "viewer";
        session.user = { id: token.sub ?? "", email: token.email ?? "", name: token.name ?? null, role };
        // The real end of the session (absolute, from sign-in), not next-auth's rolling one.
        if (typeof token.authTime === "number") session.expires = sessionExpiresAt(token.authTime).toISOString();
        return session;
      },
    },
    events: {
      /** Sign-out ends this session for good (its id is revoked), not just its cookie. */
      async signOut({ token }) {
        if (!token?.sub) return;
        const user: SessionUser = {
          id: token.sub,
          email: token.email ?? "unknown",
          name: token.name ?? null,
          role: isRole(token.role) ? token.role : "viewer",
        };
        await signOutSession({
          ctx: { db: getDb(), user, requestId: randomUUID() },
          input: { claims: token },
        });
      },
    },
  };
}

let cached: NextAuthOptions | undefined;
export function getAuthOptions(): NextAuthOptions {
  cached ??= buildAuthOptions();
  return cached;
}
