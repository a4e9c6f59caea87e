-- CreateTable
CREATE TABLE "restore_runs" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "target_name" TEXT NOT NULL,
    "target_database" TEXT NOT NULL,
    "backup_id" UUID,
    "mode" TEXT NOT NULL,
    "new_database_name" TEXT,
    "status" TEXT NOT NULL,
    "plan" JSONB NOT NULL,
    "scratch_database" TEXT NOT NULL,
    "previous_database" TEXT,
    "requested_by_id" UUID,
    "requested_by_email" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "error" TEXT,
    "error_detail" TEXT,
    "troubleshooting" TEXT,
    "progress" JSONB,
    "cancel_requested_at" TIMESTAMPTZ(3),
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "swap_confirmed_by_email" TEXT,
    "swap_confirmed_at" TIMESTAMPTZ(3),
    "swap_terminate_sessions" BOOLEAN NOT NULL DEFAULT false,
    "rolled_back_at" TIMESTAMPTZ(3),
    "rolled_back_database" TEXT,
    "validation_passed" BOOLEAN,
    "restore_point_at" TIMESTAMPTZ(3),

    CONSTRAINT "restore_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "restore_steps" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "output" JSONB,
    "error" TEXT,

    CONSTRAINT "restore_steps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "restore_run_events" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "restore_run_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "restore_target_locks" (
    "environment" TEXT NOT NULL,
    "target_name" TEXT NOT NULL,
    "run_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "restore_target_locks_pkey" PRIMARY KEY ("environment","target_name")
);

-- CreateTable
CREATE TABLE "validation_results" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "sql" TEXT NOT NULL,
    "expectation" TEXT NOT NULL,
    "actual" DOUBLE PRECISION,
    "rows" JSONB,
    "row_count" INTEGER,
    "passed" BOOLEAN NOT NULL,
    "message" TEXT NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "validation_results_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "restore_runs_environment_created_at_idx" ON "restore_runs"("environment", "created_at" DESC);

-- CreateIndex
CREATE INDEX "restore_runs_status_idx" ON "restore_runs"("status");

-- CreateIndex
CREATE UNIQUE INDEX "restore_steps_run_id_position_key" ON "restore_steps"("run_id", "position");

-- CreateIndex
CREATE INDEX "restore_run_events_run_id_id_idx" ON "restore_run_events"("run_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "restore_target_locks_run_id_key" ON "restore_target_locks"("run_id");

-- CreateIndex
CREATE INDEX "validation_results_name_created_at_idx" ON "validation_results"("name", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "validation_results_run_id_position_key" ON "validation_results"("run_id", "position");

-- AddForeignKey
ALTER TABLE "restore_runs" ADD CONSTRAINT "restore_runs_backup_id_fkey" FOREIGN KEY ("backup_id") REFERENCES "backups"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "restore_steps" ADD CONSTRAINT "restore_steps_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "restore_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "restore_run_events" ADD CONSTRAINT "restore_run_events_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "restore_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "restore_target_locks" ADD CONSTRAINT "restore_target_locks_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "restore_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "validation_results" ADD CONSTRAINT "validation_results_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "restore_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every new event is announced, so live run pages in any web process (and any worker) see it
-- without polling. The payload stays small: listeners fetch the row by id.
CREATE FUNCTION "restore_run_events_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('restore_run_events', json_build_object('runId', NEW.run_id, 'id', NEW.id)::text);
    RETURN NEW;
END;
$$;

CREATE TRIGGER "restore_run_events_announce"
    AFTER INSERT ON "restore_run_events"
    FOR EACH ROW EXECUTE FUNCTION "restore_run_events_notify"();
