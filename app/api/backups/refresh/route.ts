import { z } from "zod";
import { requestCatalogRefresh } from "@/lib/backups/request-catalog-refresh";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { route } from "@/lib/http/route";

export const POST = route({ role: "viewer", body: z.object({ environment: z.string().optional() }).optional() }, ({ ctx, input }) =>
  requestCatalogRefresh({ ctx, input: { environment: resolveEnvironment(input.body?.environment).name } }),
);
