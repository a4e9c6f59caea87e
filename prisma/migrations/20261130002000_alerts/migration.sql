-- Alerts without an incident: fired once, resolved once (one open alert per rule and subject: open_key).
CREATE TABLE "alerts" (
    "id" UUID NOT NULL,
    "rule" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "open_key" TEXT,
    "environment" TEXT,
    "severity" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "href" TEXT,
    "fired_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),
    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "alerts_resolved_at_fired_at_idx" ON "alerts"("resolved_at", "fired_at" DESC);
-- An alert fires once: a second open alert for the same rule and subject is refused.
CREATE UNIQUE INDEX "alerts_open_key_key" ON "alerts"("open_key");
