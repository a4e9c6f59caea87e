import { getHealth } from "@/lib/health/get-health";
import { route } from "@/lib/http/route";

export const GET = route({ role: "public" }, async ({ ctx }) => {
  const health = await getHealth({ ctx });
  return Response.json(health, { status: health.status === "down" ? 503 : 200 });
});
