-- Several workers: every attempt at a step is recorded (which worker, when, how it ended), so
-- "each step ran exactly once" can be proven from the database and retries are visible; the
-- lease remembers its pg-boss job, so the sweeper can fail a dead worker's job at once.
ALTER TABLE "restore_runs" ADD COLUMN "lease_job_id" TEXT;

CREATE TABLE "restore_step_attempts" (
    "id" UUID NOT NULL,
    "step_id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "worker_id" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "outcome" TEXT,

    CONSTRAINT "restore_step_attempts_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "restore_step_attempts_step_id_attempt_key" ON "restore_step_attempts"("step_id", "attempt");
CREATE INDEX "restore_step_attempts_run_id_idx" ON "restore_step_attempts"("run_id");

ALTER TABLE "restore_step_attempts" ADD CONSTRAINT "restore_step_attempts_step_id_fkey" FOREIGN KEY ("step_id") REFERENCES "restore_steps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
