import { route } from "@/lib/http/route";
import { disableUser } from "@/lib/users/disable-user";
import { UserParams } from "@/lib/users/people-context";

export const POST = route({ role: "admin", params: UserParams }, ({ ctx, input }) =>
  disableUser({ ctx: { ...ctx, actor: ctx.user }, input: { userId: input.params.userId } }),
);
