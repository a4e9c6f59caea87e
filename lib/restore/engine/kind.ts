import type { z } from "zod";
import type { SessionUser } from "@/lib/auth/roles";
import type { Db } from "@/lib/db/client";
import type { ClientCtx } from "@/lib/db/ctx";
import type { Prisma, RestoreRun, RestoreStep } from "@/lib/generated/prisma/client";

// What the engine needs to know about a kind of run. The engine claims and leases the run, runs
// its steps in order through the step runner, and settles it; a kind brings its plan schema, its
// step bodies and what differs when it stops. A new kind is a folder with one of these, plus a
// line in lib/restore/kinds.ts.

export type RunWithSteps = RestoreRun & { steps: RestoreStep[] };

/** A step's body: honours the signal (kills the tool, stops waiting) and returns what the step stores. */
export type StepBody<C> = (context: C, signal: AbortSignal, timeoutMs: number) => Promise<Prisma.InputJsonValue>;

/** What a kind prepares once per claim, before its steps run. */
export interface PreparedRun<C> {
  context: C;
  /** Literal secrets to mask in stored errors. */
  secrets: readonly string[];
  /** Waits for buffered writes (tool messages) before the run is settled. */
  flush?(): Promise<void>;
}

/** Why the run waits for a person before a step, instead of running it. */
export interface PersonHold {
  /** Blocking validation failures an admin has not accepted (empty when only a confirmation is missing). */
  blockingFailures: string[];
}

export interface CleanupResult {
  /** What was dropped or deleted now. */
  dropped: string[];
}

/** What a sweeper does with a run whose worker stopped renewing its lease at `step`. */
export type LapsedOutcome = "interrupted" | "succeeded" | "awaiting-swap" | "failed";

export interface RunKindDefinition<P = unknown, C = unknown> {
  kind: string;
  /** The prefix of this kind's audit actions, e.g. `restore` (`restore.failed`) or `pitr`. */
  auditPrefix: string;
  /** The stored plan's schema (every version this code reads). */
  plan: z.ZodType<P, unknown>;
  /** The bodies of the automatic steps, by step name. */
  steps: Readonly<Record<string, StepBody<C>>>;
  stepTimeoutsMs: Readonly<Record<string, number>>;
  /** Resolves what the steps need (configuration, credentials); a failure fails the run before any step. */
  prepare(args: { db: Db; run: RestoreRun; plan: P; owner: string }): Promise<PreparedRun<C>>;
  /**
   * May another worker resume a run stopped while this step was running? When not (streaming
   * cannot resume mid-way), a worker shutting down ends the run as interrupted, and so does the sweeper.
   */
  resumable(step: string): boolean;
  /** Said when a worker stopped in a step that cannot resume. */
  interruptedMessage?: string;
  /** Before `step`: hold the run for a person (awaiting-swap) instead of running it. */
  holdBefore?(db: Db, run: RestoreRun, step: RestoreStep): Promise<PersonHold | null>;
  /** Around each step: incident evidence, for instance. */
  beforeStep?(db: Db, run: RestoreRun, step: RestoreStep, plan: P): Promise<void>;
  afterStep?(db: Db, run: RestoreRun, step: RestoreStep, plan: P): Promise<void>;
  /**
   * The run stopped for good (it will end failed, cancelled or interrupted, not be handed back):
   * called just before it is ended, so a drill's copy is gone by the time it reads as failed. A
   * problem is the hook's to report; it never changes the outcome.
   */
  onStopped?(context: C, outcome: "failed" | "cancelled" | "interrupted"): Promise<void>;
  /** The run's end: what the success audit records. */
  succeededPayload(run: RestoreRun, context: C): Record<string, unknown>;
  /** Said after a cancel: what was touched and what is kept. */
  cancelledMessage(run: RestoreRun, step: RestoreStep | undefined, plan: P): string;
  /** Appended to a failure's message: what the run left behind. */
  failureSuffix?(step: RestoreStep | undefined, plan: P): string;
  /** Extra audit fields on this kind's failures and cancels (e.g. `{ kind: "pitr" }`). */
  auditPayload?: Record<string, unknown>;
  /**
   * The sweeper found this run's lease lapsed at `step`, which cannot simply be resumed: settle it
   * (the sweeper holds the lease as `owner`). Return null to let the run be resumed.
   */
  settleLapsed?(db: Db, run: RunWithSteps, step: RestoreStep, owner: string): Promise<LapsedOutcome | null>;
  /** Drops what a finished run left behind; `ctx.user` null is the retention sweep. */
  cleanup(args: { ctx: ClientCtx<SessionUser | null>; input: { runId: string; confirmation?: string } }): Promise<CleanupResult>;
  /** Leftovers the retention sweep may drop once the environment's retention has passed. */
  expiresLeftovers: boolean;
}

/** What settling a stopped run needs from its kind (no step bodies: the sweeper settles too). */
export type KindSettlement<P = unknown> = Pick<
  RunKindDefinition<P>,
  "kind" | "auditPrefix" | "resumable" | "interruptedMessage" | "cancelledMessage" | "failureSuffix" | "auditPayload"
>;
