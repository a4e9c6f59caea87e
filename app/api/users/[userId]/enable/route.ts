import { route } from "@/lib/http/route";
import { enableUser } from "@/lib/users/enable-user";
import { UserParams } from "@/lib/users/people-context";

export const POST = route({ role: "admin", params: UserParams }, ({ ctx, input }) =>
  enableUser({ ctx, input: { userId: input.params.userId } }),
);
