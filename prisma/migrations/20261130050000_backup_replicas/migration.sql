-- Backup replicas: what each copy of the backup store holds of each backup, and each replica's last listing.
CREATE TABLE "backup_replica_copies" (
    "backup_id" UUID NOT NULL,
    "replica" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "size" BIGINT,
    "etag" TEXT,
    "last_modified" TIMESTAMPTZ(3),
    "manifest_etag" TEXT,
    "observed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "backup_replica_copies_pkey" PRIMARY KEY ("backup_id", "replica")
);
ALTER TABLE "backup_replica_copies" ADD CONSTRAINT "backup_replica_copies_backup_id_fkey" FOREIGN KEY ("backup_id") REFERENCES "backups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "backup_replica_listings" (
    "environment" TEXT NOT NULL,
    "replica" TEXT NOT NULL,
    "checked_at" TIMESTAMPTZ(3) NOT NULL,
    "ok_at" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "backup_replica_listings_pkey" PRIMARY KEY ("environment", "replica")
);
