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
import { pitrDrOf } from "./dr";

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
const auroraSnapshotDr = AwsPitrSource.parse({
  provider: "aws",
  region: "us-east-1",
  clusterIdentifier: "loanserve-prod-aurora",
  user: "loanserve",
  dr: { mode: "snapshot", region: "us-west-2" },
});
const instanceDr = AwsPitrSource.parse({
  provider: "aws",
  engine: "postgres",
  region: "us-east-1",
  instanceIdentifier: "loanserve-prod",
  user: "loanserve",
  dr: { region: "us-west-2" },
});
/** A copy in the DR region: one point, the snapshot's time. */
const SNAPSHOT_WINDOW: PitrWindowView = {
  earliest: "2026-11-25T03:00:00.000Z",
  latest: "2026-11-25T03:00:00.000Z",
  lagSeconds: 9 * 3600,
  describedAt: "2026-11-25T12:00:00.000Z",
  notes: [],
  snapshot: { name: "loanserve-prod-aurora-2026-11-25-03-00", takenAt: "2026-11-25T03:00:00.000Z" },
};

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

  it("takes only the snapshot's exact time (or latest) from a window that is one snapshot copy", () => {
    expect(pitrWindowProblem(SNAPSHOT_WINDOW, at("2026-11-25T03:00:00Z"))).toBeNull();
    expect(pitrWindowProblem(SNAPSHOT_WINDOW, at("2026-11-25T12:00:00+09:00"))).toBeNull();
    expect(pitrWindowProblem(SNAPSHOT_WINDOW, { kind: "latest" })).toBeNull();
    expect(pitrWindowProblem(SNAPSHOT_WINDOW, at("2026-11-25T03:00:00.001Z"))).toBe(
      '2026-11-25 03:00:00.001 UTC is not the time of the snapshot copy "loanserve-prod-aurora-2026-11-25-03-00" taken at 2026-11-25 03:00:00 UTC: a snapshot copy restores to its own time only. Choose that time, or "latest restorable".',
    );
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

  it("plans in the primary region unless asked otherwise, and says so in the stored plan", () => {
    const plan = buildPitrPlan({
      ...base,
      source: instanceDr,
      providerKind: "aws-rds-instance",
      identifiers: ["x"],
      choice: { kind: "latest" },
    });
    expect(plan.region).toBe("primary");
    expect(plan.dr).toBeUndefined();
    expect(plan.steps.find((s) => s.name === "restore")?.description).toMatch(
      /^RestoreDBInstanceToPointInTime to latest restorable into x/,
    );
  });

  it("plans an RDS instance restore in the DR region from its replicated backups, asking nothing of the primary region", () => {
    const dr = pitrDrOf(instanceDr);
    expect(dr).toEqual({ primaryRegion: "us-east-1", region: "us-west-2", kind: "replicated-backups" });
    const plan = buildPitrPlan({
      ...base,
      source: instanceDr,
      providerKind: "aws-rds-instance",
      identifiers: ["loanserve-prod-restore-1a2b3c4d"],
      choice: at("2026-11-25T10:00:00Z"),
      dr,
    });
    expect(plan).toMatchObject({ region: "dr", dr });
    const restore = plan.steps.find((s) => s.name === "restore");
    expect(restore?.title).toBe("Restore to 2026-11-25 10:00:00 UTC in us-west-2");
    expect(restore?.description).toBe(
      "RestoreDBInstanceToPointInTime in us-west-2 (the DR region) from the automated backups replicated there, to 2026-11-25 10:00:00 UTC, " +
        "into loanserve-prod-restore-1a2b3c4d, tagged with this run, in the dr block's subnet group, security groups and parameter group " +
        "(else the DR region's defaults), with deletion protection on (only this run's clean-up lifts it). Nothing is asked of us-east-1. " +
        "A retry adopts the resource carrying this run's tag.",
    );
    expect(plan.replaces).toEqual([
      "Nothing: the source is not touched, nor asked anything. The restored data appears in a new server in us-west-2 (the DR region).",
    ]);
    // The source is still the one whose data comes back: the cutover stops writes there.
    expect(plan.source.description).toBe("RDS instance loanserve-prod (us-east-1)");
  });

  it("plans an Aurora restore in the DR region from the snapshot copy named with its time, the data loss measured from it", () => {
    const dr = pitrDrOf(auroraSnapshotDr);
    expect(dr?.kind).toBe("snapshot-copy");
    const identifiers = ["loanserve-prod-aurora-restore-1a2b3c4d", "loanserve-prod-aurora-restore-1a2b3c4d-writer"];
    const plan = buildPitrPlan({
      ...base,
      source: auroraSnapshotDr,
      providerKind: "aws-aurora",
      identifiers,
      choice: at("2026-11-25T03:00:00Z"),
      window: SNAPSHOT_WINDOW,
      dr,
    });
    const step = (name: string) => plan.steps.find((s) => s.name === name)?.description ?? "";
    expect(step("restore")).toMatch(
      /^RestoreDBClusterFromSnapshot in us-west-2 \(the DR region\) from the snapshot copy "loanserve-prod-aurora-2026-11-25-03-00" taken at 2026-11-25 03:00:00 UTC, into loanserve-prod-aurora-restore-1a2b3c4d, tagged with this run,/,
    );
    expect(step("restore")).toMatch(/A copy is restored as it is: data written after it is not in it\.$/);
    expect(step("writer")).toContain("with the dr block's parameter group (else the DR region's default)");
    expect(plan.window.snapshot).toEqual(SNAPSHOT_WINDOW.snapshot);
    expect(plan.dataLoss).toMatchObject({ restorePointAt: "2026-11-25T03:00:00.000Z", lostMs: 9 * 3_600_000 });

    const latest = buildPitrPlan({
      ...base,
      source: auroraSnapshotDr,
      providerKind: "aws-aurora",
      identifiers,
      choice: { kind: "latest" },
      window: SNAPSHOT_WINDOW,
      dr,
    });
    expect(latest.steps.find((s) => s.name === "restore")?.description).toContain(
      'from the newest snapshot copy when the restore starts (now the snapshot copy "loanserve-prod-aurora-2026-11-25-03-00" taken at 2026-11-25 03:00:00 UTC)',
    );
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
