import { getBackupHealth } from "@/lib/backups/get-backup-health";
import { loadConfig } from "@/lib/config/load-config";
import { route } from "@/lib/http/route";

/** Backup freshness of every environment, for the Overview page and for monitoring. */
export const GET = route({ role: "viewer" }, async ({ ctx }) => {
  const { config } = loadConfig();
  return { environments: await Promise.all(config.environments.map((environment) => getBackupHealth({ ctx, input: { environment } }))) };
});
