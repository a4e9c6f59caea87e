import { describe, expect, it } from "vitest";
import { formatTicking, formatWait, progressOfRunningStep, remainingMs, runClock, stepElapsedMs } from "./live-run";
import type { RestoreProgressView, RestoreStepView } from "./restore-run-views";

const at = (iso: string) => Date.parse(iso);
const START = "2026-03-01T03:00:00.000Z";

function step(over: Partial<RestoreStepView> & Pick<RestoreStepView, "name" | "status">): RestoreStepView {
  return {
    position: 1,
    title: over.name,
    description: "",
    automatic: true,
    timeoutMs: 60_000,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    output: null,
    error: null,
    attempts: [],
    ...over,
  };
}

function progress(over: Partial<RestoreProgressView> = {}): RestoreProgressView {
  return {
    step: "restore",
    phase: "restoring",
    bytesRead: 500,
    totalBytes: 1000,
    sqlBytes: 0,
    rows: 0,
    tables: null,
    percent: 50,
    bytesPerSecond: 100,
    elapsedMs: 5000,
    etaMs: 5000,
    at: "2026-03-01T03:01:00.000Z",
    ...over,
  };
}

const validated = step({
  name: "validate",
  status: "succeeded",
  startedAt: "2026-03-01T03:05:00.000Z",
  finishedAt: "2026-03-01T03:06:00.000Z",
  attempts: [
    { attempt: 1, worker: "w:1", startedAt: "2026-03-01T03:05:00.000Z", finishedAt: "2026-03-01T03:06:00.000Z", outcome: "succeeded" },
  ],
});

describe("runClock", () => {
  it("keeps counting from the start while the run runs, whatever the server said when it answered", () => {
    const run = { status: "running" as const, createdAt: START, startedAt: START, durationMs: 1000 };
    expect(runClock(run, [], at("2026-03-01T03:02:00.000Z"))).toEqual({ elapsedMs: 120_000, waitingMs: null });
    expect(runClock(run, [], at("2026-03-01T03:02:01.000Z")).elapsedMs).toBe(121_000);
  });

  it("counts a queued run from its creation", () => {
    const run = { status: "queued" as const, createdAt: START, startedAt: null, durationMs: 0 };
    expect(runClock(run, [], at("2026-03-01T03:00:05.000Z")).elapsedMs).toBe(5000);
  });

  it("keeps counting while the run waits for a person, and says for how long it has waited", () => {
    const run = { status: "awaiting-swap" as const, createdAt: START, startedAt: START, durationMs: 360_000 };
    const clock = runClock(run, [validated, step({ name: "swap", status: "pending" })], at("2026-03-01T03:09:00.000Z"));
    expect(clock).toEqual({ elapsedMs: 540_000, waitingMs: 180_000 });
  });

  it("counts the wait from a deferred swap attempt, the latest end of a step or an attempt", () => {
    const run = { status: "awaiting-swap" as const, createdAt: START, startedAt: START, durationMs: 0 };
    const swap = step({
      name: "swap",
      status: "pending",
      attempts: [
        { attempt: 1, worker: "w:1", startedAt: "2026-03-01T03:07:00.000Z", finishedAt: "2026-03-01T03:07:30.000Z", outcome: "deferred" },
      ],
    });
    expect(runClock(run, [validated, swap], at("2026-03-01T03:08:00.000Z")).waitingMs).toBe(30_000);
  });

  it("stops at the run's end: a finished run shows the server's start-to-end duration", () => {
    for (const status of ["succeeded", "failed", "cancelled", "interrupted", "rolled-back"] as const) {
      const run = { status, createdAt: START, startedAt: START, durationMs: 420_000 };
      expect(runClock(run, [validated], at("2026-03-01T09:00:00.000Z"))).toEqual({ elapsedMs: 420_000, waitingMs: null });
    }
  });

  it("shows the server's figure while server-rendering (no clock yet)", () => {
    const run = { status: "running" as const, createdAt: START, startedAt: START, durationMs: 1234 };
    expect(runClock(run, [], null)).toEqual({ elapsedMs: 1234, waitingMs: null });
  });

  it("never goes below zero when the browser's clock is behind the server's", () => {
    const run = { status: "running" as const, createdAt: START, startedAt: START, durationMs: 0 };
    expect(runClock(run, [], at("2026-03-01T02:59:58.000Z")).elapsedMs).toBe(0);
  });
});

