import { rmSync } from "node:fs";
import {
  CreateDBInstanceCommand,
  DBClusterAlreadyExistsFault,
  DBClusterNotFoundFault,
  DBClusterSnapshotNotFoundFault,
  DBInstanceNotFoundFault,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  InvalidDBClusterSnapshotStateFault,
  ModifyDBClusterCommand,
  RDSClient,
  RestoreDBClusterFromSnapshotCommand,
  type DBCluster,
  type DBClusterSnapshot,
  type Tag,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { AuroraPitrProvider, type AuroraPitrSource } from "@/lib/providers/aws/aurora-pitr-provider";
import { createAwsPitrProvider } from "@/lib/providers/aws/create-pitr-provider";
import { isValidRdsIdentifier } from "@/lib/providers/aws/rds-common";
import { accessDenied, fakeRdsClock, regionsOf, throttled } from "@/lib/providers/aws/rds-test-fakes";
import {
  NameCollisionError,
  PitrAccessDeniedError,
  PitrFailedError,
  PitrResourceNotFoundError,
  PitrTimeoutError,
  RestoreWindowError,
  ThrottledError,
} from "@/lib/providers/pitr";
import { describePitrContract } from "@/lib/providers/pitr-contract";
import { certificateDir, makeCertificateAuthority } from "@/lib/testing/certificates";

const rds = mockClient(RDSClient);
beforeEach(() => rds.reset());
const CERTS = certificateDir();
const CA_BUNDLE = makeCertificateAuthority(CERTS, "Test RDS CA").certFile;
afterAll(() => {
  rds.restore();
  rmSync(CERTS, { recursive: true, force: true });
});

const SOURCE_ID = "loanserve-prod-aurora";
const RUN = "run-1";
const OTHER_RUN = "run-2";
// sha256("run-1") starts with 4e65d3fb.
const CLUSTER_ID = "loanserve-prod-aurora-restore-4e65d3fb";
const WRITER_ID = "loanserve-prod-aurora-restore-4e65d3fb-writer";
const NOW = new Date("2025-10-01T12:00:00Z");
const NEWEST = new Date("2025-10-01T03:00:00Z");
const OLDER = new Date("2025-09-30T03:00:00Z");
const DR_ARN = (name: string) => `arn:aws:rds:us-west-2:111122223333:cluster-snapshot:${name}`;
const PRIMARY_ARN = (name: string) => `arn:aws:rds:us-east-1:111122223333:cluster-snapshot:${name}`;

const CONFIG: AuroraPitrSource = {
  provider: "aws",
  engine: "aurora-postgresql",
  region: "us-east-1",
  clusterIdentifier: SOURCE_ID,
  writerInstanceClass: "db.r6g.large",
  restoredIdentifierPrefix: `${SOURCE_ID}-restore`,
  database: "loanserve",
  user: "loanserve",
  caBundleFile: CA_BUNDLE,
  // The primary region's settings: they do not exist in the DR region and must not be used there.
  dbSubnetGroupName: "prod-db-subnets",
  dbParameterGroupName: "prod-aurora-instance-pg16",
  kmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/source-key",
  dr: {
    mode: "snapshot",
    region: "us-west-2",
    dbSubnetGroupName: "dr-db-subnets",
    vpcSecurityGroupIds: ["sg-0dddddddddddddddd"],
    dbParameterGroupName: "dr-aurora-instance-pg16",
    dbClusterParameterGroupName: "dr-aurora-pg16",
    kmsKeyId: "arn:aws:kms:us-west-2:111122223333:key/dr-key",
  },
};

const copy = (name: string, takenAt: Date, extra: Partial<DBClusterSnapshot> = {}): DBClusterSnapshot => ({
  DBClusterSnapshotIdentifier: name,
  DBClusterSnapshotArn: DR_ARN(name),
  DBClusterIdentifier: SOURCE_ID,
  SnapshotCreateTime: takenAt,
  Status: "available",
  SnapshotType: "manual",
  SourceDBClusterSnapshotArn: PRIMARY_ARN(`rds:${name}`),
  IAMDatabaseAuthenticationEnabled: true,
  ...extra,
});
const NEWEST_COPY = copy("loanserve-prod-aurora-2025-10-01-03-00", NEWEST);
const OLDER_COPY = copy("loanserve-prod-aurora-2025-09-30-03-00", OLDER);
/** Taken in the DR region of a cluster with the source's name: not a copy of the source. */
const LOCAL_NAMESAKE = copy("dr-namesake-2025-10-01-11-00", new Date("2025-10-01T11:00:00Z"), { SourceDBClusterSnapshotArn: undefined });
/** Copied from another region than the source's. */
const FROM_ELSEWHERE = copy("eu-copy-2025-10-01-10-00", new Date("2025-10-01T10:00:00Z"), {
  SourceDBClusterSnapshotArn: "arn:aws:rds:eu-west-1:111122223333:cluster-snapshot:x",
});
const STILL_COPYING = copy("loanserve-prod-aurora-2025-10-01-09-00", new Date("2025-10-01T09:00:00Z"), {
  Status: "copying",
  PercentProgress: 40,
});

const tags = (runId: string): Tag[] => [
  { Key: "restore-console:run-id", Value: runId },
  { Key: "restore-console:source", Value: SOURCE_ID },
];
const clusterNotFound = (id: string) => new DBClusterNotFoundFault({ message: `DBCluster ${id} not found.`, $metadata: {} });
const instanceNotFound = (id: string) => new DBInstanceNotFoundFault({ message: `DBInstance ${id} not found.`, $metadata: {} });
const BY_SOURCE = { Filters: [{ Name: "db-cluster-id", Values: [SOURCE_ID] }] };

function setup(config: AuroraPitrSource = CONFIG) {
  const clock = fakeRdsClock(NOW);
  return { ...clock, provider: createAwsPitrProvider(config, { ...clock.options, region: "dr" }) };
}

/** Two pages of snapshots, out of order; the restored identifiers are free. */
function givenCopies(
  first: DBClusterSnapshot[] = [OLDER_COPY, LOCAL_NAMESAKE, STILL_COPYING],
  second: DBClusterSnapshot[] = [FROM_ELSEWHERE, NEWEST_COPY],
) {
  rds
    .on(DescribeDBClusterSnapshotsCommand)
    .resolves({ DBClusterSnapshots: second })
    .on(DescribeDBClusterSnapshotsCommand, { Marker: undefined })
    .resolves({ DBClusterSnapshots: first, Marker: "page-2" });
  rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: CLUSTER_ID }).rejects(clusterNotFound(CLUSTER_ID));
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: WRITER_ID }).rejects(instanceNotFound(WRITER_ID));
}

