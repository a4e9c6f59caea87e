import { z } from "zod";
import { loadConfig } from "@/lib/config/load-config";
import { resolveSecret } from "@/lib/config/secrets";
import { defineJob } from "@/lib/jobs/define-job";
import { recordDemoActivity } from "./record-demo-activity";

/**
 * Built-in demo only: a small write to the demo's "production" LoanServe every minute, so its WAL
 * archive keeps growing and the PITR window's latest end moves (a custom time can be restored).
 * Does nothing when a configuration file is in use.
 */
export const demoActivityJob = defineJob({
  queue: "demo-production-activity",
  input: z.object({}),
  options: { retryLimit: 0, expireInSeconds: 5 * 60 },
  schedule: { cron: "* * * * *" },
  async run() {
    const { source, config } = loadConfig();
    if (source.kind !== "demo") return;
    const pitr = config.environments.find((e) => e.name === config.defaultEnvironment)?.pitr;
    if (pitr?.provider !== "local") return;
    const url = new URL(`postgresql://${pitr.host}:${pitr.port}/`);
    url.pathname = `/${encodeURIComponent(pitr.database)}`;
    url.username = encodeURIComponent(pitr.user);
    if (pitr.passwordFrom) url.password = encodeURIComponent(await resolveSecret(pitr.passwordFrom));
    await recordDemoActivity(url.toString());
  },
});
