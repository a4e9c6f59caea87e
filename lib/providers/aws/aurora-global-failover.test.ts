import {
  DBClusterNotFoundFault,
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  GlobalClusterNotFoundFault,
  InvalidGlobalClusterStateFault,
  RDSClient,
  RemoveFromGlobalClusterCommand,
  SwitchoverGlobalClusterCommand,
  type DBCluster,
  type GlobalCluster,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { AuroraGlobalDr } from "@/lib/providers/aws/aurora-global-failover";
import type { AuroraPitrSource } from "@/lib/providers/aws/aurora-pitr-provider";
import { createAuroraGlobalFailover } from "@/lib/providers/aws/create-pitr-provider";
import { accessDenied, fakeRdsClock, regionsOf, throttled } from "@/lib/providers/aws/rds-test-fakes";
import { PitrAccessDeniedError, PitrFailedError, PitrResourceNotFoundError, PitrTimeoutError, ThrottledError } from "@/lib/providers/pitr";

const rds = mockClient(RDSClient);
beforeEach(() => rds.reset());
afterAll(() => rds.restore());

const GLOBAL_ID = "loanserve-global";
const DR_ID = "loanserve-dr";
const PRIMARY_ARN = "arn:aws:rds:us-east-1:111122223333:cluster:loanserve-prod-aurora";
const DR_ARN = `arn:aws:rds:us-west-2:111122223333:cluster:${DR_ID}`;
const NOW = new Date("2025-10-01T12:00:00Z");
const DR: AuroraGlobalDr = { mode: "global", region: "us-west-2", globalClusterIdentifier: GLOBAL_ID, secondaryClusterIdentifier: DR_ID };

const CONFIG: AuroraPitrSource = {
  provider: "aws",
  engine: "aurora-postgresql",
  region: "us-east-1",
  clusterIdentifier: "loanserve-prod-aurora",
  writerInstanceClass: "db.r6g.large",
  restoredIdentifierPrefix: "loanserve-prod-aurora-restore",
  database: "loanserve",
  user: "loanserve",
  dr: DR,
};

const global = (drIsWriter = false, extra: Partial<GlobalCluster> = {}): GlobalCluster => ({
  GlobalClusterIdentifier: GLOBAL_ID,
  Status: "available",
  Engine: "aurora-postgresql",
  GlobalClusterMembers: [
    { DBClusterArn: PRIMARY_ARN, IsWriter: !drIsWriter, Readers: drIsWriter ? [] : [DR_ARN], SynchronizationStatus: "connected" },
    { DBClusterArn: DR_ARN, IsWriter: drIsWriter, Readers: [], SynchronizationStatus: "connected" },
  ],
  ...extra,
});
const withoutDr = (): GlobalCluster => ({ ...global(), GlobalClusterMembers: global().GlobalClusterMembers?.slice(0, 1) ?? [] });

const drCluster = (Status: string, extra: Partial<DBCluster> = {}): DBCluster => ({
  DBClusterIdentifier: DR_ID,
  DBClusterArn: DR_ARN,
  Status,
  Endpoint: `${DR_ID}.cluster-xyz.us-west-2.rds.amazonaws.com`,
  Port: 5432,
  DBClusterMembers: [{ DBInstanceIdentifier: `${DR_ID}-1`, IsClusterWriter: true }],
  ...extra,
});
const ENDPOINT = {
  host: `${DR_ID}.cluster-xyz.us-west-2.rds.amazonaws.com`,
  port: 5432,
  database: "loanserve",
  user: "loanserve",
  identifier: DR_ID,
};

function setup(config: AuroraPitrSource = CONFIG) {
  const clock = fakeRdsClock(NOW);
  return { ...clock, failover: createAuroraGlobalFailover(config, clock.options) };
}

const inputsOf = <T>(calls: Array<{ args: [{ input: T }] }>) => calls.map((call) => call.args[0].input);
const commandNames = () => rds.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ""));
const WAIT = { timeoutMs: 3_600_000 };

