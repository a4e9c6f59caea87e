import { route } from "@/lib/http/route";
import { addUser, AddUserInput } from "@/lib/users/add-user";
import { listUsers } from "@/lib/users/list-users";

export const GET = route({ role: "admin" }, ({ ctx }) => listUsers({ ctx }));

/** Adds a person with a one-time password, returned once (never cached) and never stored in clear. */
export const POST = route({ role: "admin", body: AddUserInput }, async ({ ctx, input }) => {
  const result = await addUser({ ctx, input: input.body });
  return Response.json(result, { status: 201, headers: { "cache-control": "no-store" } });
});
