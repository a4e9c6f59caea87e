-- Restore drills: where each environment's schedule stands (one row per environment).
CREATE TABLE "drill_schedules" (
    "environment" TEXT NOT NULL,
    "last_fire_at" TIMESTAMPTZ(3) NOT NULL,
    "last_error" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "drill_schedules_pkey" PRIMARY KEY ("environment")
);