describe("describeGlobalCluster", () => {
  it("reads the members, which is the writer, and the DR cluster, from the DR region", async () => {
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [global()] });
    const state = await setup().failover.describeGlobalCluster();
    const primary = { arn: PRIMARY_ARN, region: "us-east-1", isWriter: true, synchronization: "connected" };
    const dr = { arn: DR_ARN, region: "us-west-2", isWriter: false, synchronization: "connected" };
    expect(state).toEqual({
      identifier: GLOBAL_ID,
      status: "available",
      members: [primary, dr],
      writer: primary,
      drMember: dr,
      transition: null,
      describedAt: NOW,
      notes: [
        "RDS does not report a global database's replication lag; CloudWatch does (AuroraGlobalDBReplicationLag and AuroraGlobalDBRPOLag of the DR cluster).",
      ],
    });
    expect(inputsOf(rds.commandCalls(DescribeGlobalClustersCommand))).toEqual([{ GlobalClusterIdentifier: GLOBAL_ID }]);
    expect(await regionsOf(rds.calls())).toEqual(["us-west-2"]);
  });

  it("reports a switchover or failover under way, and a DR cluster that is no longer a member", async () => {
    rds.on(DescribeGlobalClustersCommand).resolves({
      GlobalClusters: [
        {
          ...withoutDr(),
          Status: "failing-over",
          FailoverState: { Status: "failing-over", FromDbClusterArn: PRIMARY_ARN, ToDbClusterArn: DR_ARN, IsDataLossAllowed: true },
        },
      ],
    });
    const state = await setup().failover.describeGlobalCluster();
    expect(state.transition).toEqual({ status: "failing-over", fromArn: PRIMARY_ARN, toArn: DR_ARN, dataLossAllowed: true });
    expect(state.drMember).toBeNull();
    expect(state.notes[1]).toBe(`DB cluster "${DR_ID}" in us-west-2 is not a member of the global database (detached already?).`);
  });

  it("says which setting to check when the global database is not found", async () => {
    rds.on(DescribeGlobalClustersCommand).rejects(new GlobalClusterNotFoundFault({ message: "not found", $metadata: {} }));
    const describing = setup().failover.describeGlobalCluster();
    await expect(describing).rejects.toBeInstanceOf(PitrResourceNotFoundError);
    await expect(describing).rejects.toThrow(
      `The global database "${GLOBAL_ID}" was not found from us-west-2. Check dr.globalClusterIdentifier`,
    );
  });

  it("retries throttling, then gives up with ThrottledError; access denied names the permission", async () => {
    rds.on(DescribeGlobalClustersCommand).rejects(throttled());
    const { failover, sleeps } = setup();
    await expect(failover.describeGlobalCluster()).rejects.toBeInstanceOf(ThrottledError);
    expect(sleeps).toEqual([2000, 4000, 8000, 16000, 20000]);

    rds.reset();
    rds.on(DescribeGlobalClustersCommand).rejects(accessDenied("rds:DescribeGlobalClusters"));
    const denied = setup().failover.describeGlobalCluster();
    await expect(denied).rejects.toBeInstanceOf(PitrAccessDeniedError);
    await expect(denied).rejects.toThrow(/^AWS denied rds:DescribeGlobalClusters/);
  });
});

