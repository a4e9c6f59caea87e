import NextAuth from "next-auth";
import { getAuthOptions } from "@/lib/auth/options";

// next-auth's own endpoints (sign-in, callback, CSRF, sign-out) check their own input.
const handler = (request: Request, context: { params: Promise<{ nextauth: string[] }> }) => NextAuth(getAuthOptions())(request, context);

export { handler as GET, handler as POST };
