import { describe, expect, it } from "vitest";
import { AwsPitrSource, LocalPitrSource } from "@/lib/config/schema";
import {
  buildPitrPlan,
  cutoverChecklist,
  PITR_STEP_NAMES,
  pitrTargetLabel,
  PitrTargetChoice,
  pitrWindowProblem,
  predictDataLoss,
  type PitrWindowView,
} from "./plan";

const WINDOW: PitrWindowView = {
  earliest: "2026-11-25T08:00:00.000Z",
  latest: "2026-11-25T11:59:30.000Z",
  lagSeconds: 30,
  describedAt: "2026-11-25T12:00:00.000Z",
  notes: [],
};
const at = (time: string) => ({ kind: "time" as const, time });

const local = LocalPitrSource.parse({
  provider: "local",
  dataDir: "/srv/pg/data",
  archiveDir: "/srv/pg/wal-archive",
  baseBackupDir: "/srv/pg/base-backups",
  restoreDir: "/srv/pg/restores",
  port: 54329,
  database: "loanserve",
  user: "postgres",
});
const aurora = AwsPitrSource.parse({ provider: "aws", region: "us-east-1", clusterIdentifier: "loanserve-prod-aurora", user: "loanserve" });

describe("the target choice", () => {
  it("accepts latest, or a time that carries its offset, and nothing without one", () => {
    expect(PitrTargetChoice.safeParse({ kind: "latest" }).success).toBe(true);
    expect(PitrTargetChoice.safeParse(at("2026-11-25T10:00:00Z")).success).toBe(true);
    expect(PitrTargetChoice.safeParse(at("2026-11-25T19:00:00.250+09:00")).success).toBe(true);
    // Read in the server's zone, this is the trap that restores the wrong point.
    const bare = PitrTargetChoice.safeParse(at("2026-11-25T10:00:00"));
    expect(bare.success).toBe(false);
    expect(bare.error?.issues[0]?.message).toMatch(/with its UTC offset or Z/);
  });
});

describe("pitrWindowProblem", () => {
  it("lets a time inside the window (ends included) and latest through", () => {
    expect(pitrWindowProblem(WINDOW, at("2026-11-25T10:00:00Z"))).toBeNull();
    expect(pitrWindowProblem(WINDOW, at(WINDOW.earliest ?? ""))).toBeNull();
    expect(pitrWindowProblem(WINDOW, at("2026-11-25T12:59:30+01:00"))).toBeNull();
    expect(pitrWindowProblem(WINDOW, { kind: "latest" })).toBeNull();
    expect(pitrWindowProblem({ ...WINDOW, earliest: null, latest: null }, { kind: "latest" })).toBeNull();
  });

  it("refuses a time after the latest or before the earliest, saying which end and what to do", () => {
    expect(pitrWindowProblem(WINDOW, at("2026-11-25T11:59:30.001Z"))).toBe(
      '2026-11-25 11:59:30.001 UTC is after the latest restorable time, 2026-11-25 11:59:30 UTC. Choose a time inside the restore window, or "latest restorable".',
    );
    expect(pitrWindowProblem(WINDOW, at("2026-11-25T07:59:59Z"))).toMatch(
      /^2026-11-25 07:59:59 UTC is before the earliest restorable time, 2026-11-25 08:00:00 UTC\./,
    );
    // 09:00 in Tokyo is midnight UTC: before the window, whatever it looks like.
    expect(pitrWindowProblem(WINDOW, at("2026-11-25T09:00:00+09:00"))).toMatch(/is before the earliest/);
  });

  it("refuses any chosen time when the latest end is unknown, passing the provider's notes on", () => {
    const unknown = { ...WINDOW, latest: null, notes: ["RDS did not report LatestRestorableTime."] };
    expect(pitrWindowProblem(unknown, at("2026-11-25T10:00:00Z"))).toMatch(
      /latest restorable time is unknown \(RDS did not report LatestRestorableTime\.\)\. Only "latest restorable"/,
    );
  });
});

