-- CreateTable
CREATE TABLE "backups" (
    "id" UUID NOT NULL,
    "environment" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "last_modified" TIMESTAMPTZ(3) NOT NULL,
    "etag" TEXT,
    "taken_at" TIMESTAMPTZ(3) NOT NULL,
    "manifest_key" TEXT NOT NULL,
    "manifest_state" TEXT NOT NULL,
    "manifest_error" TEXT,
    "manifest" JSONB,
    "manifest_etag" TEXT,
    "expected_sha256" TEXT,
    "verification_state" TEXT NOT NULL DEFAULT 'never',
    "verified_at" TIMESTAMPTZ(3),
    "actual_sha256" TEXT,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "removed_at" TIMESTAMPTZ(3),

    CONSTRAINT "backups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "backup_verifications" (
    "id" UUID NOT NULL,
    "backup_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "expected_sha256" TEXT,
    "actual_sha256" TEXT,
    "expected_size" BIGINT,
    "bytes_total" BIGINT NOT NULL DEFAULT 0,
    "bytes_done" BIGINT NOT NULL DEFAULT 0,
    "error" TEXT,
    "requested_by_id" UUID,
    "requested_by_email" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "progress_at" TIMESTAMPTZ(3),

    CONSTRAINT "backup_verifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "backup_catalog_refreshes" (
    "id" UUID NOT NULL,
    "environment" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "requested_by_email" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "object_count" INTEGER NOT NULL DEFAULT 0,
    "backup_count" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "backup_catalog_refreshes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "backup_restore_overrides" (
    "id" UUID NOT NULL,
    "backup_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "granted_by_id" UUID NOT NULL,
    "granted_by_email" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "backup_restore_overrides_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "backups_environment_taken_at_idx" ON "backups"("environment", "taken_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "backups_environment_key_key" ON "backups"("environment", "key");

-- CreateIndex
CREATE INDEX "backup_verifications_backup_id_created_at_idx" ON "backup_verifications"("backup_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "backup_catalog_refreshes_environment_started_at_idx" ON "backup_catalog_refreshes"("environment", "started_at" DESC);

-- CreateIndex
CREATE INDEX "backup_restore_overrides_backup_id_idx" ON "backup_restore_overrides"("backup_id");

-- AddForeignKey
ALTER TABLE "backup_verifications" ADD CONSTRAINT "backup_verifications_backup_id_fkey" FOREIGN KEY ("backup_id") REFERENCES "backups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backup_restore_overrides" ADD CONSTRAINT "backup_restore_overrides_backup_id_fkey" FOREIGN KEY ("backup_id") REFERENCES "backups"("id") ON DELETE CASCADE ON UPDATE CASCADE;
