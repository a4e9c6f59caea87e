import pg from "pg";
import { getEnv } from "@/lib/env";

// Live timeline updates across processes: the incident_events table's trigger NOTIFYs on every
// insert, and one dedicated connection per process LISTENs and fans the notifications out to
// the pages subscribed to that incident. The connection opens with the first subscriber and
// closes with the last; if it drops, it reconnects while anyone is still listening.

const CHANNEL = "incident_events";
/** Listeners under this key hear every incident (incident ids are uuids, so it cannot collide). */
const EVERY_INCIDENT = "*";
const RECONNECT_MS = 2_000;

export interface IncidentEventNotice {
  incidentId: string;
  /** The timeline row's id. */
  id: string;
}

type Listener = (notice: IncidentEventNotice) => void;

interface Hub {
  connectionString: string;
  listeners: Map<string, Set<Listener>>;
  client: pg.Client | null;
  connecting: Promise<void> | null;
  reconnectTimer: ReturnType<typeof setTimeout> | null;
}

const hubs = new Map<string, Hub>();

function parseNotice(payload: string | undefined): IncidentEventNotice | null {
  try {
    const value = JSON.parse(payload ?? "") as { incidentId?: unknown; id?: unknown };
    if (typeof value.incidentId !== "string" || (typeof value.id !== "number" && typeof value.id !== "string")) return null;
    return { incidentId: value.incidentId, id: String(value.id) };
  } catch {
    return null;
  }
}

function subscriberCount(hub: Hub): number {
  let count = 0;
  for (const set of hub.listeners.values()) count += set.size;
  return count;
}

function connect(hub: Hub): Promise<void> {
  hub.connecting ??= (async () => {
    const client = new pg.Client({ connectionString: hub.connectionString, application_name: "restore-console-incident-events" });
    client.on("notification", (message) => {
      const notice = parseNotice(message.payload);
      if (!notice) return;
      for (const key of [notice.incidentId, EVERY_INCIDENT]) for (const listener of hub.listeners.get(key) ?? []) listener(notice);
    });
    const lost = () => {
      if (hub.client !== client) return;
      hub.client = null;
      client.end().catch(() => undefined);
      scheduleReconnect(hub);
    };
    client.on("error", (error) => {
      console.error("[incidents] live-update connection failed; reconnecting", error.message);
      lost();
    });
    client.on("end", lost);
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    hub.client = client;
  })().finally(() => {
    hub.connecting = null;
  });
  return hub.connecting;
}

function scheduleReconnect(hub: Hub): void {
  if (hub.reconnectTimer || subscriberCount(hub) === 0) return;
  hub.reconnectTimer = setTimeout(() => {
    hub.reconnectTimer = null;
    if (subscriberCount(hub) === 0 || hub.client) return;
    connect(hub).catch(() => scheduleReconnect(hub));
  }, RECONNECT_MS);
}

async function release(hub: Hub): Promise<void> {
  if (subscriberCount(hub) > 0) return;
  if (hub.reconnectTimer) clearTimeout(hub.reconnectTimer);
  hub.reconnectTimer = null;
  await hub.connecting?.catch(() => undefined);
  // Someone may have subscribed while the connection was still opening.
  if (subscriberCount(hub) > 0) return;
  const client = hub.client;
  hub.client = null;
  await client?.end().catch(() => undefined);
}

/**
 * Calls `onEvent` for every new timeline entry of the incident (null: of every incident), from
 * any process, until the returned function is called. Resolves once the listener is attached.
 */
export async function subscribeToIncidentEvents(
  incidentId: string | null,
  onEvent: Listener,
  connectionString: string = getEnv().DATABASE_URL,
): Promise<() => Promise<void>> {
  const key = incidentId ?? EVERY_INCIDENT;
  let hub = hubs.get(connectionString);
  if (!hub) {
    hub = { connectionString, listeners: new Map(), client: null, connecting: null, reconnectTimer: null };
    hubs.set(connectionString, hub);
  }
  const set = hub.listeners.get(key) ?? new Set<Listener>();
  hub.listeners.set(key, set);
  // A fresh function per subscription, so the same callback subscribed twice unsubscribes once each.
  const listener: Listener = (notice) => onEvent(notice);
  set.add(listener);
  const current = hub;
  try {
    if (!current.client) await connect(current);
  } catch (error) {
    set.delete(listener);
    await release(current);
    throw error;
  }
  return async () => {
    set.delete(listener);
    if (set.size === 0) current.listeners.delete(key);
    // Closing the connection happens in the background: an SSE stream's clean-up should not wait on it.
    void release(current).catch(() => undefined);
  };
}
