import { describe, expect, it } from "vitest";
import { Objectives } from "@/lib/config/schema";
import {
  adviseMethod,
  asksForMoment,
  asksForTarget,
  methodHref,
  momentOf,
  type MethodAnswers,
  type MethodFacts,
  type PitrFacts,
} from "./method-advice";

// The runbook's objectives: PITR 15–45 min / 5 min, logical 30–120 min / 24 h, cross-region 60–180 min.
const objectives = Objectives.parse({});
const described: PitrFacts = { state: "described", earliest: "2026-11-01T00:00:00Z", latest: "2026-11-25T12:00:00Z" };

function facts(overrides: Partial<MethodFacts> = {}): MethodFacts {
  return { environment: "prod", pitr: described, hasRestorableBackup: true, objectives, ...overrides };
}

function answers(overrides: Partial<MethodAnswers> = {}): MethodAnswers {
  return { problem: "whole-database", target: "beside-source", moment: "inside", ...overrides };
}

describe("method advice: where the data goes", () => {
  it("a lost region: a logical restore, held to the cross-region objectives", () => {
    const advice = adviseMethod(answers({ problem: "region-lost" }), facts());
    expect(advice.method).toBe("logical");
    expect(advice.alternatives).toEqual([]);
    expect(advice.reasons[0]).toMatch(/^Runbook §2 When to use: cross-region restore\./);
    expect(advice.expected).toEqual({ objective: "crossRegion", rto: { minMinutes: 60, maxMinutes: 180 }, rpoMinutes: 24 * 60 });
  });

  it("the whole database into another region: the same, whatever the PITR window", () => {
    const advice = adviseMethod(answers({ target: "other-region" }), facts());
    expect(advice.method).toBe("logical");
    expect(advice.expected.objective).toBe("crossRegion");
  });

  it("a copy for DR or dev: a logical restore, whatever target was answered before", () => {
    const advice = adviseMethod(answers({ problem: "copy", target: "other-region" }), facts());
    expect(advice.method).toBe("logical");
    expect(advice.reasons).toEqual(["Runbook §2 When to use: restore to a development or DR environment."]);
    expect(advice.expected).toEqual({ objective: "logical", rto: { minMinutes: 30, maxMinutes: 120 }, rpoMinutes: 24 * 60 });
  });

  it("some tables into DR or dev: the chosen tables, or the whole dump", () => {
    const advice = adviseMethod(answers({ problem: "some-tables", target: "dr-or-dev" }), facts());
    expect(advice.method).toBe("logical-selective");
    expect(advice.alternatives).toEqual(["logical"]);
    expect(advice.reasons[0]).toMatch(/development or DR environment/);
    expect(advice.reasons[1]).toMatch(/^Runbook §2 When to use: selective table restore\./);
  });

  it("no backup to restore: says so instead of offering a logical alternative", () => {
    const advice = adviseMethod(answers({ problem: "some-tables", target: "other-region" }), facts({ hasRestorableBackup: false }));
    expect(advice.method).toBe("logical-selective");
    expect(advice.alternatives).toEqual([]);
    expect(advice.reasons.at(-1)).toMatch(/^No restorable backup of prod yet/);
  });
});

describe("method advice: some tables beside the source", () => {
  it("the chosen tables from a dump; PITR too while the window reaches the moment, as it loses less", () => {
    const advice = adviseMethod(answers({ problem: "some-tables" }), facts());
    expect(advice.method).toBe("logical-selective");
    expect(advice.alternatives).toEqual(["pitr", "logical"]);
    expect(advice.reasons[1]).toBe("A dump is up to 1 d old: if the tables changed since, point-in-time recovery loses less.");
    expect(advice.expected.objective).toBe("logical");
  });

  it("a moment before the window: no PITR alternative", () => {
    const advice = adviseMethod(answers({ problem: "some-tables", moment: "before" }), facts());
    expect(advice.method).toBe("logical-selective");
    expect(advice.alternatives).toEqual(["logical"]);
    expect(advice.reasons).toHaveLength(1);
  });

  it("no backup but a window that reaches the moment: PITR beside the source, then the tables from it", () => {
    const advice = adviseMethod(answers({ problem: "some-tables" }), facts({ hasRestorableBackup: false }));
    expect(advice.method).toBe("pitr");
    expect(advice.alternatives).toEqual([]);
    expect(advice.reasons[1]).toMatch(/take the tables you need from there/);
    expect(advice.expected).toEqual({ objective: "pitr", rto: { minMinutes: 15, maxMinutes: 45 }, rpoMinutes: 5 });
  });

  it("neither a backup nor PITR: still the chosen tables, with what is missing", () => {
    const advice = adviseMethod(answers({ problem: "some-tables" }), facts({ hasRestorableBackup: false, pitr: { state: "absent" } }));
    expect(advice.method).toBe("logical-selective");
    expect(advice.alternatives).toEqual([]);
    expect(advice.reasons.at(-1)).toMatch(/^No restorable backup/);
  });
});

