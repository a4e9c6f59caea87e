import { route } from "@/lib/http/route";
import { resetUserPassword } from "@/lib/users/reset-user-password";
import { UserParams } from "@/lib/users/people-context";

/** The new one-time password is in this response only: never cached. */
export const POST = route({ role: "admin", params: UserParams }, async ({ ctx, input }) => {
  const result = await resetUserPassword({ ctx, input: { userId: input.params.userId } });
  return Response.json(result, { headers: { "cache-control": "no-store" } });
});