describe("detachAndPromote", () => {
  it("detaches the DR cluster by ARN, then waits until it is standalone, available and has a writer", async () => {
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [global()] });
    rds.on(RemoveFromGlobalClusterCommand).resolves({});
    rds
      .on(DescribeDBClustersCommand)
      .resolvesOnce({ DBClusters: [drCluster("available", { GlobalClusterIdentifier: GLOBAL_ID })] })
      .resolvesOnce({ DBClusters: [drCluster("promoting")] })
      .resolves({ DBClusters: [drCluster("available")] });
    const { failover, logs, sleeps, ctx } = setup();
    await expect(failover.detachAndPromote({ ...WAIT, ...ctx })).resolves.toEqual({ endpoint: ENDPOINT, started: true });
    expect(inputsOf(rds.commandCalls(RemoveFromGlobalClusterCommand))).toEqual([
      { GlobalClusterIdentifier: GLOBAL_ID, DbClusterIdentifier: DR_ARN },
    ]);
    expect(inputsOf(rds.commandCalls(DescribeDBClustersCommand))[0]).toEqual({ DBClusterIdentifier: DR_ID });
    expect(sleeps).toEqual([15_000, 15_000]);
    expect(logs).toEqual([
      `Detaching DB cluster "${DR_ID}" in us-west-2 from the global database "${GLOBAL_ID}": it becomes a standalone cluster that accepts writes; what the primary region had not replicated to it is not in it`,
      `DB cluster "${DR_ID}" in us-west-2 is available, still in the global database`,
      `DB cluster "${DR_ID}" in us-west-2: available, still in the global database → promoting`,
      `DB cluster "${DR_ID}" in us-west-2: promoting → available`,
    ]);
    expect([...new Set(await regionsOf(rds.calls()))]).toEqual(["us-west-2"]);
  });

  it("finds the DR cluster by its configured ARN too", async () => {
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [global()] });
    rds.on(RemoveFromGlobalClusterCommand).resolves({});
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [drCluster("available")] });
    const { failover } = setup({ ...CONFIG, dr: { ...DR, secondaryClusterIdentifier: DR_ARN } });
    await expect(failover.detachAndPromote(WAIT)).resolves.toMatchObject({ started: true });
    expect(inputsOf(rds.commandCalls(DescribeDBClustersCommand))).toEqual([{ DBClusterIdentifier: DR_ARN }]);
  });

  it("is safe to repeat: a DR cluster already detached (or a global database already gone) is only waited for", async () => {
    rds
      .on(DescribeGlobalClustersCommand)
      .resolvesOnce({ GlobalClusters: [withoutDr()] })
      .rejects(new GlobalClusterNotFoundFault({ message: "not found", $metadata: {} }));
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [drCluster("available")] });
    const { failover, logs, ctx } = setup();
    await expect(failover.detachAndPromote({ ...WAIT, ...ctx })).resolves.toEqual({ endpoint: ENDPOINT, started: false });
    await expect(failover.detachAndPromote({ ...WAIT, ...ctx })).resolves.toEqual({ endpoint: ENDPOINT, started: false });
    expect(rds.commandCalls(RemoveFromGlobalClusterCommand)).toHaveLength(0);
    expect(logs).toContain(
      `DB cluster "${DR_ID}" in us-west-2 is not a member of the global database "${GLOBAL_ID}" (an earlier attempt detached it)`,
    );
    expect(logs).toContain(
      `The global database "${GLOBAL_ID}" was not found (deleted after its last secondary left?); DB cluster "${DR_ID}" in us-west-2 should be standalone`,
    );
  });

  it("does not detach a DR cluster that is already the writer", async () => {
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [global(true)] });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [drCluster("available", { GlobalClusterIdentifier: GLOBAL_ID })] });
    await expect(setup().failover.detachAndPromote(WAIT)).resolves.toEqual({ endpoint: ENDPOINT, started: false });
    expect(rds.commandCalls(RemoveFromGlobalClusterCommand)).toHaveLength(0);
  });

  it("fails fast when the detached cluster has no instance to write with", async () => {
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [withoutDr()] });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [drCluster("available", { DBClusterMembers: [] })] });
    const { failover, sleeps } = setup();
    const promoting = failover.detachAndPromote(WAIT);
    await expect(promoting).rejects.toBeInstanceOf(PitrFailedError);
    await expect(promoting).rejects.toThrow(`DB cluster "${DR_ID}" in us-west-2 has no DB instance, so it cannot accept writes.`);
    expect(sleeps).toEqual([]);
  });

  it("refuses to wait on a DR cluster that belongs to another global database than the configured one", async () => {
    rds.on(DescribeGlobalClustersCommand).rejects(new GlobalClusterNotFoundFault({ message: "not found", $metadata: {} }));
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [drCluster("available", { GlobalClusterIdentifier: "other-global" })] });
    const promoting = setup().failover.detachAndPromote(WAIT);
    await expect(promoting).rejects.toBeInstanceOf(PitrFailedError);
    await expect(promoting).rejects.toThrow(`belongs to the global database "other-global", not "${GLOBAL_ID}", so nothing was detached`);
  });

  it("stops at the explicit maximum with PitrTimeoutError", async () => {
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [global()] });
    rds.on(RemoveFromGlobalClusterCommand).resolves({});
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [drCluster("available", { GlobalClusterIdentifier: GLOBAL_ID })] });
    const promoting = setup().failover.detachAndPromote({ timeoutMs: 60_000 });
    await expect(promoting).rejects.toBeInstanceOf(PitrTimeoutError);
    await expect(promoting).rejects.toThrow(
      `Not available after 60 s (DB cluster "${DR_ID}" in us-west-2 is available, still in the global database)`,
    );
  });

  it("counts a detach refused on retry as done when the DR cluster has left the global database meanwhile", async () => {
    rds
      .on(DescribeGlobalClustersCommand)
      .resolvesOnce({ GlobalClusters: [global()] })
      .resolves({ GlobalClusters: [withoutDr()] });
    rds
      .on(RemoveFromGlobalClusterCommand)
      .rejects(new InvalidGlobalClusterStateFault({ message: "The cluster is not a member of the global cluster.", $metadata: {} }));
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [drCluster("available")] });
    const { failover, logs, ctx } = setup();
    await expect(failover.detachAndPromote({ ...WAIT, ...ctx })).resolves.toEqual({ endpoint: ENDPOINT, started: true });
    expect(logs).toContain(`DB cluster "${DR_ID}" in us-west-2 is detached after all (an attempt went through before the error)`);
  });

  it("maps the faults of RemoveFromGlobalCluster: invalid state, not found, access denied, throttling", async () => {
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [global()] });
    rds
      .on(RemoveFromGlobalClusterCommand)
      .rejectsOnce(new InvalidGlobalClusterStateFault({ message: "Global cluster is in an invalid state.", $metadata: {} }))
      .rejectsOnce(new DBClusterNotFoundFault({ message: "DBCluster not found.", $metadata: {} }))
      .rejectsOnce(accessDenied("rds:RemoveFromGlobalCluster"))
      .rejects(throttled());
    const { failover } = setup();
    const invalid = failover.detachAndPromote(WAIT);
    await expect(invalid).rejects.toBeInstanceOf(PitrFailedError);
    await expect(invalid).rejects.toThrow(
      /RemoveFromGlobalCluster failed \(InvalidGlobalClusterStateFault\).*fail over allowing data loss or detach/,
    );
    await expect(failover.detachAndPromote(WAIT)).rejects.toBeInstanceOf(PitrResourceNotFoundError);
    await expect(failover.detachAndPromote(WAIT)).rejects.toBeInstanceOf(PitrAccessDeniedError);
    await expect(failover.detachAndPromote(WAIT)).rejects.toBeInstanceOf(ThrottledError);
    expect(rds.commandCalls(DescribeDBClustersCommand)).toHaveLength(0);
  });
});

