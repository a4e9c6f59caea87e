import type { Role } from "@/lib/auth/roles";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string | null; role: Role };
  }
  interface User {
    role?: Role;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    role?: Role;
    /** This session's id (sign-out revokes it). */
    sid?: string;
    /** The person's session version at sign-in; a newer one in the database revokes the token. */
    sv?: number;
    /** Sign-in time, seconds since the epoch: the absolute lifetime counts from here. */
    authTime?: number;
  }
}
