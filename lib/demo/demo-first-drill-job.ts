import { randomUUID } from "node:crypto";
import { z } from "zod";
import { loadConfig } from "@/lib/config/load-config";
import { getDb } from "@/lib/db/client";
import { defineJob } from "@/lib/jobs/define-job";
import { startDrill } from "@/lib/restore/drill/start-drill";

/**
 * Built-in demo only: the demo environment's first drill, started by its first admin as soon as a
 * verified backup exists (the nightly schedule would leave the Drills page empty until then).
 * Does nothing once the environment has a drill of its own, or when a configuration file is in use.
 */
export const demoFirstDrillJob = defineJob({
  queue: "demo-first-drill",
  input: z.object({}),
  options: { retryLimit: 0, expireInSeconds: 5 * 60 },
  schedule: { cron: "* * * * *", atStart: true },
  async run() {
    const { source, config } = loadConfig();
    if (source.kind !== "demo") return;
    const environment = config.environments.find((e) => e.name === config.defaultEnvironment);
    if (!environment?.drills) return;
    const db = getDb();
    if (await db.restoreRun.findFirst({ where: { kind: "drill", environment: environment.name }, select: { id: true } })) return;
    const verified = await db.backup.findFirst({
      where: { environment: environment.name, removedAt: null, manifestState: "present", verificationState: "verified" },
      select: { id: true },
    });
    const admin = await db.user.findFirst({
      where: { role: "admin", disabledAt: null },
      orderBy: { createdAt: "asc" },
      select: { id: true, email: true, name: true, role: true },
    });
    if (!verified || !admin) return;
    await startDrill({ ctx: { db, user: admin, requestId: randomUUID() }, input: { environment: environment.name } });
  },
});