const restoreInputs = () => rds.commandCalls(RestoreDBClusterFromSnapshotCommand).map((call) => call.args[0].input);
const snapshotQueries = () => rds.commandCalls(DescribeDBClusterSnapshotsCommand).map((call) => call.args[0].input);
const allRegions = async () => [...new Set(await regionsOf(rds.calls()))];

describePitrContract("AuroraPitrProvider in the DR region (copied snapshots)", {
  createProvider: () => {
    rds.reset();
    givenCopies();
    return setup().provider;
  },
  pickTimes: (window) => ({
    inside: window.latest,
    before: new Date(window.earliest.getTime() - 1000),
    after: new Date(window.latest.getTime() + 1000),
  }),
  isValidIdentifier: isValidRdsIdentifier,
  expectNothingStarted: () => {
    expect(rds.commandCalls(RestoreDBClusterFromSnapshotCommand)).toHaveLength(0);
    expect(rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(0);
  },
});

describe("the DR provider", () => {
  it("is the Aurora provider, sending every call to the DR region and none to the source's", async () => {
    givenCopies();
    const { provider } = setup();
    expect(provider).toBeInstanceOf(AuroraPitrProvider);
    expect(provider.kind).toBe("aws-aurora");
    await provider.preflight(RUN, { kind: "latest" });
    expect(rds.commandCalls(DescribeDBClustersCommand).map((call) => call.args[0].input)).toEqual([{ DBClusterIdentifier: CLUSTER_ID }]);
    expect(await allRegions()).toEqual(["us-west-2"]);
  });
});

describe("describeWindow", () => {
  it("is the newest available copy's time at both ends, naming it, with the lag as the data loss", async () => {
    givenCopies();
    const window = await setup().provider.describeWindow();
    expect(window).toEqual({
      earliest: NEWEST,
      latest: NEWEST,
      lagSeconds: 9 * 3600,
      describedAt: NOW,
      snapshot: { name: NEWEST_COPY.DBClusterSnapshotIdentifier, takenAt: NEWEST },
      notes: [
        `From us-west-2 the restore is of a copied snapshot: the newest, "${NEWEST_COPY.DBClusterSnapshotIdentifier}", was taken at 2025-10-01T03:00:00Z (UTC), and data written after it is not in it.`,
        `A newer copy, "${STILL_COPYING.DBClusterSnapshotIdentifier}" (taken at 2025-10-01T09:00:00Z (UTC)), is still copying (40%): describe the window again once it is available to lose less.`,
      ],
    });
    // db-cluster-id, not DBClusterIdentifier: that parameter must name a cluster existing in the DR region.
    expect(snapshotQueries()).toEqual([BY_SOURCE, { ...BY_SOURCE, Marker: "page-2" }]);
  });

  it("says what to do when no copy of the source is in the DR region, or none has finished copying", async () => {
    givenCopies([LOCAL_NAMESAKE], [FROM_ELSEWHERE]);
    const none = setup().provider.describeWindow();
    await expect(none).rejects.toBeInstanceOf(PitrResourceNotFoundError);
    await expect(none).rejects.toThrow(
      `No available snapshot of DB cluster "${SOURCE_ID}" copied from us-east-1 was found in us-west-2. Copy snapshots there (CopyDBClusterSnapshot, or a cross-region copy rule), then describe the window again.`,
    );
    rds.reset();
    givenCopies([STILL_COPYING], []);
    await expect(setup().provider.describeWindow()).rejects.toThrow("was found in us-west-2 (1 still copying)");
  });

  it("retries a throttled DescribeDBClusterSnapshots visibly, then gives up with ThrottledError", async () => {
    givenCopies();
    rds
      .on(DescribeDBClusterSnapshotsCommand, { Marker: undefined })
      .rejectsOnce(throttled())
      .resolves({ DBClusterSnapshots: [NEWEST_COPY] });
    const { provider, logs, ctx } = setup();
    await expect(provider.describeWindow(ctx)).resolves.toMatchObject({ latest: NEWEST });
    expect(logs).toEqual(["RDS throttled DescribeDBClusterSnapshots; retrying in 2 s (attempt 2 of 6)"]);

    rds.reset();
    rds.on(DescribeDBClusterSnapshotsCommand).rejects(throttled());
    await expect(setup().provider.describeWindow()).rejects.toBeInstanceOf(ThrottledError);
    expect(rds.commandCalls(DescribeDBClusterSnapshotsCommand)).toHaveLength(6);
  });

  it("fails with PitrAccessDeniedError naming the permission", async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).rejects(accessDenied("rds:DescribeDBClusterSnapshots"));
    const describing = setup().provider.describeWindow();
    await expect(describing).rejects.toBeInstanceOf(PitrAccessDeniedError);
    await expect(describing).rejects.toThrow(/^AWS denied rds:DescribeDBClusterSnapshots/);
  });
});