describe("predictDataLoss", () => {
  const incident = { id: "i", title: "Loans deleted", startedAt: "2026-11-25T11:00:00.000Z", lastKnownGoodAt: "2026-11-25T10:30:00.000Z" };
  const now = new Date("2026-11-25T12:00:00Z");

  it("measures from the chosen time to the incident's start", () => {
    expect(predictDataLoss({ choice: at("2026-11-25T10:45:00Z"), window: WINDOW, incident, now })).toEqual({
      restorePointAt: "2026-11-25T10:45:00.000Z",
      until: "2026-11-25T11:00:00.000Z",
      untilKind: "incident-start",
      lostMs: 15 * 60_000,
      afterIncidentStart: false,
      afterLastKnownGood: true,
    });
  });

  it("warns when the point is after the incident started (nothing lost, but the damage may be in it)", () => {
    expect(predictDataLoss({ choice: at("2026-11-25T11:10:00Z"), window: WINDOW, incident, now })).toMatchObject({
      lostMs: 0,
      afterIncidentStart: true,
    });
  });

  it("uses the window's latest for latest, and now without an incident", () => {
    expect(predictDataLoss({ choice: { kind: "latest" }, window: WINDOW, incident: null, now })).toMatchObject({
      restorePointAt: WINDOW.latest,
      until: now.toISOString(),
      untilKind: "now",
      lostMs: 30_000,
      afterIncidentStart: false,
    });
    expect(predictDataLoss({ choice: { kind: "latest" }, window: { ...WINDOW, latest: null }, incident: null, now }).lostMs).toBeNull();
  });
});

