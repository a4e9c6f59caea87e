import { z } from "zod";
import { isPerson } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { ForbiddenError } from "@/lib/errors";
import { canonicalTimeZone } from "@/lib/time/zoned-time";

export const TimeZonePreferenceInput = z.strictObject({
  /** An IANA zone (stored under the runtime's own name: "europe/berlin" is Europe/Berlin), or null for "whatever my browser says". */
  timeZone: z
    .string()
    .max(64)
    .transform((zone, ctx) => {
      const canonical = canonicalTimeZone(zone);
      if (canonical === null) {
        ctx.addIssue({ code: "custom", message: "is not a time zone this server knows (use an IANA name such as Europe/Berlin or UTC)" });
        return z.NEVER;
      }
      return canonical;
    })
    .nullable(),
});
export type TimeZonePreferenceInput = z.input<typeof TimeZonePreferenceInput>;

/** A display preference, not a security decision: stored without an audit event. */
export async function setTimeZonePreference({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: TimeZonePreferenceInput;
}): Promise<{ timeZone: string | null }> {
  const { timeZone } = TimeZonePreferenceInput.parse(input);
  if (!isPerson(ctx.user)) throw new ForbiddenError("An API token has no display preferences; it reads instants as ISO 8601 in UTC.");
  await ctx.db.user.update({ where: { id: ctx.user.id }, data: { timeZone } });
  return { timeZone };
}
