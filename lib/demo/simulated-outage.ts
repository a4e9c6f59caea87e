import "server-only";
import { randomUUID } from "node:crypto";
import { link, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { storeLocation } from "@/lib/backups/replica-health";
import { DEMO_S3_FOLDERS, demoRoot, SIMULATED_OUTAGE_FLAG } from "@/lib/config/demo";
import { defaultEnvironment, loadConfig } from "@/lib/config/load-config";
import type { EnvironmentConfig } from "@/lib/config/schema";
import { ConflictError, errorCode, NotFoundError } from "@/lib/errors";
import type { SimulatedOutage } from "./simulated-outage-state";

// The demo's outage switch: a flag file in the primary S3 server's folder, which that server
// (a child of the run command, scripts/lib/s3-server-main.mjs) watches; the web app is another
// process, and a file is what both see without a port or a protocol of their own.

export interface OutageSwitch {
  environment: EnvironmentConfig;
  flag: string;
}

const FlagContent = z.object({ startedAt: z.iso.datetime(), startedBy: z.string() });
export type FlagContent = z.infer<typeof FlagContent>;

const NOT_THE_DEMO =
  "The simulated outage is part of the built-in demo only. This Restore Console runs a configuration file: its backup stores are real, and nothing here stops them.";

/** The demo's switch; a NotFoundError outside the demo, a ConflictError when the run command did not start its S3 servers here. */
export async function demoOutageSwitch(): Promise<OutageSwitch> {
  const { source, config } = loadConfig();
  if (source.kind !== "demo") throw new NotFoundError(NOT_THE_DEMO);
  const folder = path.join(demoRoot(), DEMO_S3_FOLDERS.primary);
  const running = await stat(folder).then(
    (found) => found.isDirectory(),
    () => false,
  );
  if (!running) {
    throw new ConflictError(
      `The demo's S3 servers were not started from this data folder (no ${folder}), so there is nothing to stop. Start the demo with ./scripts/run.`,
    );
  }
  return { environment: defaultEnvironment(config), flag: path.join(folder, SIMULATED_OUTAGE_FLAG) };
}

/** Where the switch stands now: down while the flag file exists. */
export async function readSimulatedOutage({ environment, flag }: OutageSwitch): Promise<SimulatedOutage> {
  const base = {
    environment: environment.name,
    primary: environment.backupStore ? storeLocation(environment.backupStore) : "no backup store",
    replicas: environment.backupReplicas.map((replica) => replica.label ?? replica.name),
  };
  let text: string;
  try {
    text = await readFile(flag, "utf8");
  } catch {
    return { ...base, down: false, startedAt: null, startedBy: null };
  }
  let content: unknown = null;
  try {
    content = JSON.parse(text);
  } catch {
    // Someone touched the file by hand: the outage is on all the same, its start unknown.
  }
  const parsed = FlagContent.safeParse(content);
  return { ...base, down: true, startedAt: parsed.data?.startedAt ?? null, startedBy: parsed.data?.startedBy ?? null };
}

/**
 * Raises the flag whole (a hard link to a finished file, so no reader sees half its content);
 * false when it was already up: two people starting the outage at once start it once.
 */
export async function raiseOutageFlag(flag: string, content: FlagContent): Promise<boolean> {
  const temporary = `${flag}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(content)}\n`);
  try {
    await link(temporary, flag);
    return true;
  } catch (error) {
    if (errorCode(error) === "EEXIST") return false;
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Lowers the flag; false when it was already down. */
export async function lowerOutageFlag(flag: string): Promise<boolean> {
  try {
    await unlink(flag);
    return true;
  } catch (error) {
    if (errorCode(error) === "ENOENT") return false;
    throw error;
  }
}
