import { route } from "@/lib/http/route";
import { disableUser } from "@/lib/users/disable-user";
import { UserParams } from "@/lib/users/people-context";

export const POST = route({ role: "admin", params: UserParams }, ({ ctx, input }) =>
  disableUser({ ctx, input: { userId: input.params.userId } }),
);
