import { route } from "@/lib/http/route";
import { CreateApiTokenInput } from "@/lib/users/api-token-model";
import { createApiToken, listApiTokens } from "@/lib/users/api-tokens";

/** Every API token (never a secret), newest first. Admins. */
export const GET = route({ role: "admin" }, ({ ctx }) => listApiTokens({ ctx }));

/** Creates a token: 201 with its secret, shown this once. Admins. */
export const POST = route({ role: "admin", body: CreateApiTokenInput }, async ({ ctx, input }) =>
  Response.json(await createApiToken({ ctx, input: input.body }), { status: 201, headers: { "cache-control": "no-store" } }),
);
