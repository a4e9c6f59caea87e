import { redactPayload } from "@/lib/audit/record-audit-event";
import type { DbOrTx } from "@/lib/db/client";
import { subscribeToChannel, type HubChannel } from "@/lib/db/listen-hub";
import { sharedReadPool, type ReadPool } from "@/lib/db/read-pool";
import { getEnv } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import type { RunEventType } from "./event-types";

/** The NOTIFY channel the restore_run_events trigger announces each insert on (see the migration). */
export const RUN_EVENTS_CHANNEL = "restore_run_events";

export type { RunEventType };

export interface RunEventView {
  id: string;
  runId: string;
  at: string;
  type: string;
  payload: unknown;
}

/** Appends one event to a run's feed; the trigger announces it to every listening process. */
export async function appendRunEvent(db: DbOrTx, runId: string, type: RunEventType, payload: Record<string, unknown> = {}): Promise<void> {
  await db.restoreRunEvent.create({ data: { runId, type, payload: redactPayload(payload) ?? {} } });
}

type EventRow = { id: string; run_id: string; at: Date; type: string; payload: unknown };

function viewOf(row: EventRow): RunEventView {
  return { id: row.id, runId: row.run_id, at: row.at.toISOString(), type: row.type, payload: row.payload };
}

export interface SubscribeOptions {
  /** The app database (default DATABASE_URL). */
  connectionString?: string;
  /** Deliver events after this id first (an EventSource's Last-Event-ID), then live ones. */
  afterId?: string;
  /** Called when reading the feed fails; the subscription is over then. */
  onError?: (error: Error) => void;
}

interface RunNotice {
  runId: string;
  id: bigint;
}

const RUN_CHANNEL: HubChannel<RunNotice> = {
  name: RUN_EVENTS_CHANNEL,
  parse(payload) {
    try {
      const value = JSON.parse(payload) as { runId?: unknown; id?: unknown };
      if (typeof value.runId !== "string" || (typeof value.id !== "number" && typeof value.id !== "string")) return null;
      return { runId: value.runId, id: BigInt(value.id) };
    } catch {
      return null;
    }
  },
  keyOf: (notice) => notice.runId,
};

const PAGE = 500;

interface RunSubscriber {
  lastId: bigint;
  onEvent: (event: RunEventView) => void;
  onError?: (error: Error) => void;
}

/**
 * Everyone in this process watching one run: one reader, from the lowest id anyone still needs,
 * so a hundred viewers of a run cost one query per notification, not a hundred.
 */
interface RunFeed {
  key: string;
  runId: string;
  pool: ReadPool;
  subscribers: Set<RunSubscriber>;
  reading: Promise<void>;
  pending: boolean;
}

const feeds = new Map<string, RunFeed>();

function catchUp(feed: RunFeed): void {
  // One reader at a time per run; a notification during a read asks for one more pass.
  if (feed.pending) return;
  feed.pending = true;
  feed.reading = feed.reading.then(async () => {
    feed.pending = false;
    for (;;) {
      if (feed.subscribers.size === 0) return;
      let from: bigint | null = null;
      for (const s of feed.subscribers) if (from === null || s.lastId < from) from = s.lastId;
      let rows: EventRow[];
      try {
        rows = await feed.pool.query<EventRow>(
          `SELECT id::text AS id, run_id, at, type, payload FROM restore_run_events WHERE run_id = $1 AND id > $2 ORDER BY id LIMIT ${PAGE}`,
          [feed.runId, (from ?? 0n).toString()],
        );
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        for (const s of [...feed.subscribers]) {
          feed.subscribers.delete(s);
          s.onError?.(failure);
        }
        return;
      }
      for (const row of rows) {
        const view = viewOf(row);
        const id = BigInt(row.id);
        for (const s of feed.subscribers) {
          if (id <= s.lastId) continue;
          s.lastId = id;
          try {
            s.onEvent(view);
          } catch (error) {
            console.error("[run events] a subscriber failed on an event", error);
          }
        }
      }
      if (rows.length < PAGE) return;
    }
  });
}

/**
 * Live events of one run. Every process shares one LISTEN connection (lib/db/listen-hub), so a
 * worker in another process is heard; notifications carry only ids, and the rows are read in
 * id order, each delivered once and none skipped — also after the shared connection was lost
 * and came back. Returns the unsubscribe function.
 */
export async function subscribeToRunEvents(
  runId: string,
  onEvent: (event: RunEventView) => void,
  options: SubscribeOptions = {},
): Promise<() => Promise<void>> {
  const connectionString = options.connectionString ?? getEnv().DATABASE_URL;
  const key = `${connectionString}\u0000${runId}`;
  let feed = feeds.get(key);
  if (!feed) {
    feed = { key, runId, pool: sharedReadPool(connectionString), subscribers: new Set(), reading: Promise.resolve(), pending: false };
    feeds.set(key, feed);
  }
  const current = feed;
  const subscriber: RunSubscriber = { lastId: BigInt(options.afterId ?? 0), onEvent, onError: options.onError };
  current.subscribers.add(subscriber);
  const leave = () => {
    current.subscribers.delete(subscriber);
    if (current.subscribers.size === 0 && feeds.get(key) === current) feeds.delete(key);
  };

  let unlisten: () => Promise<void>;
  try {
    unlisten = await subscribeToChannel(connectionString, RUN_CHANNEL, runId, {
      onNotice: (notice) => {
        if (notice.id > subscriber.lastId) catchUp(current);
      },
      // Notifications may have been missed while the connection was down: read what is new.
      onResync: () => catchUp(current),
    });
  } catch (error) {
    leave();
    throw error;
  }
  // Rows written before LISTEN took effect (or after afterId) are read once now.
  catchUp(current);

  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    leave();
    await unlisten();
  };
}

/** The run's id, or NotFoundError: a live feed is opened only for a run that exists. */
export async function findRunOrThrow(db: DbOrTx, runId: string): Promise<string> {
  const run = await db.restoreRun.findUnique({ where: { id: runId }, select: { id: true } });
  if (!run) throw new NotFoundError("There is no restore run with this id. Check the link, or find the run under Restores.");
  return run.id;
}