describe("buildPitrPlan", () => {
  const base = {
    environment: { name: "production", protected: true },
    window: WINDOW,
    incident: null,
    now: new Date("2026-11-25T12:00:00Z"),
    configuredChecks: 2,
    builtinChecks: 5,
    preflight: null,
  };

  it("plans a local restore: the runbook's steps in order, nothing replaced, cutover left to a person", () => {
    const plan = buildPitrPlan({
      ...base,
      source: local,
      providerKind: "local",
      identifiers: ["/srv/pg/restores/1a2b3c4d"],
      choice: at("2026-11-25T10:00:00Z"),
    });
    expect(plan.steps.map((s) => s.name)).toEqual(PITR_STEP_NAMES.filter((name) => name !== "drop"));
    expect(plan.steps.map((s) => s.name)).toEqual([
      "preflight",
      "restore",
      "writer",
      "wait",
      "connectivity",
      "validate",
      "ready-for-cutover",
      "cleanup",
    ]);
    expect(plan.steps.filter((s) => !s.automatic).map((s) => s.name)).toEqual(["cleanup"]);
    expect(plan.steps.find((s) => s.name === "restore")).toMatchObject({ title: "Restore to 2026-11-25 10:00:00 UTC" });
    expect(plan.steps.find((s) => s.name === "restore")?.description).toMatch(/recovery_target_time with an explicit \+00 offset/);
    expect(plan.steps.find((s) => s.name === "writer")?.description).toMatch(/Nothing to create/);
    expect(plan.steps.find((s) => s.name === "connectivity")?.description).toMatch(
      /^Runs SELECT count\(\*\) FROM loans on loanserve as postgres, read-only/,
    );
    expect(plan.source).toEqual({
      provider: "local",
      description: "loanserve on 127.0.0.1:54329 (WAL archive /srv/pg/wal-archive)",
      database: "loanserve",
      user: "postgres",
    });
    expect(plan.replaces).toEqual([expect.stringMatching(/^Nothing: the source keeps running untouched/)]);
    expect(plan.keeps[0]).toBe("The source, untouched.");
    expect(plan.confirmations).toEqual({ start: "production" });
    expect(plan.cutover.some((item) => item.startsWith("Update connection strings/DNS"))).toBe(true);
    expect(plan.dataLoss).toMatchObject({ restorePointAt: "2026-11-25T10:00:00.000Z", untilKind: "now", lostMs: 2 * 3_600_000 });
    expect(plan.validation).toEqual({ builtinChecks: 5, configuredChecks: 2 });
  });

  it("plans an Aurora restore with its writer, and the configured connectivity query", () => {
    const plan = buildPitrPlan({
      ...base,
      source: { ...aurora, connectivityQuery: "SELECT count(*) FROM payments" },
      providerKind: "aws-aurora",
      identifiers: ["loanserve-prod-aurora-restore-1a2b3c4d", "loanserve-prod-aurora-restore-1a2b3c4d-writer"],
      choice: { kind: "latest" },
    });
    expect(plan.steps.find((s) => s.name === "restore")?.description).toMatch(
      /^RestoreDBClusterToPointInTime to latest restorable into loanserve-prod-aurora-restore-1a2b3c4d/,
    );
    expect(plan.steps.find((s) => s.name === "writer")?.description).toBe(
      "Creates the writer instance loanserve-prod-aurora-restore-1a2b3c4d-writer (db.r6g.large) in the restored cluster, with the source's parameter group.",
    );
    expect(plan.steps.find((s) => s.name === "cleanup")?.description).toMatch(/writer before cluster/);
    expect(plan.connectivityQuery).toBe("SELECT count(*) FROM payments");
    expect(plan.source.description).toBe("Aurora cluster loanserve-prod-aurora (us-east-1)");
  });

  it("names the restored server where it is created and where it is deleted, and calls it the restored server elsewhere", () => {
    const identifiers = ["loanserve-prod-aurora-restore-1a2b3c4d", "loanserve-prod-aurora-restore-1a2b3c4d-writer"];
    const plan = buildPitrPlan({ ...base, source: aurora, providerKind: "aws-aurora", identifiers, choice: { kind: "latest" } });
    const naming = plan.steps.filter((s) => s.description.includes(identifiers[0] ?? "")).map((s) => s.name);
    expect(naming).toEqual(["restore", "writer", "cleanup"]);
    const step = (name: string) => plan.steps.find((s) => s.name === name)?.description ?? "";
    expect(step("preflight")).toContain("the names it creates are free (or already this run's)");
    expect(step("wait")).toContain("until the restored server accepts connections");
    expect(step("cleanup")).toContain(`deletes what this run created (${identifiers.join(", ")}, writer before cluster)`);
    expect(plan.keeps).toContain("The restored server until you clean it up, also when validation fails.");

    const drill = buildPitrPlan({
      ...base,
      source: aurora,
      providerKind: "aws-aurora",
      identifiers,
      choice: { kind: "latest" },
      drill: true,
    });
    expect(drill.steps.find((s) => s.name === "drop")).toMatchObject({
      title: "Delete the restored server",
      description: expect.stringContaining(`deletes what this drill created (${identifiers.join(", ")}), without a final snapshot`),
    });
  });

  it("names the endpoint in the cutover checklist once known, and the incident's item when there is one", () => {
    const items = cutoverChecklist({
      endpoint: { host: "127.0.0.1", port: 5544, database: "loanserve", user: "postgres" },
      sourceDescription: "the source",
      incident: true,
    });
    expect(items).toContain("Update connection strings/DNS: point the application at postgres@127.0.0.1:5544/loanserve.");
    expect(items).toContain("Tick “Update DNS/connection strings if needed” on the incident.");
  });

  it("labels a chosen time in UTC, with milliseconds only when there are some", () => {
    expect(pitrTargetLabel({ kind: "time", time: "2026-11-25T10:00:00Z" })).toBe("2026-11-25 10:00:00 UTC");
    expect(pitrTargetLabel({ kind: "time", time: "2026-11-25T19:00:00.250+09:00" })).toBe("2026-11-25 10:00:00.250 UTC");
    expect(pitrTargetLabel({ kind: "latest" })).toBe("latest restorable");
  });
});
