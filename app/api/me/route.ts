import { route } from "@/lib/http/route";

export const GET = route({ role: "viewer" }, async ({ ctx }) => ctx.user);
