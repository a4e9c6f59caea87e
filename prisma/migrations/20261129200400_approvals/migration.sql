-- Four-eyes approvals: a swap, rollback, PITR cut-over or PITR clean-up on an environment that asks
-- for it is recorded here as a request and runs only when a different person approves it in time.
CREATE TABLE "approvals" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "environment" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "parameters" JSONB NOT NULL DEFAULT '{}',
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "pending_key" TEXT,
    "approver_role" TEXT NOT NULL,
    "requested_by_id" UUID,
    "requested_by_email" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_by_id" UUID,
    "decided_by_email" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "decision_reason" TEXT,
    "error" TEXT,

    CONSTRAINT "approvals_pkey" PRIMARY KEY ("id")
);

-- One pending request per run and action: the key is set while pending and cleared by every decision.
CREATE UNIQUE INDEX "approvals_pending_key_key" ON "approvals"("pending_key");

CREATE INDEX "approvals_status_expires_at_idx" ON "approvals"("status", "expires_at");

CREATE INDEX "approvals_run_id_requested_at_idx" ON "approvals"("run_id", "requested_at" DESC);

ALTER TABLE "approvals" ADD CONSTRAINT "approvals_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "restore_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
