import "server-only";
import { randomUUID } from "node:crypto";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { recordAuditEvent, ANONYMOUS } from "@/lib/audit/record-audit-event";
import { getDb } from "@/lib/db/client";
import { getEnv, oidcSettings } from "@/lib/env";
import { verifyPassword } from "@/lib/users/passwords";
import { isRole, type Role } from "./roles";

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
      async authorize(raw) {
        const parsed = Credentials.safeParse(raw);
        if (!parsed.success) return null;
        const db = getDb();
        const user = await db.user.findUnique({ where: { email: parsed.data.email } });
        const ok = await verifyPassword(parsed.data.password, user?.passwordHash);
        const requestId = randomUUID();
        if (!user || !ok || user.disabledAt) {
          await recordAuditEvent(db, {
            actor: user ? { id: user.id, email: user.email } : { ...ANONYMOUS, email: parsed.data.email },
            action: "auth.sign_in",
            outcome: "denied",
            payload: { provider: "credentials", reason: user?.disabledAt ? "disabled" : "bad credentials" },
            requestId,
          });
          return null;
        }
        await db.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
        await recordAuditEvent(db, {
          actor: { id: user.id, email: user.email },
          action: "auth.sign_in",
          payload: { provider: "credentials" },
          requestId,
        });
        return { id: user.id, email: user.email, name: user.name, role: user.role };
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
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      profile(profile: { sub: string; email?: string; name?: string }) {
        return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? null };
      },
    });
  }

  return {
    secret: env.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/signin" },
    providers,
    callbacks: {
      /** Single sign-on users get an account on first sign-in, with the configured default role. */
      async signIn({ user, account }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        const email = user.email?.toLowerCase();
        if (!email || !oidc) return false;
        const db = getDb();
        const existing = await db.user.findUnique({ where: { email } });
        if (existing?.disabledAt) return false;
        const record =
          existing ??
          (await db.user.create({ data: { email, name: user.name ?? null, role: oidc.defaultRole, authProvider: "oidc" } }));
        await db.user.update({ where: { id: record.id }, data: { lastSignInAt: new Date() } });
        await recordAuditEvent(db, {
          actor: { id: record.id, email },
          action: "auth.sign_in",
          payload: { provider: "oidc", created: !existing },
          requestId: randomUUID(),
        });
        return true;
      },
      async jwt({ token, user, account }) {
        if (user && account) {
          // On sign-in, the token carries our user id and role (for OIDC, looked up by email).
          const db = getDb();
          const record = await db.user.findUnique({ where: { email: (user.email ?? "").toLowerCase() } });
          if (record) {
            token.sub = record.id;
            token.role = record.role;
            token.email = record.email;
            token.name = record.name;
          }
        }
        return token;
      },
      async session({ session, token }) {
        const role: Role = isRole(token.role) ? token.role : "viewer";
        session.user = { id: token.sub ?? "", email: token.email ?? "", name: token.name ?? null, role };
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        if (!token?.sub) return;
        await recordAuditEvent(getDb(), {
          actor: { id: token.sub, email: token.email ?? "unknown" },
          action: "auth.sign_out",
          requestId: randomUUID(),
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
