import { z } from "zod";
import { ROLES } from "@/lib/auth/roles";
import { route } from "@/lib/http/route";
import { changeUserRole } from "@/lib/users/change-user-role";
import { UserParams } from "@/lib/users/people-context";

const Body = z.strictObject({ role: z.enum(ROLES) });

export const POST = route({ role: "admin", params: UserParams, body: Body }, ({ ctx, input }) =>
  changeUserRole({ ctx, input: { userId: input.params.userId, role: input.body.role } }),
);
