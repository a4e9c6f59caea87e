import { randomBytes, randomUUID } from "node:crypto";
import { encode } from "next-auth/jwt";
import type { Role } from "@/lib/auth/roles";
import { createDb } from "@/lib/db/client";
import { hashPassword } from "@/lib/users/passwords";

export const TEST_SECRET = "test-secret-for-integration-tests-only-0123456789";

/** Points the app's env at a test database, as the run command would. */
export function useTestEnv(databaseUrl: string): void {
  process.env.DATABASE_URL = databaseUrl;
  process.env.NEXTAUTH_SECRET = TEST_SECRET;
  process.env.NEXTAUTH_URL = "http://127.0.0.1:3000";
}

export interface TestUser {
  id: string;
  email: string;
  role: Role;
  cookie: string;
}

/** Creates a user in the database and a session cookie exactly as next-auth would issue it. */
export async function createTestUser(databaseUrl: string, role: Role): Promise<TestUser> {
  const db = createDb(databaseUrl);
  try {
    const email = `${role}-${randomBytes(4).toString("hex")}@example.com`;
    const user = await db.user.create({ data: { email, role, passwordHash: await hashPassword("correct horse battery") } });
    const cookie = await sessionCookieFor({ id: user.id, email, role, sessionVersion: user.sessionVersion });
    return { id: user.id, email, role, cookie };
  } finally {
    await db.$disconnect();
  }
}

/**
 * A session cookie as the app's `jwt` callback issues it at sign-in: our claims (`sid`, `sv`,
 * `authTime`, see lib/auth/session-claims.ts) included. `sessionVersion` must be the person's
 * current one for the cookie to work; `authTime` (seconds) lets a test age the session.
 */
export async function sessionCookieFor(user: {
  id: string;
  email: string;
  role: Role;
  sessionVersion: number;
  sessionId?: string;
  authTime?: number;
}): Promise<string> {
  const token = await encode({
    token: {
      sub: user.id,
      email: user.email,
      name: null,
      role: user.role,
      sid: user.sessionId ?? randomUUID(),
      sv: user.sessionVersion,
      authTime: user.authTime ?? Math.floor(Date.now() / 1000),
    },
    secret: TEST_SECRET,
  });
  return `next-auth.session-token=${token}`;
}
