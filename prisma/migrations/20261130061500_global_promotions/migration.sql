-- Regional failure: promotions of an Aurora global database's DR cluster, asked for by an admin and carried out by a job.
CREATE TABLE "global_promotions" (
    "id" UUID NOT NULL,
    "environment" TEXT NOT NULL,
    "global_cluster_identifier" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "active_key" TEXT,
    "reason" TEXT,
    "approver_role" TEXT,
    "expires_at" TIMESTAMPTZ(3),
    "requested_by_id" UUID,
    "requested_by_email" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decided_by_id" UUID,
    "decided_by_email" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "decision_reason" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "endpoint" JSONB,
    "sent" BOOLEAN,
    "log" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,

    CONSTRAINT "global_promotions_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "global_promotions_active_key_key" ON "global_promotions"("active_key");

CREATE INDEX "global_promotions_environment_created_at_idx" ON "global_promotions"("environment", "created_at" DESC);
