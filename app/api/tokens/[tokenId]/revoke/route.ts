import { z } from "zod";
import { route } from "@/lib/http/route";
import { revokeApiToken } from "@/lib/users/api-tokens";

/** Revokes a token at once. Admins. */
export const POST = route({ role: "admin", params: z.object({ tokenId: z.uuid() }) }, ({ ctx, input }) =>
  revokeApiToken({ ctx, input: input.params }),
);
