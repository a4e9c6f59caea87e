import { route } from "@/lib/http/route";
import { changeOwnPassword, ChangeOwnPasswordInput } from "@/lib/users/change-own-password";

/** Any signed-in person, including one who holds a one-time password (see CHANGE_OWN_PASSWORD_PATH). */
export const POST = route({ role: "viewer", body: ChangeOwnPasswordInput }, ({ ctx, input }) =>
  changeOwnPassword({ ctx, input: input.body }),
);
