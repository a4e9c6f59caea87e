import { z } from "zod";
import { getLatestRefresh } from "@/lib/backups/get-latest-refresh";
import { requestCatalogRefresh } from "@/lib/backups/request-catalog-refresh";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { route } from "@/lib/http/route";

const Environment = z.object({ environment: z.string().optional() });

/** The newest refresh of an environment's catalog (null: never refreshed). */
export const GET = route({ role: "viewer", query: Environment }, ({ ctx, input }) =>
  getLatestRefresh({ ctx, input: { environment: resolveEnvironment(input.query.environment).name } }),
);

export const POST = route({ role: "viewer", body: Environment.optional() }, ({ ctx, input }) =>
  requestCatalogRefresh({ ctx, input: { environment: resolveEnvironment(input.body?.environment).name } }),
);
