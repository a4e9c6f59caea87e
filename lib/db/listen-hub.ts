import "server-only";
import pg from "pg";

// One PostgreSQL connection per process (per database URL) LISTENs for every live feed — run
// events, incident timelines — and fans each notification out to the subscribers of its key.
// A hundred open pages cost one connection, not a hundred. The connection opens with the first
// subscriber and closes shortly after the last; if it drops, it reconnects with backoff and
// tells every subscriber to resync, since notifications sent while it was down are lost.

/** A NOTIFY channel and how to read the key (a run id, an incident id) from its payload. */
export interface HubChannel<N> {
  name: string;
  parse(payload: string): N | null;
  keyOf(notice: N): string;
}

export interface HubSubscriber<N> {
  onNotice(notice: N): void;
  /** The connection was lost and is back: whatever was announced in between was missed. */
  onResync?(): void;
}

/** Subscribers under this key hear every notice of the channel (keys are uuids: no collision). */
export const EVERY_KEY = "*";

const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 15_000;
/** The last subscriber leaving does not close at once: pages reconnect (stream lifetime, reloads). */
const IDLE_CLOSE_MS = 5_000;

interface Entry {
  channel: HubChannel<unknown>;
  subscriber: HubSubscriber<unknown>;
}

interface Hub {
  connectionString: string;
  channels: Map<string, HubChannel<unknown>>;
  /** channel name → key → subscribers */
  subscribers: Map<string, Map<string, Set<Entry>>>;
  client: pg.Client | null;
  listening: Set<string>;
  connecting: Promise<pg.Client> | null;
  reconnectTimer: ReturnType<typeof setTimeout> | null;
  reconnectDelay: number;
  idleTimer: ReturnType<typeof setTimeout> | null;
  /** Set once a live connection was lost, so the next one resyncs everyone. */
  lost: boolean;
}

const globalForHubs = globalThis as unknown as { restoreConsoleListenHubs?: Map<string, Hub> };
const hubs = (globalForHubs.restoreConsoleListenHubs ??= new Map<string, Hub>());

export const HUB_APPLICATION_NAME = "restore-console-live";

function count(hub: Hub): number {
  let total = 0;
  for (const byKey of hub.subscribers.values()) for (const set of byKey.values()) total += set.size;
  return total;
}

function everyEntry(hub: Hub): Entry[] {
  const all: Entry[] = [];
  for (const byKey of hub.subscribers.values()) for (const set of byKey.values()) all.push(...set);
  return all;
}

function dispatch(hub: Hub, message: pg.Notification): void {
  const channel = hub.channels.get(message.channel);
  if (!channel || message.payload === undefined) return;
  const notice = channel.parse(message.payload);
  if (notice === null) return;
  const byKey = hub.subscribers.get(channel.name);
  for (const key of [channel.keyOf(notice), EVERY_KEY]) {
    for (const entry of [...(byKey?.get(key) ?? [])]) {
      try {
        entry.subscriber.onNotice(notice);
      } catch (error) {
        console.error("[live] a subscriber failed on a notice", error);
      }
    }
  }
}

async function listen(client: pg.Client, hub: Hub, channel: string): Promise<void> {
  if (hub.listening.has(channel)) return;
  // Channel names are our own constants, never input.
  await client.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
  hub.listening.add(channel);
}

function connect(hub: Hub): Promise<pg.Client> {
  hub.connecting ??= (async () => {
    const client = new pg.Client({ connectionString: hub.connectionString, application_name: HUB_APPLICATION_NAME });
    client.on("notification", (message) => dispatch(hub, message));
    const onLost = (error?: Error) => {
      if (hub.client !== client) return;
      if (error) console.error("[live] the live-update connection failed; reconnecting:", error.message);
      hub.client = null;
      hub.listening.clear();
      hub.lost = true;
      client.end().catch(() => undefined);
      scheduleReconnect(hub);
    };
    client.on("error", onLost);
    client.on("end", () => onLost());
    try {
      await client.connect();
      hub.listening.clear();
      for (const name of hub.subscribers.keys()) await listen(client, hub, name);
    } catch (error) {
      client.removeAllListeners();
      client.on("error", () => undefined);
      await client.end().catch(() => undefined);
      throw error;
    }
    hub.client = client;
    hub.reconnectDelay = RECONNECT_FIRST_MS;
    if (hub.lost) {
      hub.lost = false;
      for (const entry of everyEntry(hub)) {
        try {
          entry.subscriber.onResync?.();
        } catch (error) {
          console.error("[live] a subscriber failed to resync", error);
        }
      }
    }
    return client;
  })().finally(() => {
    hub.connecting = null;
  });
  return hub.connecting;
}

