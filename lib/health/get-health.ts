import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";

/** A worker whose last beat is older than this is reported as not running. */
export const WORKER_STALE_AFTER_SECONDS = 30;

export interface Health {
  status: "ok" | "degraded" | "down";
  database: { ok: boolean; latencyMs: number | null; error?: string };
  worker: { ok: boolean; lastBeatAt: string | null; secondsSinceBeat: number | null; activeWorkers: number };
  checkedAt: string;
}

export async function getHealth({ ctx }: { ctx: Ctx<SessionUser | null> }): Promise<Health> {
  const checkedAt = new Date();
  const started = performance.now();
  try {
    await ctx.db.$queryRaw`SELECT 1`;
  } catch {
    return {
      status: "down",
      database: { ok: false, latencyMs: null, error: "The app database is not reachable." },
      worker: { ok: false, lastBeatAt: null, secondsSinceBeat: null, activeWorkers: 0 },
      checkedAt: checkedAt.toISOString(),
    };
  }
  const latencyMs = Math.round(performance.now() - started);
  const beats = await ctx.db.workerHeartbeat.findMany({ orderBy: { beatAt: "desc" }, take: 20 });
  const newest = beats[0]?.beatAt ?? null;
  const secondsSinceBeat = newest ? Math.max(0, Math.round((checkedAt.getTime() - newest.getTime()) / 1000)) : null;
  const activeWorkers = beats.filter((b) => checkedAt.getTime() - b.beatAt.getTime() <= WORKER_STALE_AFTER_SECONDS * 1000).length;
  const workerOk = activeWorkers > 0;
  return {
    status: workerOk ? "ok" : "degraded",
    database: { ok: true, latencyMs },
    worker: { ok: workerOk, lastBeatAt: newest?.toISOString() ?? null, secondsSinceBeat, activeWorkers },
    checkedAt: checkedAt.toISOString(),
  };
}