describe("restore", () => {
  const expectedInput = (snapshot: DBClusterSnapshot, takenAt: Date) => ({
    DBClusterIdentifier: CLUSTER_ID,
    SnapshotIdentifier: snapshot.DBClusterSnapshotArn,
    Engine: "aurora-postgresql",
    DBSubnetGroupName: "dr-db-subnets",
    VpcSecurityGroupIds: ["sg-0dddddddddddddddd"],
    DBClusterParameterGroupName: "dr-aurora-pg16",
    KmsKeyId: "arn:aws:kms:us-west-2:111122223333:key/dr-key",
    EnableIAMDatabaseAuthentication: true,
    DeletionProtection: true,
    CopyTagsToSnapshot: true,
    Tags: [...tags(RUN), { Key: "restore-console:restored-to", Value: takenAt.toISOString() }],
  });

  it('restores "latest" from the newest copy by its ARN, with the DR block\'s network, parameter group and key, tagged with its time', async () => {
    givenCopies();
    rds.on(RestoreDBClusterFromSnapshotCommand).resolves({});
    const { provider, logs, ctx } = setup();
    await expect(provider.restore(RUN, { kind: "latest" }, ctx)).resolves.toEqual({ identifier: CLUSTER_ID, adopted: false });
    expect(restoreInputs()).toEqual([expectedInput(NEWEST_COPY, NEWEST)]);
    expect(logs).toEqual([
      `Restoring DB cluster "${CLUSTER_ID}" from the DB cluster snapshot "${NEWEST_COPY.DBClusterSnapshotIdentifier}" in us-west-2 (taken at 2025-10-01T03:00:00Z (UTC))`,
    ]);
    expect(await allRegions()).toEqual(["us-west-2"]);
  });

  it("restores the copy whose time is chosen exactly, an older one included", async () => {
    givenCopies();
    rds.on(RestoreDBClusterFromSnapshotCommand).resolves({});
    const { provider } = setup();
    await provider.restore(RUN, { kind: "time", time: NEWEST });
    await provider.restore(RUN, { kind: "time", time: OLDER });
    expect(restoreInputs()).toEqual([expectedInput(NEWEST_COPY, NEWEST), expectedInput(OLDER_COPY, OLDER)]);
  });

  it("never uses the source region's settings: without DR placement the DR region's defaults apply", async () => {
    givenCopies();
    rds.on(RestoreDBClusterFromSnapshotCommand).resolves({});
    await setup({ ...CONFIG, enableIamAuth: false, dr: { mode: "snapshot", region: "us-west-2" } }).provider.restore(RUN, {
      kind: "latest",
    });
    const [input] = restoreInputs();
    expect(input).toEqual({
      DBClusterIdentifier: CLUSTER_ID,
      SnapshotIdentifier: NEWEST_COPY.DBClusterSnapshotArn,
      Engine: "aurora-postgresql",
      EnableIAMDatabaseAuthentication: false,
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      Tags: [...tags(RUN), { Key: "restore-console:restored-to", Value: NEWEST.toISOString() }],
    });
    // The SDK leaves undefined fields out of the request.
    expect([input?.DBSubnetGroupName, input?.KmsKeyId, input?.DBClusterParameterGroupName]).toEqual([undefined, undefined, undefined]);
  });

  it("refuses a time that is not a copy's, without calling the restore API, saying what can be chosen", async () => {
    givenCopies();
    const { provider } = setup();
    const between = provider.restore(RUN, { kind: "time", time: new Date("2025-10-01T02:00:00Z") });
    await expect(between).rejects.toBeInstanceOf(RestoreWindowError);
    await expect(between).rejects.toThrow(
      `2025-10-01T02:00:00Z (UTC) is not the time of a snapshot copied to us-west-2: from there the restore can only be to the newest copy's time 2025-10-01T03:00:00Z (UTC) (snapshot "${NEWEST_COPY.DBClusterSnapshotIdentifier}"), or to "latest restorable".`,
    );
    // A copy still copying cannot be restored yet.
    await expect(provider.restore(RUN, { kind: "time", time: STILL_COPYING.SnapshotCreateTime ?? NOW })).rejects.toBeInstanceOf(
      RestoreWindowError,
    );
    expect(restoreInputs()).toEqual([]);
  });

  it("adopts the cluster an earlier attempt created, and refuses one of another run", async () => {
    givenCopies();
    rds
      .on(RestoreDBClusterFromSnapshotCommand)
      .rejects(new DBClusterAlreadyExistsFault({ message: "DB cluster already exists", $metadata: {} }));
    rds
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: CLUSTER_ID })
      .resolvesOnce({ DBClusters: [{ DBClusterIdentifier: CLUSTER_ID, TagList: tags(RUN) }] })
      .resolves({ DBClusters: [{ DBClusterIdentifier: CLUSTER_ID, TagList: [{ Key: "team", Value: "payments" }] }] });
    await expect(setup().provider.restore(RUN, { kind: "latest" })).resolves.toEqual({ identifier: CLUSTER_ID, adopted: true });
    const theirs = setup().provider.restore(RUN, { kind: "latest" });
    await expect(theirs).rejects.toBeInstanceOf(NameCollisionError);
    await expect(theirs).rejects.toThrow(
      `DB cluster "${CLUSTER_ID}" already exists and is not this run's: it has no restore-console:run-id tag`,
    );
  });

  it("maps a copy deleted meanwhile to PitrResourceNotFoundError, and one not yet available to PitrFailedError", async () => {
    givenCopies();
    rds
      .on(RestoreDBClusterFromSnapshotCommand)
      .rejectsOnce(new DBClusterSnapshotNotFoundFault({ message: "DBClusterSnapshot not found.", $metadata: {} }))
      .rejects(new InvalidDBClusterSnapshotStateFault({ message: "Snapshot is not available.", $metadata: {} }));
    const { provider } = setup();
    const gone = provider.restore(RUN, { kind: "latest" });
    await expect(gone).rejects.toBeInstanceOf(PitrResourceNotFoundError);
    await expect(gone).rejects.toThrow(/Describe the window again to pick the newest copy/);
    const copying = provider.restore(RUN, { kind: "latest" });
    await expect(copying).rejects.toBeInstanceOf(PitrFailedError);
    await expect(copying).rejects.toThrow(/RestoreDBClusterFromSnapshot failed \(InvalidDBClusterSnapshotStateFault\).*still copying/);
  });

  it("names the missing permission when AWS denies the restore, and retries throttling first", async () => {
    givenCopies();
    rds.on(RestoreDBClusterFromSnapshotCommand).rejectsOnce(throttled()).rejects(accessDenied("rds:RestoreDBClusterFromSnapshot"));
    const { provider, logs, ctx } = setup();
    const restoring = provider.restore(RUN, { kind: "latest" }, ctx);
    await expect(restoring).rejects.toBeInstanceOf(PitrAccessDeniedError);
    await expect(restoring).rejects.toThrow(/^AWS denied rds:RestoreDBClusterFromSnapshot \(during RestoreDBClusterFromSnapshot\)/);
    expect(logs).toContain("RDS throttled RestoreDBClusterFromSnapshot; retrying in 2 s (attempt 2 of 6)");
    expect(restoreInputs()).toHaveLength(2);
  });
});

