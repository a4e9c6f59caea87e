import { z } from "zod";
import { linkSsoIdentity } from "@/lib/auth/oidc-link-identity";
import { unlinkSsoIdentity } from "@/lib/auth/oidc-unlink-identity";
import { route } from "@/lib/http/route";
import { UserParams } from "../params";

const LinkBody = z.strictObject({ subject: z.string().trim().min(1, "is required").max(255), issuer: z.url().max(500).optional() });
const UnlinkBody = z.strictObject({ issuer: z.url().max(500).optional() }).optional();

/** Links a single sign-on identity (issuer, subject) to this person: an admin's explicit, audited act. */
export const POST = route({ role: "admin", params: UserParams, body: LinkBody }, async ({ ctx, input }) =>
  Response.json(await linkSsoIdentity({ ctx, input: { userId: input.params.userId, ...input.body } }), { status: 201 }),
);

/** Removes this person's single sign-on identity (and ends their sessions). */
export const DELETE = route({ role: "admin", params: UserParams, body: UnlinkBody }, ({ ctx, input }) =>
  unlinkSsoIdentity({ ctx, input: { userId: input.params.userId, ...input.body } }),
);
