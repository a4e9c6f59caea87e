import "server-only";
import { AppError } from "@/lib/errors";
import { demoOutageSwitch, readSimulatedOutage } from "./simulated-outage";
import type { SimulatedOutage } from "./simulated-outage-state";

/** Whether the demo's primary backup store is in a simulated outage; refused (404/409, saying why) outside a running demo. */
export async function getSimulatedOutage(): Promise<SimulatedOutage> {
  return readSimulatedOutage(await demoOutageSwitch());
}

/** The same, or null where there is no switch (not the demo, or its S3 servers not started here): for a page that shows it only then. */
export async function findSimulatedOutage(): Promise<SimulatedOutage | null> {
  try {
    return await getSimulatedOutage();
  } catch (error) {
    if (error instanceof AppError && (error.status === 404 || error.status === 409)) return null;
    throw error;
  }
}