describe("method advice: the whole database beside the source", () => {
  it("inside the window: PITR, the primary method, with the logical restore as the alternative", () => {
    const advice = adviseMethod(answers(), facts());
    expect(advice.method).toBe("pitr");
    expect(advice.alternatives).toEqual(["logical"]);
    expect(advice.reasons).toEqual([
      expect.stringMatching(/^Runbook §1 When to use: .*within the retention window.*primary recovery method for production\.$/),
      "prod can be restored to a moment from 2026-11-01 00:00 UTC to 2026-11-25 12:00 UTC.",
      "Runbook §4: it loses at most 5 min of changes, against 1 d for a nightly dump.",
    ]);
    expect(advice.expected).toEqual({ objective: "pitr", rto: { minMinutes: 15, maxMinutes: 45 }, rpoMinutes: 5 });
  });

  it("a moment not known yet: PITR, with the window to check it against", () => {
    const advice = adviseMethod(answers({ moment: "unknown" }), facts());
    expect(advice.method).toBe("pitr");
    expect(advice.reasons[1]).toMatch(/Check on the PITR page that the moment you want is inside it\.$/);
  });

  it("no backup: PITR alone", () => {
    const advice = adviseMethod(answers(), facts({ hasRestorableBackup: false }));
    expect(advice.method).toBe("pitr");
    expect(advice.alternatives).toEqual([]);
    expect(advice.reasons.join(" ")).not.toMatch(/No restorable backup/);
  });

  it("a moment before the window: a logical restore from a backup taken before it", () => {
    const advice = adviseMethod(answers({ moment: "before" }), facts());
    expect(advice.method).toBe("logical");
    expect(advice.alternatives).toEqual([]);
    expect(advice.reasons[0]).toBe(
      "Runbook §1 When to use: within the retention window only; the moment you want is before its earliest end, 2026-11-01 00:00 UTC.",
    );
    expect(advice.reasons[1]).toMatch(/^Runbook §2 When to use: point-in-time recovery not available\./);
  });

  it("no PITR source: a logical restore", () => {
    const advice = adviseMethod(answers(), facts({ pitr: { state: "absent" } }));
    expect(advice.method).toBe("logical");
    expect(advice.reasons).toEqual(["Runbook §2 When to use: point-in-time recovery not available. prod has no PITR source configured."]);
    expect(advice.expected.objective).toBe("logical");
  });

  it("a window that reaches no moment yet: a logical restore", () => {
    const advice = adviseMethod(answers(), facts({ pitr: { state: "described", earliest: null, latest: null } }));
    expect(advice.method).toBe("logical");
    expect(advice.reasons[0]).toMatch(/prod's window reaches no moment yet/);
  });

  it("a source that did not answer: PITR still, saying so, with the logical restore beside it", () => {
    const advice = adviseMethod(answers(), facts({ pitr: { state: "unreadable", problem: "no answer within 5 s" } }));
    expect(advice.method).toBe("pitr");
    expect(advice.alternatives).toEqual(["logical"]);
    expect(advice.reasons[1]).toMatch(/could not be read just now \(no answer within 5 s\)/);
  });

  it("the environment's own objectives, not the runbook's defaults", () => {
    const own = Objectives.parse({
      rto: { pitr: { minMinutes: 10, maxMinutes: 20 } },
      rpo: { pitr: { minutes: 1 }, logical: { minutes: 360 } },
    });
    const advice = adviseMethod(answers(), facts({ objectives: own }));
    expect(advice.expected).toEqual({ objective: "pitr", rto: { minMinutes: 10, maxMinutes: 20 }, rpoMinutes: 1 });
    expect(advice.reasons[2]).toBe("Runbook §4: it loses at most 1 min of changes, against 6 h for a nightly dump.");
  });
});

describe("which questions are asked", () => {
  it("the target only when the problem does not say it", () => {
    expect(asksForTarget("whole-database")).toBe(true);
    expect(asksForTarget("some-tables")).toBe(true);
    expect(asksForTarget("copy")).toBe(false);
    expect(asksForTarget("region-lost")).toBe(false);
  });

  it("the moment only beside the source, with a window that reaches one", () => {
    expect(asksForMoment(answers(), facts())).toBe(true);
    expect(asksForMoment(answers({ target: "dr-or-dev" }), facts())).toBe(false);
    expect(asksForMoment(answers({ problem: "copy" }), facts())).toBe(false);
    expect(asksForMoment(answers(), facts({ pitr: { state: "absent" } }))).toBe(false);
    expect(asksForMoment(answers(), facts({ pitr: { state: "described", earliest: null, latest: null } }))).toBe(false);
    expect(asksForMoment(answers(), facts({ pitr: { state: "unreadable", problem: "timeout" } }))).toBe(false);
  });
});

describe("the moment of a known time", () => {
  it("before the earliest end, inside, or after the latest (the nearest is the latest restorable)", () => {
    expect(momentOf(described, "2026-10-31T23:59:00Z")).toBe("before");
    expect(momentOf(described, "2026-11-10T00:00:00Z")).toBe("inside");
    expect(momentOf(described, "2026-11-25T12:30:00Z")).toBe("inside");
  });

  it("unknown without a time or a window", () => {
    expect(momentOf(described, null)).toBe("unknown");
    expect(momentOf({ state: "absent" }, "2026-11-10T00:00:00Z")).toBe("unknown");
    expect(momentOf({ state: "described", earliest: null, latest: null }, "2026-11-10T00:00:00Z")).toBe("unknown");
  });
});

describe("where a method starts", () => {
  const incidentId = "0b6f7a6e-2f6a-4d0e-9d55-3a6d3c1f8e11";

  it("PITR: the picker for the environment, with the incident", () => {
    expect(methodHref("pitr", { environment: "prod", incidentId })).toBe(`/restores/pitr?environment=prod&incident=${incidentId}`);
  });

  it("a logical restore: the backup chooser, with the method kept", () => {
    expect(methodHref("logical", { environment: "prod", incidentId: null })).toBe("/restores/new?method=logical&environment=prod");
    expect(methodHref("logical-selective", { environment: "prod", incidentId })).toBe(
      `/restores/new?method=logical-selective&environment=prod&incident=${incidentId}`,
    );
  });
});
