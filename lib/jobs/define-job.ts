import type { z } from "zod";
import type PgBoss from "pg-boss";

export interface JobContext {
  jobId: string;
  /** Aborted when the worker is shutting down, so long steps can stop cleanly. */
  signal: AbortSignal;
}

/** A queue: its name, its payload schema (checked on send and on receipt) and its settings. What a sender needs, and nothing more. */
export interface JobQueue<S extends z.ZodType = z.ZodType> {
  queue: string;
  input: S;
  /** Queue settings: retries, expiry (the phase timeout), retention. */
  options: Omit<PgBoss.Queue, "name">;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType> extends JobQueue<S> {
  /** Jobs of this queue one worker runs at once (default 1): a long restore must not hold up another target's. */
  concurrency?: number;
  /** Sent by pg-boss's cron (minute resolution) and, with `atStart`, once when a worker starts. */
  schedule?: { cron: string; atStart?: boolean };
  run(input: z.infer<S>, ctx: JobContext): Promise<void>;
}

/**
 * Work every worker does on its own timer, not through a queue: a queued job held by a worker that
 * dies is lost until its expiry, but every live worker's ticker keeps running.
 */
export interface Ticker {
  name: string;
  everyMs: number;
  run(signal: AbortSignal): Promise<void>;
}

/** A queue senders can import without the handler (and everything the handler imports). */
export function defineQueue<S extends z.ZodType>(queue: JobQueue<S>): JobQueue<S> {
  return queue;
}

/** A typed job: its queue name, its payload schema (checked on send and on receipt) and its handler. */
export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}
