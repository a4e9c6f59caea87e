import { randomBytes } from "node:crypto";
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
    const token = await encode({ token: { sub: user.id, email, name: null, role }, secret: TEST_SECRET });
    return { id: user.id, email, role, cookie: `next-auth.session-token=${token}` };
  } finally {
    await db.$disconnect();
  }
}
