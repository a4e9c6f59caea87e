import { EVERY_KEY, subscribeToChannel, type HubChannel } from "@/lib/db/listen-hub";
import type { DbOrTx } from "@/lib/db/client";
import { getEnv } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";

// Live timeline updates across processes: the incident_events table's trigger NOTIFYs on every
// insert, and the process's shared LISTEN connection (lib/db/listen-hub, also used by run
// events) fans the notifications out to the pages subscribed to that incident.

const CHANNEL = "incident_events";

export interface IncidentEventNotice {
  incidentId: string;
  /** The timeline row's id. */
  id: string;
}

type Listener = (notice: IncidentEventNotice) => void;

const INCIDENT_CHANNEL: HubChannel<IncidentEventNotice> = {
  name: CHANNEL,
  parse(payload) {
    try {
      const value = JSON.parse(payload) as { incidentId?: unknown; id?: unknown };
      if (typeof value.incidentId !== "string" || (typeof value.id !== "number" && typeof value.id !== "string")) return null;
      return { incidentId: value.incidentId, id: String(value.id) };
    } catch {
      return null;
    }
  },
  keyOf: (notice) => notice.incidentId,
};

/**
 * Calls `onEvent` for every new timeline entry of the incident (null: of every incident), from
 * any process, until the returned function is called. Resolves once the listener is attached.
 * `onResync` runs when the shared connection was lost and is back: entries added in between
 * were not announced, so the page should read the timeline again.
 */
export async function subscribeToIncidentEvents(
  incidentId: string | null,
  onEvent: Listener,
  connectionString: string = getEnv().DATABASE_URL,
  onResync?: () => void,
): Promise<() => Promise<void>> {
  return subscribeToChannel(connectionString, INCIDENT_CHANNEL, incidentId ?? EVERY_KEY, { onNotice: onEvent, onResync });
}

/** The incident's id, or NotFoundError: a live feed is opened only for an incident that exists. */
export async function findIncidentOrThrow(db: DbOrTx, incidentId: string): Promise<string> {
  const incident = await db.incident.findUnique({ where: { id: incidentId }, select: { id: true } });
  if (!incident) throw new NotFoundError("There is no incident with this id. Check the link, or find it under Incidents.");
  return incident.id;
}
