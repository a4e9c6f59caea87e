import { describe, expect, it } from "vitest";
import { AwsPitrSource, LocalPitrSource } from "@/lib/config/schema";
import { testLogicalPlan } from "@/lib/testing/plans";
import { pitrDrOf } from "./pitr/dr";
import { buildPitrPlan } from "./pitr/plan";
import { dataLossWarning, planFacts, type PlanFact, type PlanFactKey } from "./plan-facts";

const TAKEN_AT = new Date("2026-11-24T02:00:00Z");

const logical = (mode: "swap" | "new-database" | "drill") =>
  testLogicalPlan({
    environment: "production",
    runId: "3f2a9c1e-0000-4000-8000-000000000000",
    mode,
    targetName: "dr",
    database: "loanserve",
    backupId: "b",
    backupName: "2026-11-24.sql.gz",
    takenAt: TAKEN_AT,
  });

const byKey = (facts: PlanFact[]) => new Map(facts.map((fact) => [fact.key, fact]));
const keys = (facts: PlanFact[]): PlanFactKey[] => facts.map((fact) => fact.key);

describe("planFacts of a logical restore", () => {
  it("reads a swap: where from and to, how, the scratch database named once, as of when, what is lost, replaced and kept", () => {
    const plan = logical("swap");
    const facts = planFacts(plan);
    expect(keys(facts)).toEqual(["source", "target", "method", "scratch", "restore-point", "data-loss", "replaces", "keeps"]);
    const fact = byKey(facts);
    expect(fact.get("source")).toMatchObject({
      values: [["2026-11-24.sql.gz"]],
      literal: true,
      note: ["environment production · 100 B · plain SQL · verified", "Read from the primary backup store."],
      warning: undefined,
    });
    expect(fact.get("target")).toMatchObject({ values: [["nobody@127.0.0.1:5432/loanserve"]], note: ["restore target dr"] });
    expect(fact.get("method")).toMatchObject({
      values: [["Logical restore, then a swap once you confirm it"]],
      note: ["loaded over 2 parallel psql connections"],
    });
    expect(fact.get("scratch")?.values).toEqual([[plan.databases.scratch]]);
    expect(fact.get("restore-point")?.values).toEqual([[{ instant: TAKEN_AT.toISOString(), ago: true }]]);
    expect(fact.get("data-loss")?.values).toEqual([
      ["Every change made to loanserve after the backup: not restored, kept in the copy set aside"],
    ]);
    expect(fact.get("replaces")?.values).toEqual(plan.replaces.map((line) => [line]));
    expect(fact.get("keeps")?.values).toEqual(plan.keeps.map((line) => [line]));
    // The long name is the summary's to give: nowhere else in it.
    expect(JSON.stringify(facts).split(plan.databases.scratch)).toHaveLength(2);
  });

  it("names the replica a cross-region restore reads from, and why", () => {
    const plan = logical("new-database");
    const replica = {
      name: "dr",
      label: "us-west-2 (DR)",
      location: "s3://dr/",
      key: "dr/2026-11-24.sql.gz",
      reason: "the primary store cannot serve it",
    };
    const fact = byKey(planFacts({ ...plan, source: { ...plan.source, replica } }));
    expect(fact.get("method")?.values).toEqual([["Cross-region logical restore into a new database"]]);
    expect(fact.get("source")?.note).toContain("Read from the replica us-west-2 (DR) (s3://dr/): the primary store cannot serve it.");
  });

  it("reads a new database: its name, and nothing lost on the target", () => {
    const plan = logical("new-database");
    const fact = byKey(planFacts(plan));
    expect(fact.get("method")?.values).toEqual([["Logical restore into a new database"]]);
    expect(fact.get("new-database")?.values).toEqual([[plan.databases.newDatabase]]);
    expect(fact.get("data-loss")?.values).toEqual([["None: loanserve is left alone"]]);
    expect(fact.get("replaces")?.values).toEqual([["Nothing: loanserve on 127.0.0.1:5432 is left alone."]]);
  });

  it("lists chosen tables, warns of an admin override, and leaves out a load an older plan did not store", () => {
    const plan = {
      ...logical("new-database"),
      load: undefined,
      source: { ...logical("new-database").source, overridden: true, format: "custom" as const },
      selection: {
        tables: ["public.payments", "public.refunds"],
        sequences: [],
        indexes: [],
        constraints: [],
        triggers: [],
        foreignKeys: [],
        skippedForeignKeys: [],
      },
    };
    const facts = planFacts(plan);
    expect(keys(facts)).toContain("tables");
    const fact = byKey(facts);
    expect(fact.get("method")).toEqual({
      key: "method",
      label: "Method",
      values: [["Chosen tables only, into a new database"]],
      note: undefined,
    });
    expect(fact.get("tables")).toMatchObject({ values: [["public.payments"], ["public.refunds"]], literal: true });
    expect(fact.get("source")?.note).toEqual([
      "environment production · 100 B · custom format · verified",
      "Read from the primary backup store.",
    ]);
    expect(fact.get("source")?.warning).toBe("Restorable only because an admin allowed it without a valid manifest.");
  });

  it("gives a drill's expected duration from its RTO objective; other plans carry none", () => {
    const drill = {
      ...logical("drill"),
      drill: {
        trigger: "schedule" as const,
        startedBy: "0 3 * * *",
        backupChoice: "newest-verified",
        scheduledFor: null,
        rtoMaxMinutes: 90,
      },
    };
    const fact = byKey(planFacts(drill));
    expect(fact.get("duration")).toMatchObject({
      label: "Expected duration",
      values: [["at most 1 h 30 min"]],
      note: ["the RTO objective"],
    });
    expect(fact.get("method")?.values).toEqual([["Drill: restored into a scratch database, validated, then dropped"]]);
    expect(fact.get("data-loss")?.values).toEqual([["None: loanserve is left alone"]]);
    expect(keys(planFacts(logical("swap")))).not.toContain("duration");
  });
});

