import { listBackups, ListBackupsInput } from "@/lib/backups/list-backups";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import { route } from "@/lib/http/route";

export const GET = route({ role: "viewer", query: ListBackupsInput.partial({ environment: true }) }, ({ ctx, input }) =>
  listBackups({ ctx, input: { ...input.query, environment: resolveEnvironment(input.query.environment).name } }),
);
