import { describe, expect, it } from "vitest";
import { formatCountdown, phaseTimer } from "./phase-timers";

const START = "2026-11-25T10:00:00Z";
const at = (minutes: number, seconds = 0) => new Date(Date.parse(START) + minutes * 60_000 + seconds * 1000);
const open = { checkedAt: null };
const tickedAt = (minutes: number) => ({ checkedAt: at(minutes).toISOString() });

describe("phase timers", () => {
  const immediate = { key: "immediate", deadlineMinutes: 5, items: [open, open, tickedAt(1)] };
  const recovery = { key: "recovery", deadlineMinutes: 30, items: [open] };

  it("counts down from the incident start to each phase's deadline", () => {
    const [first, second] = [immediate, recovery].map((phase) => phaseTimer(phase, START, at(2)));
    expect(first).toMatchObject({ state: "on-time", remainingMs: 3 * 60_000, uncheckedCount: 2, overdueCount: 0 });
    expect(first?.deadlineAt?.toISOString()).toBe("2026-11-25T10:05:00.000Z");
    expect(second).toMatchObject({ state: "on-time", remainingMs: 28 * 60_000 });
  });

  it("turns amber with 20% of the phase left", () => {
    expect(phaseTimer(recovery, START, at(23, 59)).state).toBe("on-time");
    expect(phaseTimer(recovery, START, at(24)).state).toBe("amber");
  });

  it("turns amber in the last minute even when 20% is less than that", () => {
    const short = { key: "short", deadlineMinutes: 2, items: [open] };
    expect(phaseTimer(short, START, at(0, 59)).state).toBe("on-time");
    expect(phaseTimer(short, START, at(1, 1)).state).toBe("amber");
    // For five minutes, 20% is exactly the last minute.
    expect(phaseTimer(immediate, START, at(3, 59)).state).toBe("on-time");
    expect(phaseTimer(immediate, START, at(4)).state).toBe("amber");
  });

  it("turns red past the deadline with unchecked items, which are counted as overdue", () => {
    expect(phaseTimer(immediate, START, at(5)).state).toBe("amber");
    const late = phaseTimer(immediate, START, at(5, 1));
    expect(late).toMatchObject({ state: "red", overdueCount: 2, remainingMs: -1000 });
  });

  it("is done once every item is ticked, noting a late finish", () => {
    const onTime = phaseTimer({ key: "p", deadlineMinutes: 5, items: [tickedAt(1), tickedAt(4)] }, START, at(40));
    expect(onTime).toMatchObject({ state: "done", late: false, overdueCount: 0 });
    expect(onTime.completedAt?.toISOString()).toBe(at(4).toISOString());
    expect(phaseTimer({ key: "p", deadlineMinutes: 5, items: [tickedAt(1), tickedAt(6)] }, START, at(40))).toMatchObject({
      state: "done",
      late: true,
    });
  });

  it("has no timer for a phase without a deadline", () => {
    expect(phaseTimer({ key: "post", deadlineMinutes: null, items: [open] }, START, at(500))).toMatchObject({
      state: "untimed",
      deadlineAt: null,
      remainingMs: null,
    });
  });

  it("formats the countdown, with a minus once overdue", () => {
    expect(formatCountdown(299_001)).toBe("5:00");
    expect(formatCountdown(299_000)).toBe("4:59");
    expect(formatCountdown(0)).toBe("0:00");
    expect(formatCountdown(-12_500)).toBe("−0:12");
    expect(formatCountdown(3_723_000)).toBe("1:02:03");
  });
});
