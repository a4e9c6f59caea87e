import pg from "pg";
import { redactPayload } from "@/lib/audit/record-audit-event";
import type { DbOrTx } from "@/lib/db/client";
import { getEnv } from "@/lib/env";

/** The NOTIFY channel the restore_run_events trigger announces each insert on (see the migration). */
export const RUN_EVENTS_CHANNEL = "restore_run_events";

export type RunEventType =
  | "run.created"
  | "status"
  | "step.started"
  | "step.succeeded"
  | "step.failed"
  | "step.cancelled"
  | "progress"
  | "message"
  | "validation"
  | "swap"
  | "rollback"
  | "cleanup"
  | "cut-over"
  | "cancel.requested"
  | "sweeper";

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
  /** Called when the listening connection fails; the subscription is over then. */
  onError?: (error: Error) => void;
}

/**
 * Live events of one run, from a dedicated connection that LISTENs on restore_run_events (so a
 * worker in another process is heard). Notifications carry only ids; the rows are read in id
 * order, each delivered once. Returns the unsubscribe function.
 */
export async function subscribeToRunEvents(
  runId: string,
  onEvent: (event: RunEventView) => void,
  options: SubscribeOptions = {},
): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: options.connectionString ?? getEnv().DATABASE_URL, application_name: "restore-console-events" });
  let lastId = BigInt(options.afterId ?? 0);
  let closed = false;
  let reading: Promise<void> = Promise.resolve();

  // One reader at a time, always from the last delivered id: nothing is missed or repeated even
  // when notifications arrive faster than the rows are read.
  const catchUp = () => {
    reading = reading.then(async () => {
      if (closed) return;
      const { rows } = await client.query<EventRow>(
        `SELECT id::text AS id, run_id, at, type, payload FROM restore_run_events WHERE run_id = $1 AND id > $2 ORDER BY id LIMIT 500`,
        [runId, lastId.toString()],
      );
      for (const row of rows) {
        lastId = BigInt(row.id);
        if (!closed) onEvent(viewOf(row));
      }
      if (rows.length === 500) catchUp();
    });
    reading.catch((error: unknown) => fail(error));
  };
  const fail = (error: unknown) => {
    if (closed) return;
    closed = true;
    options.onError?.(error instanceof Error ? error : new Error(String(error)));
    void client.end().catch(() => undefined);
  };

  client.on("error", fail);
  client.on("notification", (message) => {
    if (message.channel !== RUN_EVENTS_CHANNEL || !message.payload) return;
    try {
      const note = JSON.parse(message.payload) as { runId?: string; id?: number | string };
      if (note.runId === runId && note.id !== undefined && BigInt(note.id) > lastId) catchUp();
    } catch {
      // Not ours to interpret.
    }
  });
  await client.connect();
  await client.query(`LISTEN ${RUN_EVENTS_CHANNEL}`);
  // Rows written before LISTEN took effect (or after afterId) are read once now.
  catchUp();

  return async () => {
    if (closed) return;
    closed = true;
    await reading.catch(() => undefined);
    await client.end().catch(() => undefined);
  };
}
