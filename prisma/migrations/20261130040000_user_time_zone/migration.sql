-- Each person chooses how instants are shown to them: NULL follows their browser's zone.
ALTER TABLE "users" ADD COLUMN "time_zone" TEXT;
