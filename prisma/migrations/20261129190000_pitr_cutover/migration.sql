-- A PITR run whose restored server a person cut over to: it now serves the application, so
-- clean-up refuses to delete it. Fields rather than a run status: the run's outcome (succeeded)
-- stays what it was, and cutting over is a fact about the restored server, recorded once.
ALTER TABLE "restore_runs" ADD COLUMN     "cut_over_at" TIMESTAMPTZ(3),
ADD COLUMN     "cut_over_by_email" TEXT;