describe("failover", () => {
  /** The DR member becomes the writer after `afterPolls` descriptions. */
  function givenPromotion(afterPolls: number) {
    const stub = rds.on(DescribeGlobalClustersCommand);
    for (let i = 0; i < afterPolls; i++) stub.resolvesOnce({ GlobalClusters: [global()] });
    stub.resolves({ GlobalClusters: [global(true)] });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [drCluster("available")] });
  }

  it("switches over to the DR cluster by ARN (no data loss), then waits until it is the writer", async () => {
    givenPromotion(2);
    rds.on(SwitchoverGlobalClusterCommand).resolves({});
    const { failover, logs, ctx } = setup();
    await expect(failover.failover("switchover", { ...WAIT, ...ctx })).resolves.toEqual({ endpoint: ENDPOINT, started: true });
    expect(inputsOf(rds.commandCalls(SwitchoverGlobalClusterCommand))).toEqual([
      { GlobalClusterIdentifier: GLOBAL_ID, TargetDbClusterIdentifier: DR_ARN },
    ]);
    expect(rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
    expect(logs[0]).toBe(
      `Switching the global database "${GLOBAL_ID}" over to DB cluster "${DR_ID}" in us-west-2 (no data loss; every region must answer)`,
    );
    expect(logs).toContain(
      `global database "${GLOBAL_ID}": available, DB cluster "${DR_ID}" in us-west-2 is not its writer yet → available, writer is DB cluster "${DR_ID}" in us-west-2`,
    );
    expect([...new Set(await regionsOf(rds.calls()))]).toEqual(["us-west-2"]);
  });

  it("fails over allowing data loss with FailoverGlobalCluster and AllowDataLoss, never with Switchover", async () => {
    givenPromotion(1);
    rds.on(FailoverGlobalClusterCommand).resolves({});
    const { failover, logs, ctx } = setup();
    await expect(failover.failover("failover-allowing-data-loss", { ...WAIT, ...ctx })).resolves.toEqual({
      endpoint: ENDPOINT,
      started: true,
    });
    expect(inputsOf(rds.commandCalls(FailoverGlobalClusterCommand))).toEqual([
      { GlobalClusterIdentifier: GLOBAL_ID, TargetDbClusterIdentifier: DR_ARN, AllowDataLoss: true },
    ]);
    expect(rds.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
    expect(logs[0]).toMatch(/allowing data loss: writes not yet replicated to it are lost$/);
  });

  it("is safe to repeat: waits for a failover to the DR cluster already under way, and starts nothing when it is the writer", async () => {
    const underWay = { Status: "failing-over" as const, FromDbClusterArn: PRIMARY_ARN, ToDbClusterArn: DR_ARN, IsDataLossAllowed: true };
    rds
      .on(DescribeGlobalClustersCommand)
      .resolvesOnce({ GlobalClusters: [global(false, { FailoverState: underWay })] })
      .resolves({ GlobalClusters: [global(true)] });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [drCluster("available")] });
    const { failover } = setup();
    await expect(failover.failover("failover-allowing-data-loss", WAIT)).resolves.toEqual({ endpoint: ENDPOINT, started: false });
    await expect(failover.failover("switchover", WAIT)).resolves.toEqual({ endpoint: ENDPOINT, started: false });
    expect(commandNames().filter((name) => !name.startsWith("Describe"))).toEqual([]);
  });

  it("waits, instead of failing, when a refused failover request had in fact started the failover to the DR cluster", async () => {
    const started = { Status: "failing-over" as const, ToDbClusterArn: DR_ARN, IsDataLossAllowed: true };
    rds
      .on(DescribeGlobalClustersCommand)
      .resolvesOnce({ GlobalClusters: [global()] })
      .resolvesOnce({ GlobalClusters: [global(false, { FailoverState: started })] })
      .resolves({ GlobalClusters: [global(true)] });
    rds
      .on(FailoverGlobalClusterCommand)
      .rejects(new InvalidGlobalClusterStateFault({ message: "A failover is in progress.", $metadata: {} }));
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [drCluster("available")] });
    const { failover, logs, ctx } = setup();
    await expect(failover.failover("failover-allowing-data-loss", { ...WAIT, ...ctx })).resolves.toEqual({
      endpoint: ENDPOINT,
      started: true,
    });
    expect(logs).toContain(
      `The global database "${GLOBAL_ID}" is moving to DB cluster "${DR_ID}" in us-west-2 after all (an attempt went through before the error)`,
    );
  });

  it("refuses while a switchover to another cluster is under way", async () => {
    const elsewhere = { Status: "pending" as const, ToDbClusterArn: "arn:aws:rds:eu-west-1:111122223333:cluster:loanserve-eu" };
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [global(false, { FailoverState: elsewhere })] });
    const failing = setup().failover.failover("switchover", WAIT);
    await expect(failing).rejects.toBeInstanceOf(PitrFailedError);
    await expect(failing).rejects.toThrow(`to ${elsewhere.ToDbClusterArn} is under way (pending). Wait until it finishes, then retry.`);
    expect(commandNames()).toEqual(["DescribeGlobalClusters"]);
  });

  it("fails when RDS cancels the failover while waiting", async () => {
    rds
      .on(DescribeGlobalClustersCommand)
      .resolvesOnce({ GlobalClusters: [global()] })
      .resolves({ GlobalClusters: [global(false, { FailoverState: { Status: "cancelling", ToDbClusterArn: DR_ARN } })] });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [drCluster("available")] });
    rds.on(SwitchoverGlobalClusterCommand).resolves({});
    const failing = setup().failover.failover("switchover", WAIT);
    await expect(failing).rejects.toBeInstanceOf(PitrFailedError);
    await expect(failing).rejects.toThrow(`RDS is cancelling the switchover or failover of the global database "${GLOBAL_ID}"`);
  });

  it("says there is nothing to fail over to when the DR cluster is not a member, or the global database is gone", async () => {
    rds
      .on(DescribeGlobalClustersCommand)
      .resolvesOnce({ GlobalClusters: [withoutDr()] })
      .rejects(new GlobalClusterNotFoundFault({ message: "not found", $metadata: {} }));
    const { failover } = setup();
    const notMember = failover.failover("switchover", WAIT);
    await expect(notMember).rejects.toBeInstanceOf(PitrResourceNotFoundError);
    await expect(notMember).rejects.toThrow("is not a member of the global database");
    await expect(failover.failover("switchover", WAIT)).rejects.toBeInstanceOf(PitrResourceNotFoundError);
  });

  it("maps a switchover refused for the global database's state to advice on failing over instead", async () => {
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [global()] });
    rds
      .on(SwitchoverGlobalClusterCommand)
      .rejects(new InvalidGlobalClusterStateFault({ message: "The primary cluster is unavailable.", $metadata: {} }));
    const failing = setup().failover.failover("switchover", WAIT);
    await expect(failing).rejects.toBeInstanceOf(PitrFailedError);
    await expect(failing).rejects.toThrow(
      /SwitchoverGlobalCluster failed \(InvalidGlobalClusterStateFault\)\. RDS said: "The primary cluster is unavailable"/,
    );
  });

  it("retries a throttled FailoverGlobalCluster, and names the permission when it is denied", async () => {
    givenPromotion(1);
    rds.on(FailoverGlobalClusterCommand).rejectsOnce(throttled()).resolves({});
    const { failover, logs, ctx } = setup();
    await failover.failover("failover-allowing-data-loss", { ...WAIT, ...ctx });
    expect(logs).toContain("RDS throttled FailoverGlobalCluster; retrying in 2 s (attempt 2 of 6)");
    expect(rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(2);

    rds.reset();
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [global()] });
    rds.on(FailoverGlobalClusterCommand).rejects(accessDenied("rds:FailoverGlobalCluster"));
    const denied = setup().failover.failover("failover-allowing-data-loss", WAIT);
    await expect(denied).rejects.toBeInstanceOf(PitrAccessDeniedError);
    await expect(denied).rejects.toThrow(/^AWS denied rds:FailoverGlobalCluster \(during FailoverGlobalCluster\)/);
  });

  it("stops at the explicit maximum with PitrTimeoutError", async () => {
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [global()] });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [drCluster("available")] });
    rds.on(FailoverGlobalClusterCommand).resolves({});
    const failing = setup().failover.failover("failover-allowing-data-loss", { timeoutMs: 30_000 });
    await expect(failing).rejects.toBeInstanceOf(PitrTimeoutError);
    await expect(failing).rejects.toThrow(`DB cluster "${DR_ID}" in us-west-2 is not its writer yet`);
  });
});