describe("planFacts of a point-in-time restore", () => {
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
  const window = {
    earliest: "2026-11-25T08:00:00.000Z",
    latest: "2026-11-25T11:59:30.000Z",
    lagSeconds: 30,
    describedAt: "2026-11-25T12:00:00.000Z",
    notes: [],
  };
  const incident = { id: "i", title: "Loans deleted", startedAt: "2026-11-25T11:00:00.000Z", lastKnownGoodAt: "2026-11-25T10:30:00.000Z" };
  const pitr = (overrides: Partial<Parameters<typeof buildPitrPlan>[0]> = {}) =>
    buildPitrPlan({
      environment: { name: "production", protected: true },
      source: local,
      providerKind: "local",
      identifiers: ["/srv/pg/restores/1a2b3c4d"],
      choice: { kind: "time", time: "2026-11-25T10:45:00Z" },
      window,
      incident,
      now: new Date("2026-11-25T12:00:00Z"),
      configuredChecks: 2,
      builtinChecks: 5,
      preflight: null,
      ...overrides,
    });

  it("reads the source, the new server, the point and the changes lost up to the incident's start", () => {
    const plan = pitr();
    const facts = planFacts(plan);
    expect(keys(facts)).toEqual(["source", "target", "method", "restore-point", "data-loss", "replaces", "keeps"]);
    const fact = byKey(facts);
    expect(fact.get("source")).toMatchObject({
      values: [["loanserve on 127.0.0.1:54329 (WAL archive /srv/pg/wal-archive)"]],
      note: ["environment production (protected)"],
    });
    expect(fact.get("target")).toMatchObject({
      values: [["/srv/pg/restores/1a2b3c4d"]],
      note: ["A new server beside the source; nothing is repointed to it, the cutover is yours."],
    });
    expect(fact.get("method")).toMatchObject({
      values: [["Point-in-time restore"]],
      note: ["a base backup, then the WAL archive replayed to the point"],
    });
    expect(fact.get("restore-point")).toMatchObject({ values: [["2026-11-25 10:45:00 UTC"]], literal: true, note: undefined });
    expect(fact.get("data-loss")).toMatchObject({
      values: [["15 min of changes"]],
      note: ["from the restore point to the incident's start, ", { instant: incident.startedAt }],
      warning: "This is after the last time the data was known to be good.",
    });
  });

  it("pins latest to the window's newest point, and warns of a point after the incident started", () => {
    const latest = byKey(planFacts(pitr({ choice: { kind: "latest" }, incident: null })));
    expect(latest.get("restore-point")).toMatchObject({
      values: [["latest restorable"]],
      literal: false,
      note: ["now ", { instant: window.latest }, ", pinned when the restore starts"],
    });
    expect(latest.get("data-loss")).toMatchObject({
      values: [["30 s of changes"]],
      note: ["from the restore point to this plan, ", { instant: "2026-11-25T12:00:00.000Z" }],
      warning: undefined,
    });

    const after = byKey(planFacts(pitr({ choice: { kind: "time", time: "2026-11-25T11:10:00Z" } })));
    expect(after.get("data-loss")).toMatchObject({
      values: [["None"]],
      warning: "This is after the incident started: the restored data may already contain the damage.",
    });

    const unknown = byKey(planFacts(pitr({ choice: { kind: "latest" }, window: { ...window, latest: null }, incident: null })));
    expect(unknown.get("restore-point")?.note).toEqual(["unknown now: whatever is archived when the restore starts"]);
    expect(unknown.get("data-loss")).toMatchObject({ values: [["Unknown: the restore point is not known yet"]], note: undefined });
  });

  it("reads a drill: deleted at its end, within its objective", () => {
    const plan = {
      ...pitr({ drill: true }),
      drill: { trigger: "person" as const, startedBy: "a@example.com", backupChoice: "random", scheduledFor: null, rtoMaxMinutes: 45 },
    };
    const fact = byKey(planFacts(plan));
    expect(fact.get("target")?.note).toEqual(["A new server beside the source, deleted when the drill ends."]);
    expect(fact.get("method")?.values).toEqual([["Point-in-time drill: restored, validated, then deleted"]]);
    expect(fact.get("duration")?.values).toEqual([["at most 45 min"]]);
  });

  it("says a restore in the DR region, from the replicated backups or from the snapshot copy at its time", () => {
    const instance = AwsPitrSource.parse({
      provider: "aws",
      engine: "postgres",
      region: "us-east-1",
      instanceIdentifier: "loanserve-prod",
      user: "loanserve",
      dr: { region: "us-west-2" },
    });
    const replicated = byKey(
      planFacts(pitr({ source: instance, providerKind: "aws-rds-instance", identifiers: ["r"], dr: pitrDrOf(instance) })),
    );
    expect(replicated.get("method")).toMatchObject({
      values: [["Point-in-time restore, in us-west-2 (the DR region)"]],
      note: ["RDS restores the instance to the point from its automated backups replicated to that region"],
    });
    expect(replicated.get("target")?.note).toEqual([
      "A new server in us-west-2 (the DR region); nothing is repointed to it, the cutover is yours.",
    ]);
    expect(replicated.get("source")?.note).toEqual([
      "environment production (protected) · restored in us-west-2 (the DR region) from the automated backups replicated there.",
    ]);

    const aurora = AwsPitrSource.parse({
      provider: "aws",
      region: "us-east-1",
      clusterIdentifier: "loanserve-prod-aurora",
      user: "loanserve",
      dr: { mode: "snapshot", region: "us-west-2" },
    });
    const takenAt = "2026-11-25T03:00:00.000Z";
    const copy = byKey(
      planFacts(
        pitr({
          source: aurora,
          providerKind: "aws-aurora",
          identifiers: ["c", "c-writer"],
          choice: { kind: "time", time: takenAt },
          window: { ...window, earliest: takenAt, latest: takenAt, snapshot: { name: "copy-0300", takenAt } },
          dr: pitrDrOf(aurora),
        }),
      ),
    );
    expect(copy.get("method")?.note).toEqual([
      "RDS restores the Aurora cluster from a snapshot copied to that region, as it is: only the snapshot's time",
    ]);
    expect(copy.get("source")?.note).toEqual([
      'environment production (protected) · restored in us-west-2 (the DR region) from the snapshot copy "copy-0300" taken at ',
      { instant: takenAt },
      ".",
    ]);
    expect(copy.get("data-loss")?.values).toEqual([["8 h of changes"]]);
  });

  it("has no warning for a point before the incident, or without one", () => {
    expect(dataLossWarning(pitr({ incident: null }).dataLoss)).toBeUndefined();
  });
});
