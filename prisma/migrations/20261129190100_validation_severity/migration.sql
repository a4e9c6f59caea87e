-- A validation check's severity: a failed "block" check stops the swap until an admin accepts it
-- with a reason; a failed "warn" check is shown and stops nothing. Earlier results were all blocking.
ALTER TABLE "validation_results" ADD COLUMN "severity" TEXT NOT NULL DEFAULT 'block';

-- An admin's acceptance of a blocking failure: who, when and why, kept on the result it allows past.
ALTER TABLE "validation_results" ADD COLUMN "accepted_at" TIMESTAMPTZ(3);
ALTER TABLE "validation_results" ADD COLUMN "accepted_by_email" TEXT;
ALTER TABLE "validation_results" ADD COLUMN "acceptance_reason" TEXT;