describe("stepElapsedMs", () => {
  it("grows for a running step and is the stored duration otherwise", () => {
    const running = step({ name: "restore", status: "running", startedAt: START, durationMs: 1000 });
    expect(stepElapsedMs(running, at("2026-03-01T03:00:30.000Z"))).toBe(30_000);
    expect(stepElapsedMs(running, null)).toBe(1000);
    expect(stepElapsedMs({ ...validated }, at("2026-03-01T04:00:00.000Z"))).toBe(validated.durationMs);
  });
});

describe("progressOfRunningStep", () => {
  const restoring = step({ name: "restore", status: "running", startedAt: START });

  it("shows the running step's report", () => {
    const report = progress();
    expect(progressOfRunningStep(report, { status: "running" }, [restoring])).toBe(report);
  });

  it("drops the restore's last report (committing, 0 s left) once the swap runs", () => {
    const committed = progress({ phase: "committing", bytesRead: 1000, percent: 100, etaMs: 0 });
    const steps = [
      step({ name: "restore", status: "succeeded", startedAt: START, finishedAt: "2026-03-01T03:04:00.000Z" }),
      validated,
      step({ name: "swap", status: "running", startedAt: "2026-03-01T03:10:00.000Z" }),
    ];
    expect(progressOfRunningStep(committed, { status: "running" }, steps)).toBeNull();
  });

  it("drops it while the run waits for a person or has ended", () => {
    for (const status of ["awaiting-swap", "queued", "succeeded", "failed", "cancelled"] as const) {
      expect(progressOfRunningStep(progress(), { status }, [restoring])).toBeNull();
    }
  });

  it("drops a report from an earlier attempt of the step", () => {
    const retried = step({ name: "restore", status: "running", startedAt: "2026-03-01T03:02:00.000Z" });
    expect(progressOfRunningStep(progress({ at: "2026-03-01T03:01:59.000Z" }), { status: "running" }, [retried])).toBeNull();
    expect(progressOfRunningStep(progress({ at: "2026-03-01T03:02:01.000Z" }), { status: "running" }, [retried])).not.toBeNull();
  });

  it("shows nothing without a report", () => {
    expect(progressOfRunningStep(null, { status: "running" }, [restoring])).toBeNull();
  });
});

describe("remainingMs", () => {
  it("says no time left once the data is read and only the commit remains", () => {
    expect(remainingMs({ phase: "committing", etaMs: 0 })).toBeNull();
    expect(remainingMs({ phase: "committing", etaMs: 2000 })).toBeNull();
    expect(remainingMs({ phase: "restoring", etaMs: 0 })).toBeNull();
    expect(remainingMs({ phase: "restoring", etaMs: null })).toBeNull();
    expect(remainingMs({ phase: "restoring", etaMs: 4200 })).toBe(4200);
  });
});

describe("formatTicking and formatWait", () => {
  it("tick in whole seconds", () => {
    expect(formatTicking(0)).toBe("0 s");
    expect(formatTicking(999)).toBe("0 s");
    expect(formatTicking(4_900)).toBe("4 s");
    expect(formatTicking(185_400)).toBe("3 min 5 s");
  });

  it("say a wait in whole minutes", () => {
    expect(formatWait(59_999)).toBe("less than a minute");
    expect(formatWait(180_000)).toBe("3 min");
    expect(formatWait(239_000)).toBe("3 min");
    expect(formatWait(3_720_000)).toBe("1 h 2 min");
  });
});