function scheduleReconnect(hub: Hub): void {
  if (hub.reconnectTimer || count(hub) === 0) return;
  const delay = hub.reconnectDelay;
  hub.reconnectDelay = Math.min(delay * 2, RECONNECT_MAX_MS);
  hub.reconnectTimer = setTimeout(() => {
    hub.reconnectTimer = null;
    if (count(hub) === 0 || hub.client) return;
    connect(hub).catch((error: unknown) => {
      console.error("[live] reconnecting failed; trying again:", error instanceof Error ? error.message : error);
      scheduleReconnect(hub);
    });
  }, delay);
  hub.reconnectTimer.unref?.();
}

async function closeIfIdle(hub: Hub): Promise<void> {
  if (count(hub) > 0) return;
  if (hub.reconnectTimer) clearTimeout(hub.reconnectTimer);
  hub.reconnectTimer = null;
  await hub.connecting?.catch(() => undefined);
  // Someone may have subscribed while the connection was still opening.
  if (count(hub) > 0) return;
  const client = hub.client;
  hub.client = null;
  hub.listening.clear();
  hub.lost = false;
  await client?.end().catch(() => undefined);
}

function scheduleIdleClose(hub: Hub, delayMs: number): void {
  if (hub.idleTimer) clearTimeout(hub.idleTimer);
  hub.idleTimer = setTimeout(() => {
    hub.idleTimer = null;
    void closeIfIdle(hub).catch(() => undefined);
  }, delayMs);
  hub.idleTimer.unref?.();
}

function hubFor(connectionString: string): Hub {
  let hub = hubs.get(connectionString);
  if (!hub) {
    hub = {
      connectionString,
      channels: new Map(),
      subscribers: new Map(),
      client: null,
      listening: new Set(),
      connecting: null,
      reconnectTimer: null,
      reconnectDelay: RECONNECT_FIRST_MS,
      idleTimer: null,
      lost: false,
    };
    hubs.set(connectionString, hub);
  }
  return hub;
}

/**
 * Calls `subscriber.onNotice` for every notification on `channel` whose key is `key` (or every
 * one, with EVERY_KEY), from any process, until the returned function is called. Resolves once
 * the process's connection is listening on the channel.
 */
export async function subscribeToChannel<N>(
  connectionString: string,
  channel: HubChannel<N>,
  key: string,
  subscriber: HubSubscriber<N>,
): Promise<() => Promise<void>> {
  const hub = hubFor(connectionString);
  if (hub.idleTimer) clearTimeout(hub.idleTimer);
  hub.idleTimer = null;
  hub.channels.set(channel.name, channel as HubChannel<unknown>);
  const byKey = hub.subscribers.get(channel.name) ?? new Map<string, Set<Entry>>();
  hub.subscribers.set(channel.name, byKey);
  const set = byKey.get(key) ?? new Set<Entry>();
  byKey.set(key, set);
  // A fresh entry per subscription, so the same callbacks subscribed twice unsubscribe once each.
  const entry: Entry = { channel: channel as HubChannel<unknown>, subscriber: subscriber as HubSubscriber<unknown> };
  set.add(entry);

  const remove = () => {
    set.delete(entry);
    if (set.size === 0 && byKey.get(key) === set) byKey.delete(key);
  };
  try {
    const client = hub.client ?? (await (hub.connecting ?? connect(hub)));
    await listen(client, hub, channel.name);
  } catch (error) {
    remove();
    scheduleIdleClose(hub, 0);
    throw error;
  }
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    remove();
    // Closing happens in the background, later: a stream's clean-up should not wait on it, and a
    // page that reconnects right away finds the connection still open.
    if (count(hub) === 0) scheduleIdleClose(hub, IDLE_CLOSE_MS);
  };
}

/** For tests and health: how many hub connections this process holds, and subscribers on them. */
export function listenHubStats(): { connections: number; subscribers: number } {
  let connections = 0;
  let subscribers = 0;
  for (const hub of hubs.values()) {
    if (hub.client) connections++;
    subscribers += count(hub);
  }
  return { connections, subscribers };
}
