import { route } from "@/lib/http/route";
import { createUser, CreateUserInput } from "@/lib/users/create-user";
import { listUsers } from "@/lib/users/list-users";

export const GET = route({ role: "admin" }, ({ ctx }) => listUsers({ ctx }));

export const POST = route({ role: "admin", body: CreateUserInput }, async ({ ctx, input }) => {
  const user = await createUser({ ctx: { ...ctx, actor: ctx.user }, input: input.body });
  return Response.json(user, { status: 201 });
});
