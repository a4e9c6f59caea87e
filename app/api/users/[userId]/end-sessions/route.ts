import { route } from "@/lib/http/route";
import { endUserSessions } from "@/lib/users/end-user-sessions";
import { UserParams } from "@/lib/users/people-context";

export const POST = route({ role: "admin", params: UserParams }, ({ ctx, input }) =>
  endUserSessions({ ctx, input: { userId: input.params.userId } }),
);
