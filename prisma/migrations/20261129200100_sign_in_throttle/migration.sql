-- Sign-in throttling (rate-limiter-flexible's PostgreSQL store): one row per limiter key
-- (`<limiter>:<sha256 of the account or address>`), holding the points used in the current
-- window and when the window (or a backoff block) ends, in epoch milliseconds. Rows are
-- short-lived: a success deletes the account's rows and expired rows are swept.
CREATE TABLE "sign_in_throttle" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "sign_in_throttle_pkey" PRIMARY KEY ("key")
);

-- Anonymous failures (sign-ins of unknown accounts, throttled sign-ins, unauthenticated API
-- calls) are counted per window instead of writing one audit row each: one row per
-- (window, kind, source), incremented with an upsert, so a flood makes a bounded number of rows.
CREATE TABLE "anonymous_failures" (
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "first_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "anonymous_failures_pkey" PRIMARY KEY ("window_start","kind","source")
);

-- CreateIndex
CREATE INDEX "anonymous_failures_window_start_idx" ON "anonymous_failures"("window_start" DESC);