describe("preflight", () => {
  it("accepts the newest copy's time and names the copy and the permission the restore needs", async () => {
    givenCopies();
    const result = await setup().provider.preflight(RUN, { kind: "time", time: NEWEST });
    expect(result.checks.map((check) => [check.name, check.ok, check.message])).toEqual([
      [
        "restore-window",
        true,
        `Restoring the DB cluster snapshot "${NEWEST_COPY.DBClusterSnapshotIdentifier}" copied to us-west-2, taken at 2025-10-01T03:00:00Z (UTC): data written after it is not in it`,
      ],
      ["identifiers", true, `DB cluster "${CLUSTER_ID}" is free; DB instance "${WRITER_ID}" is free`],
      ["tls", true, expect.stringContaining(CA_BUNDLE)],
      ["permissions", true, expect.stringContaining("rds:RestoreDBClusterFromSnapshot, rds:CreateDBInstance, rds:AddTagsToResource")],
    ]);
  });

  it("refuses, as a failed check, a time that is not the newest copy's", async () => {
    givenCopies();
    const result = await setup().provider.preflight(RUN, { kind: "time", time: new Date("2025-10-01T11:00:00Z") });
    expect(result.ok).toBe(false);
    expect(result.checks[0]).toMatchObject({
      name: "restore-window",
      ok: false,
      message: expect.stringContaining("is not the time of a snapshot"),
    });
  });
});

