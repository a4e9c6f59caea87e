-- AlterTable
ALTER TABLE "restore_runs" ADD COLUMN     "endpoint" JSONB;
