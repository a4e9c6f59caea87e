import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { installJobSchema } from "./boss";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { FORGET_WORKERS_AFTER_MS, startWorker } from "./worker";

// The worker's own bookkeeping on a real database: its heartbeat, and forgetting workers long gone.

let url: string;
let db: Db;

beforeAll(async () => {
  url = await createMigratedDatabase();
  await installJobSchema(url);
  db = createDb(url);
});

afterAll(async () => {
  await db.$disconnect();
});

describe("worker", () => {
  it("beats at start and forgets workers silent for over a week, keeping the recent ones", async () => {
    const ago = (ms: number) => new Date(Date.now() - ms);
    await db.workerHeartbeat.createMany({
      data: [
        {
          workerId: "gone",
          hostname: "old",
          pid: 1,
          startedAt: ago(FORGET_WORKERS_AFTER_MS * 2),
          beatAt: ago(FORGET_WORKERS_AFTER_MS + 60_000),
        },
        { workerId: "recent", hostname: "box", pid: 2, startedAt: ago(3_600_000), beatAt: ago(600_000) },
      ],
    });
    const worker = await startWorker({ connectionString: url, db, jobs: [] });
    try {
      const ids = (await db.workerHeartbeat.findMany({ select: { workerId: true } })).map((row) => row.workerId).sort();
      expect(ids).toEqual([worker.workerId, "recent"].sort());
    } finally {
      await worker.stop();
    }
  });
});
