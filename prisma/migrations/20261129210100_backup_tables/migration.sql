-- Selective restore: the tables a dump holds, read once per backup (a streaming scan) and kept.
ALTER TABLE "backups" ADD COLUMN "tables" JSONB;
ALTER TABLE "backups" ADD COLUMN "tables_state" TEXT NOT NULL DEFAULT 'unread';
ALTER TABLE "backups" ADD COLUMN "tables_error" TEXT;
ALTER TABLE "backups" ADD COLUMN "tables_read_at" TIMESTAMPTZ(3);