describe("createWriter, waitUntilAvailable and cleanup", () => {
  it("creates the writer in the DR region with the DR block's parameter group, never the source region's", async () => {
    rds.on(CreateDBInstanceCommand).resolves({});
    await expect(setup().provider.createWriter(RUN)).resolves.toEqual({ identifier: WRITER_ID, adopted: false });
    await setup({ ...CONFIG, dr: { mode: "snapshot", region: "us-west-2" } }).provider.createWriter(RUN);
    const inputs = rds.commandCalls(CreateDBInstanceCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      {
        DBInstanceIdentifier: WRITER_ID,
        DBClusterIdentifier: CLUSTER_ID,
        DBInstanceClass: "db.r6g.large",
        Engine: "aurora-postgresql",
        DBParameterGroupName: "dr-aurora-instance-pg16",
        Tags: tags(RUN),
      },
      {
        DBInstanceIdentifier: WRITER_ID,
        DBClusterIdentifier: CLUSTER_ID,
        DBInstanceClass: "db.r6g.large",
        Engine: "aurora-postgresql",
        Tags: tags(RUN),
      },
    ]);
    expect(inputs[1]?.DBParameterGroupName).toBeUndefined();
    expect(await allRegions()).toEqual(["us-west-2"]);
  });

  const cluster = (Status: string): DBCluster => ({
    DBClusterIdentifier: CLUSTER_ID,
    Status,
    Endpoint: `${CLUSTER_ID}.cluster-xyz.us-west-2.rds.amazonaws.com`,
    Port: 5432,
    TagList: tags(RUN),
    DeletionProtection: true,
  });

  it("waits for the restored cluster and its writer, and returns the cluster endpoint", async () => {
    rds
      .on(DescribeDBClustersCommand)
      .resolvesOnce({ DBClusters: [cluster("creating")] })
      .resolves({ DBClusters: [cluster("available")] });
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: WRITER_ID, DBInstanceStatus: "available" }] });
    const { provider, sleeps } = setup();
    await expect(provider.waitUntilAvailable(RUN, { timeoutMs: 3_600_000 })).resolves.toEqual({
      host: `${CLUSTER_ID}.cluster-xyz.us-west-2.rds.amazonaws.com`,
      port: 5432,
      database: "loanserve",
      user: "loanserve",
      identifier: CLUSTER_ID,
    });
    expect(sleeps).toEqual([15_000]);
  });

  it("stops at the explicit maximum with PitrTimeoutError", async () => {
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [cluster("creating")] });
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: WRITER_ID, DBInstanceStatus: "creating" }] });
    await expect(setup().provider.waitUntilAvailable(RUN, { timeoutMs: 30_000 })).rejects.toBeInstanceOf(PitrTimeoutError);
  });

  it("cleans up in the DR region: protection lifted, writer then cluster deleted with a final snapshot", async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [{ DBInstanceIdentifier: WRITER_ID, DBInstanceStatus: "available", TagList: tags(RUN) }] });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [cluster("available")] });
    rds.on(ModifyDBClusterCommand).resolves({});
    rds.on(DeleteDBInstanceCommand).resolves({});
    rds.on(DeleteDBClusterCommand).resolves({});
    await expect(setup().provider.cleanup(RUN, { finalSnapshot: true })).resolves.toEqual({
      deleted: [WRITER_ID, CLUSTER_ID],
      finalSnapshot: `${CLUSTER_ID}-final`,
    });
    expect(rds.commandCalls(DeleteDBClusterCommand).map((call) => call.args[0].input)).toEqual([
      { DBClusterIdentifier: CLUSTER_ID, FinalDBSnapshotIdentifier: `${CLUSTER_ID}-final`, SkipFinalSnapshot: false },
    ]);
    expect(await allRegions()).toEqual(["us-west-2"]);
  });

  it("leaves a cluster of another run alone", async () => {
    rds.on(DescribeDBInstancesCommand).rejects(instanceNotFound(WRITER_ID));
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ ...cluster("available"), TagList: tags(OTHER_RUN) }] });
    await expect(setup().provider.cleanup(RUN, { finalSnapshot: true })).resolves.toEqual({ deleted: [], finalSnapshot: null });
    expect(rds.commandCalls(DeleteDBClusterCommand)).toHaveLength(0);
  });
});
