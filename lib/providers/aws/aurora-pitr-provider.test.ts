import { rmSync } from "node:fs";
import path from "node:path";
import {
  CreateDBInstanceCommand,
  DBClusterAlreadyExistsFault,
  DBClusterNotFoundFault,
  DBClusterSnapshotAlreadyExistsFault,
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  InvalidDBClusterStateFault,
  InvalidRestoreFault,
  KMSKeyNotAccessibleFault,
  ModifyDBClusterCommand,
  RDSClient,
  RestoreDBClusterToPointInTimeCommand,
  type DBCluster,
  type DBInstance,
  type RestoreDBClusterToPointInTimeCommandInput,
  type Tag,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { AuroraPitrProvider, type AuroraPitrSource } from "@/lib/providers/aws/aurora-pitr-provider";
import { INVALID_TIME_ADVICE, isValidRdsIdentifier, restoredIdentifier } from "@/lib/providers/aws/rds-common";
import {
  NameCollisionError,
  PitrAccessDeniedError,
  PitrFailedError,
  PitrTimeoutError,
  RestoreWindowError,
  ThrottledError,
} from "@/lib/providers/pitr";
import { describePitrContract } from "@/lib/providers/pitr-contract";
import { certificateDir, makeCertificateAuthority } from "@/lib/testing/certificates";
import { RDS_GLOBAL_BUNDLE_URL } from "@/lib/providers/aws/rds-ca-bundle";

const rds = mockClient(RDSClient);
beforeEach(() => rds.reset());
// A real PEM file for caBundleFile: preflight reads and parses it.
const CERTS = certificateDir();
const CA_BUNDLE = makeCertificateAuthority(CERTS, "Test RDS CA").certFile;
afterAll(() => {
  rds.restore();
  rmSync(CERTS, { recursive: true, force: true });
});

const SOURCE_ID = "loanserve-prod-aurora";
const RUN = "run-1";
const OTHER_RUN = "run-2";
// restoredIdentifier hashes the run id: sha256("run-1") starts with 4e65d3fb.
const CLUSTER_ID = "loanserve-prod-aurora-restore-4e65d3fb";
const WRITER_ID = "loanserve-prod-aurora-restore-4e65d3fb-writer";
const NOW = new Date("2025-10-01T12:00:00Z");
const EARLIEST = new Date("2025-09-24T00:00:00Z");
const LATEST = new Date("2025-10-01T11:55:00Z");
const INSIDE = new Date("2025-10-01T03:10:00Z");

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
};

const SOURCE_CLUSTER: DBCluster = {
  DBClusterIdentifier: SOURCE_ID,
  Status: "available",
  EarliestRestorableTime: EARLIEST,
  LatestRestorableTime: LATEST,
  DBSubnetGroup: "prod-db-subnets",
  VpcSecurityGroups: [
    { VpcSecurityGroupId: "sg-0aaaaaaaaaaaaaaaa", Status: "active" },
    { VpcSecurityGroupId: "sg-0bbbbbbbbbbbbbbbb", Status: "active" },
  ],
  DBClusterParameterGroup: "prod-aurora-pg16",
  KmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/source-key",
  IAMDatabaseAuthenticationEnabled: true,
  ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16, SecondsUntilAutoPause: 300 },
};

const tags = (runId: string): Tag[] => [
  { Key: "restore-console:run-id", Value: runId },
  { Key: "restore-console:source", Value: SOURCE_ID },
];

const notFound = (id: string) => new DBClusterNotFoundFault({ message: `DBCluster ${id} not found.`, $metadata: {} });
const instanceNotFound = (id: string) => new DBInstanceNotFoundFault({ message: `DBInstance ${id} not found.`, $metadata: {} });
const named = (name: string, message: string) => Object.assign(new Error(message), { name });
const throttled = () => named("ThrottlingException", "Rate exceeded");
const accessDenied = (action: string) =>
  named(
    "AccessDenied",
    `User: arn:aws:sts::111122223333:assumed-role/restore-console/worker is not authorized to perform: ${action} on resource: arn:aws:rds:us-east-1:111122223333:cluster:${SOURCE_ID} because no identity-based policy allows the ${action} action`,
  );

/** A provider on a fake clock: sleeping advances time instantly; logs and sleeps are recorded. */
function setup(config: AuroraPitrSource = CONFIG) {
  let time = NOW.getTime();
  const sleeps: number[] = [];
  const logs: string[] = [];
  const provider = new AuroraPitrProvider(new RDSClient({ region: "us-east-1" }), config, {
    now: () => new Date(time),
    sleep: async (ms) => {
      sleeps.push(ms);
      time += ms;
    },
    random: () => 1,
  });
  return { provider, sleeps, logs, ctx: { log: (message: string) => logs.push(message) } };
}

/** The source describes with a full window; the restored identifiers are free. */
function givenSource(cluster: DBCluster = SOURCE_CLUSTER) {
  rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: SOURCE_ID }).resolves({ DBClusters: [cluster] });
  rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: CLUSTER_ID }).rejects(notFound(CLUSTER_ID));
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: WRITER_ID }).rejects(instanceNotFound(WRITER_ID));
}

const restoreInputs = () => rds.commandCalls(RestoreDBClusterToPointInTimeCommand).map((call) => call.args[0].input);
const commandNames = () => rds.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ""));

describePitrContract("AuroraPitrProvider", {
  createProvider: () => {
    rds.reset();
    givenSource();
    return setup().provider;
  },
  pickTimes: (window) => ({
    inside: new Date(window.latest.getTime() - 60_000),
    before: new Date(window.earliest.getTime() - 1000),
    after: new Date(window.latest.getTime() + 1000),
  }),
  isValidIdentifier: isValidRdsIdentifier,
  expectNothingStarted: () => {
    expect(rds.commandCalls(RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
    expect(rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(0);
  },
});

describe("restored identifiers", () => {
  it("are <prefix>-<8 hex of the run id's hash> and <cluster>-writer", () => {
    expect(setup().provider.resourceIdentifiers(RUN)).toEqual([CLUSTER_ID, WRITER_ID]);
  });

  it("shorten a long prefix so the writer stays within 63 characters, without a trailing hyphen", () => {
    const prefix = `${"a".repeat(46)}-bbbbbbbbbbbbbbbb`;
    const [cluster, writer] = setup({ ...CONFIG, restoredIdentifierPrefix: prefix }).provider.resourceIdentifiers(RUN);
    expect(cluster).toBe(`${"a".repeat(46)}-4e65d3fb`);
    expect(writer).toHaveLength(`${"a".repeat(46)}-4e65d3fb-writer`.length);
    for (const id of [cluster, writer]) expect(isValidRdsIdentifier(id ?? ""), id).toBe(true);
    expect(restoredIdentifier("x".repeat(63), RUN, "-writer".length).length + "-writer".length).toBe(63);
  });

  it("are lowercase, start with a letter and have no double hyphens, whatever the prefix", () => {
    expect(restoredIdentifier("Prod-Aurora", RUN)).toBe("prod-aurora-4e65d3fb");
    expect(restoredIdentifier("9-prod--db_copy", RUN)).toBe("prod-db-copy-4e65d3fb");
    expect(restoredIdentifier("---", RUN)).toBe("restore-4e65d3fb");
    for (const prefix of ["Prod-Aurora", "9-prod--db_copy", "---", "a", `${"ab-".repeat(30)}`]) {
      expect(isValidRdsIdentifier(restoredIdentifier(prefix, RUN, 7) + "-writer"), prefix).toBe(true);
    }
  });

  it("differ between runs and repeat for the same run", () => {
    const { provider } = setup();
    expect(provider.resourceIdentifiers(RUN)).toEqual(provider.resourceIdentifiers(RUN));
    expect(provider.resourceIdentifiers(OTHER_RUN)[0]).toBe("loanserve-prod-aurora-restore-b9d17232");
  });
});

describe("describeWindow", () => {
  it("reads EarliestRestorableTime and LatestRestorableTime of the source cluster", async () => {
    givenSource();
    const window = await setup().provider.describeWindow();
    expect(window).toEqual({ earliest: EARLIEST, latest: LATEST, lagSeconds: 300, describedAt: NOW, notes: [] });
    expect(rds.commandCalls(DescribeDBClustersCommand).map((call) => call.args[0].input)).toEqual([{ DBClusterIdentifier: SOURCE_ID }]);
  });

  it("says so when RDS reports neither time, and then refuses a chosen time without calling the restore API", async () => {
    givenSource({ ...SOURCE_CLUSTER, EarliestRestorableTime: undefined, LatestRestorableTime: undefined });
    const { provider } = setup();
    const window = await provider.describeWindow();
    expect(window).toMatchObject({ earliest: null, latest: null, lagSeconds: null });
    expect(window.notes).toHaveLength(2);
    expect(window.notes[0]).toMatch(/earliest restorable time .* is unknown/);
    expect(window.notes[1]).toMatch(/did not report LatestRestorableTime/);
    const restoring = provider.restore(RUN, { kind: "time", time: INSIDE });
    await expect(restoring).rejects.toBeInstanceOf(RestoreWindowError);
    await expect(restoring).rejects.toThrow(INVALID_TIME_ADVICE);
    expect(restoreInputs()).toEqual([]);
  });
});

describe("restore", () => {
  it("refuses a time outside a freshly described window without calling the restore API", async () => {
    givenSource();
    const { provider } = setup();
    const after = provider.restore(RUN, { kind: "time", time: new Date("2025-10-01T11:58:00Z") });
    await expect(after).rejects.toBeInstanceOf(RestoreWindowError);
    await expect(after).rejects.toThrow("is after the latest restorable time 2025-10-01T11:55:00Z (UTC)");
    const before = provider.restore(RUN, { kind: "time", time: new Date("2025-09-01T00:00:00Z") });
    await expect(before).rejects.toThrow("is before the earliest restorable time 2025-09-24T00:00:00Z (UTC)");
    expect(restoreInputs()).toEqual([]);
  });

  it("passes the configured subnet group, security groups, parameter group, KMS key and IAM auth explicitly", async () => {
    givenSource();
    rds.on(RestoreDBClusterToPointInTimeCommand).resolves({ DBCluster: { DBClusterIdentifier: CLUSTER_ID } });
    const { provider } = setup({
      ...CONFIG,
      dbSubnetGroupName: "dr-subnets",
      vpcSecurityGroupIds: ["sg-0123456789abcdef0"],
      dbClusterParameterGroupName: "dr-aurora-pg16",
      kmsKeyId: "alias/dr-restores",
      enableIamAuth: false,
    });
    await expect(provider.restore(RUN, { kind: "time", time: INSIDE })).resolves.toEqual({ identifier: CLUSTER_ID, adopted: false });
    expect(restoreInputs()).toEqual([
      {
        DBClusterIdentifier: CLUSTER_ID,
        SourceDBClusterIdentifier: SOURCE_ID,
        RestoreToTime: INSIDE,
        DBSubnetGroupName: "dr-subnets",
        VpcSecurityGroupIds: ["sg-0123456789abcdef0"],
        DBClusterParameterGroupName: "dr-aurora-pg16",
        KmsKeyId: "alias/dr-restores",
        EnableIAMDatabaseAuthentication: false,
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 },
        DeletionProtection: true,
        CopyTagsToSnapshot: true,
        Tags: [...tags(RUN), { Key: "restore-console:restored-to", Value: "2025-10-01T03:10:00.000Z" }],
      },
    ]);
  });

  it("copies the settings the API does not copy from the source cluster when the configuration leaves them unset", async () => {
    givenSource({ ...SOURCE_CLUSTER, ServerlessV2ScalingConfiguration: undefined });
    rds.on(RestoreDBClusterToPointInTimeCommand).resolves({});
    await setup().provider.restore(RUN, { kind: "time", time: INSIDE });
    const [input] = restoreInputs();
    expect(input).toEqual({
      DBClusterIdentifier: CLUSTER_ID,
      SourceDBClusterIdentifier: SOURCE_ID,
      RestoreToTime: INSIDE,
      DBSubnetGroupName: "prod-db-subnets",
      VpcSecurityGroupIds: ["sg-0aaaaaaaaaaaaaaaa", "sg-0bbbbbbbbbbbbbbbb"],
      DBClusterParameterGroupName: "prod-aurora-pg16",
      KmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/source-key",
      EnableIAMDatabaseAuthentication: true,
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      Tags: [...tags(RUN), { Key: "restore-console:restored-to", Value: "2025-10-01T03:10:00.000Z" }],
    });
    expect(input).not.toHaveProperty("ServerlessV2ScalingConfiguration");
  });

  it("asks for the latest restorable time with UseLatestRestorableTime and no RestoreToTime", async () => {
    givenSource();
    rds.on(RestoreDBClusterToPointInTimeCommand).resolves({});
    await setup().provider.restore(RUN, { kind: "latest" });
    const [input] = restoreInputs();
    expect(input).toMatchObject({ DBClusterIdentifier: CLUSTER_ID, UseLatestRestorableTime: true });
    expect(input).not.toHaveProperty("RestoreToTime");
    expect(input?.Tags).toContainEqual({ Key: "restore-console:restored-to", Value: "latest" });
  });

  it("retries while RDS throttles, logging each retry, without really sleeping", async () => {
    rds
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: SOURCE_ID })
      .rejectsOnce(throttled())
      .rejectsOnce(named("RequestLimitExceeded", "Request limit exceeded"))
      .resolves({ DBClusters: [SOURCE_CLUSTER] });
    rds.on(RestoreDBClusterToPointInTimeCommand).rejectsOnce(named("TooManyRequestsException", "Slow down")).resolves({});
    const { provider, sleeps, logs, ctx } = setup();
    await expect(provider.restore(RUN, { kind: "latest" }, ctx)).resolves.toEqual({ identifier: CLUSTER_ID, adopted: false });
    expect(sleeps).toEqual([2000, 4000, 2000]);
    expect(logs).toEqual([
      "RDS throttled DescribeDBClusters; retrying in 2 s (attempt 2 of 6)",
      "RDS throttled DescribeDBClusters; retrying in 4 s (attempt 3 of 6)",
      `Restoring DB cluster "${CLUSTER_ID}" from "${SOURCE_ID}" to the latest restorable time`,
      "RDS throttled RestoreDBClusterToPointInTime; retrying in 2 s (attempt 2 of 6)",
    ]);
    expect(restoreInputs()).toHaveLength(2);
  });

  it("gives up with ThrottledError after six throttled attempts", async () => {
    rds.on(DescribeDBClustersCommand).rejects(throttled());
    const { provider, sleeps } = setup();
    await expect(provider.restore(RUN, { kind: "latest" })).rejects.toBeInstanceOf(ThrottledError);
    expect(rds.commandCalls(DescribeDBClustersCommand)).toHaveLength(6);
    expect(sleeps).toEqual([2000, 4000, 8000, 16000, 20000]);
    expect(restoreInputs()).toEqual([]);
  });

  it("retries a transient server error too", async () => {
    givenSource();
    rds
      .on(RestoreDBClusterToPointInTimeCommand)
      .rejectsOnce(Object.assign(named("InternalFailure", "Internal failure"), { $metadata: { httpStatusCode: 500 } }))
      .resolves({});
    const { provider, logs, ctx } = setup();
    await provider.restore(RUN, { kind: "latest" }, ctx);
    expect(logs).toContain("RDS RestoreDBClusterToPointInTime failed temporarily (InternalFailure); retrying in 2 s (attempt 2 of 6)");
  });

  it("after a crash following the restore call, adopts the cluster it created instead of creating a second one", async () => {
    givenSource();
    const clusters = new Map<string, DBCluster>();
    rds.on(RestoreDBClusterToPointInTimeCommand).callsFake((input: RestoreDBClusterToPointInTimeCommandInput) => {
      const id = input.DBClusterIdentifier ?? "";
      if (clusters.has(id)) throw new DBClusterAlreadyExistsFault({ message: "DB cluster already exists", $metadata: {} });
      clusters.set(id, { DBClusterIdentifier: id, Status: "creating", TagList: input.Tags });
      return { DBCluster: clusters.get(id) };
    });
    rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: CLUSTER_ID }).callsFake(() => {
      const cluster = clusters.get(CLUSTER_ID);
      if (!cluster) throw notFound(CLUSTER_ID);
      return { DBClusters: [cluster] };
    });
    const target = { kind: "time", time: INSIDE } as const;
    await expect(setup().provider.restore(RUN, target)).resolves.toEqual({ identifier: CLUSTER_ID, adopted: false });
    // The worker dies here; a new one runs the step again.
    const { provider, logs, ctx } = setup();
    await expect(provider.restore(RUN, target, ctx)).resolves.toEqual({ identifier: CLUSTER_ID, adopted: true });
    expect([...clusters.keys()]).toEqual([CLUSTER_ID]);
    const inputs = restoreInputs();
    expect(inputs).toHaveLength(2);
    expect(inputs[1]).toEqual(inputs[0]);
    expect(logs.at(-1)).toMatch(/already exists with this run's tag; adopting it/);
  });

  it("refuses a cluster of the same name that carries another run's tag, naming it and what to do", async () => {
    givenSource();
    rds
      .on(RestoreDBClusterToPointInTimeCommand)
      .rejects(new DBClusterAlreadyExistsFault({ message: "DB cluster already exists", $metadata: {} }));
    rds
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: CLUSTER_ID })
      .resolves({ DBClusters: [{ DBClusterIdentifier: CLUSTER_ID, TagList: tags(OTHER_RUN) }] });
    const restoring = setup().provider.restore(RUN, { kind: "latest" });
    await expect(restoring).rejects.toBeInstanceOf(NameCollisionError);
    await expect(restoring).rejects.toThrow(
      `DB cluster "${CLUSTER_ID}" already exists and is not this run's: it belongs to run ${OTHER_RUN}`,
    );
    await expect(restoring).rejects.toThrow(/restoredIdentifierPrefix/);
  });

  it("maps InvalidRestoreFault about the time to RestoreWindowError with the runbook's advice", async () => {
    givenSource();
    rds
      .on(RestoreDBClusterToPointInTimeCommand)
      .rejects(new InvalidRestoreFault({ message: "The restore time is not valid.", $metadata: {} }));
    const restoring = setup().provider.restore(RUN, { kind: "time", time: INSIDE });
    await expect(restoring).rejects.toBeInstanceOf(RestoreWindowError);
    await expect(restoring).rejects.toThrow(`RDS said: "The restore time is not valid". ${INVALID_TIME_ADVICE}`);
  });

  it("maps KMSKeyNotAccessibleFault to PitrFailedError saying what to fix", async () => {
    givenSource();
    rds.on(RestoreDBClusterToPointInTimeCommand).rejects(new KMSKeyNotAccessibleFault({ message: "Key is disabled", $metadata: {} }));
    const restoring = setup().provider.restore(RUN, { kind: "latest" });
    await expect(restoring).rejects.toBeInstanceOf(PitrFailedError);
    await expect(restoring).rejects.toThrow(/KMS key .* Fix access to the key/);
  });

  it("names the missing permission when AWS denies the restore", async () => {
    givenSource();
    rds.on(RestoreDBClusterToPointInTimeCommand).rejects(accessDenied("rds:RestoreDBClusterToPointInTime"));
    const restoring = setup().provider.restore(RUN, { kind: "latest" });
    await expect(restoring).rejects.toBeInstanceOf(PitrAccessDeniedError);
    await expect(restoring).rejects.toThrow(
      /^AWS denied rds:RestoreDBClusterToPointInTime \(during RestoreDBClusterToPointInTime\)\. Grant it/,
    );
    expect(restoreInputs()).toHaveLength(1);
  });
});

describe("createWriter", () => {
  it("creates the writer in the restored cluster with the configured class and parameter group, tagged", async () => {
    rds.on(CreateDBInstanceCommand).resolves({});
    const { provider } = setup({ ...CONFIG, writerInstanceClass: "db.r7g.xlarge", dbParameterGroupName: "prod-aurora-instance-pg16" });
    await expect(provider.createWriter(RUN)).resolves.toEqual({ identifier: WRITER_ID, adopted: false });
    expect(rds.commandCalls(CreateDBInstanceCommand).map((call) => call.args[0].input)).toEqual([
      {
        DBInstanceIdentifier: WRITER_ID,
        DBClusterIdentifier: CLUSTER_ID,
        DBInstanceClass: "db.r7g.xlarge",
        Engine: "aurora-postgresql",
        DBParameterGroupName: "prod-aurora-instance-pg16",
        Tags: tags(RUN),
      },
    ]);
  });

  it("uses db.r6g.large and the engine default parameter group when the configuration says nothing", async () => {
    rds.on(CreateDBInstanceCommand).resolves({});
    await setup().provider.createWriter(RUN);
    expect(rds.commandCalls(CreateDBInstanceCommand)[0]?.args[0].input).toEqual({
      DBInstanceIdentifier: WRITER_ID,
      DBClusterIdentifier: CLUSTER_ID,
      DBInstanceClass: "db.r6g.large",
      Engine: "aurora-postgresql",
      Tags: tags(RUN),
    });
  });

  it("adopts a writer of the same name carrying this run's tag, and refuses one carrying none", async () => {
    rds.on(CreateDBInstanceCommand).rejects(new DBInstanceAlreadyExistsFault({ message: "DB instance already exists", $metadata: {} }));
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: WRITER_ID })
      .resolvesOnce({ DBInstances: [{ TagList: tags(RUN) }] })
      .resolves({ DBInstances: [{ TagList: [] }] });
    await expect(setup().provider.createWriter(RUN)).resolves.toEqual({ identifier: WRITER_ID, adopted: true });
    const again = setup().provider.createWriter(RUN);
    await expect(again).rejects.toBeInstanceOf(NameCollisionError);
    await expect(again).rejects.toThrow("it has no restore-console:run-id tag");
  });
});

describe("waitUntilAvailable", () => {
  const cluster = (Status: string): DBCluster => ({
    DBClusterIdentifier: CLUSTER_ID,
    Status,
    Endpoint: `${CLUSTER_ID}.cluster-abc.us-east-1.rds.amazonaws.com`,
    Port: 5432,
    TagList: tags(RUN),
  });
  const writer = (DBInstanceStatus: string): DBInstance => ({ DBInstanceIdentifier: WRITER_ID, DBInstanceStatus, TagList: tags(RUN) });

  it("polls every interval until cluster and writer are available, logging each status change", async () => {
    rds
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: CLUSTER_ID })
      .resolvesOnce({ DBClusters: [cluster("creating")] })
      .resolvesOnce({ DBClusters: [cluster("backing-up")] })
      .resolves({ DBClusters: [cluster("available")] });
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: WRITER_ID })
      .resolvesOnce({ DBInstances: [writer("creating")] })
      .resolvesOnce({ DBInstances: [writer("creating")] })
      .resolves({ DBInstances: [writer("available")] });
    const { provider, sleeps, logs } = setup();
    const endpoint = await provider.waitUntilAvailable(RUN, { timeoutMs: 3_600_000, log: (m) => logs.push(m) });
    expect(endpoint).toEqual({
      host: `${CLUSTER_ID}.cluster-abc.us-east-1.rds.amazonaws.com`,
      port: 5432,
      database: "loanserve",
      user: "loanserve",
      identifier: CLUSTER_ID,
    });
    expect(sleeps).toEqual([15_000, 15_000]);
    expect(logs).toEqual([
      `DB cluster "${CLUSTER_ID}" is creating`,
      `writer instance "${WRITER_ID}" is creating`,
      `DB cluster "${CLUSTER_ID}": creating → backing-up`,
      `DB cluster "${CLUSTER_ID}": backing-up → available`,
      `writer instance "${WRITER_ID}": creating → available`,
    ]);
    expect(rds.commandCalls(DescribeDBClustersCommand)[0]?.args[0].input).toEqual({ DBClusterIdentifier: CLUSTER_ID });
    expect(rds.commandCalls(DescribeDBInstancesCommand)[0]?.args[0].input).toEqual({ DBInstanceIdentifier: WRITER_ID });
  });

  it("stops at the explicit maximum with PitrTimeoutError", async () => {
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [cluster("creating")] });
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [writer("creating")] });
    const { provider, sleeps } = setup();
    const waiting = provider.waitUntilAvailable(RUN, { timeoutMs: 60_000 });
    await expect(waiting).rejects.toBeInstanceOf(PitrTimeoutError);
    await expect(waiting).rejects.toThrow(
      `Not available after 60 s (DB cluster "${CLUSTER_ID}" is creating; writer instance "${WRITER_ID}" is creating)`,
    );
    expect(sleeps).toEqual([15_000, 15_000, 15_000, 15_000]);
  });

  it("fails fast on incompatible-parameters instead of waiting for the maximum", async () => {
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [cluster("creating")] });
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [writer("incompatible-parameters")] });
    const { provider, sleeps } = setup();
    const waiting = provider.waitUntilAvailable(RUN, { timeoutMs: 3_600_000 });
    await expect(waiting).rejects.toBeInstanceOf(PitrFailedError);
    await expect(waiting).rejects.not.toBeInstanceOf(PitrTimeoutError);
    await expect(waiting).rejects.toThrow(/is incompatible-parameters\. A parameter group setting is invalid/);
    expect(sleeps).toEqual([]);
  });

  it("fails fast with PitrAccessDeniedError when access is denied during the wait, without polling again", async () => {
    rds
      .on(DescribeDBClustersCommand)
      .resolvesOnce({ DBClusters: [cluster("creating")] })
      .rejects(accessDenied("rds:DescribeDBClusters"));
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [writer("creating")] });
    const { provider, sleeps } = setup();
    const waiting = provider.waitUntilAvailable(RUN, { timeoutMs: 3_600_000 });
    await expect(waiting).rejects.toBeInstanceOf(PitrAccessDeniedError);
    await expect(waiting).rejects.toThrow("AWS denied rds:DescribeDBClusters");
    expect(rds.commandCalls(DescribeDBClustersCommand)).toHaveLength(2);
    expect(sleeps).toEqual([15_000]);
  });

  it("fails fast when the writer disappears after it existed", async () => {
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [cluster("creating")] });
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [writer("creating")] })
      .rejects(instanceNotFound(WRITER_ID));
    const waiting = setup().provider.waitUntilAvailable(RUN, { timeoutMs: 3_600_000 });
    await expect(waiting).rejects.toBeInstanceOf(PitrFailedError);
    await expect(waiting).rejects.toThrow(`writer instance "${WRITER_ID}" disappeared while waiting (it was creating)`);
  });
});

describe("cleanup", () => {
  const SNAPSHOT_ID = `${CLUSTER_ID}-final`;
  const ourWriter = (status = "available"): DBInstance => ({
    DBInstanceIdentifier: WRITER_ID,
    DBInstanceStatus: status,
    TagList: tags(RUN),
  });
  const ourCluster = (extra: Partial<DBCluster> = {}): DBCluster => ({
    DBClusterIdentifier: CLUSTER_ID,
    Status: "available",
    TagList: tags(RUN),
    DeletionProtection: true,
    ...extra,
  });
  const inputsOf = <T>(calls: Array<{ args: [{ input: T }] }>) => calls.map((call) => call.args[0].input);
  const snapshotExists = () =>
    new DBClusterSnapshotAlreadyExistsFault({
      message: `Cannot create the cluster snapshot because one with the identifier ${SNAPSHOT_ID} already exists.`,
      $metadata: {},
    });
  const invalidState = () =>
    new InvalidDBClusterStateFault({ message: `DB cluster ${CLUSTER_ID} is not currently in the available state.`, $metadata: {} });

  function given(writer: DBInstance | null = ourWriter(), cluster: DBCluster | null = ourCluster()) {
    if (writer) rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [writer] });
    else rds.on(DescribeDBInstancesCommand).rejects(instanceNotFound(WRITER_ID));
    if (cluster) rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [cluster] });
    else rds.on(DescribeDBClustersCommand).rejects(notFound(CLUSTER_ID));
    rds.on(ModifyDBClusterCommand).resolves({});
    rds.on(DeleteDBInstanceCommand).resolves({});
    rds.on(DeleteDBClusterCommand).resolves({});
  }

  it("lifts the cluster's deletion protection first, then deletes the writer and the cluster, keeping a final snapshot", async () => {
    given();
    const { provider, logs, ctx } = setup();
    await expect(provider.cleanup(RUN, { finalSnapshot: true }, ctx)).resolves.toEqual({
      deleted: [WRITER_ID, CLUSTER_ID],
      finalSnapshot: SNAPSHOT_ID,
    });
    expect(commandNames()).toEqual(["DescribeDBInstances", "DescribeDBClusters", "ModifyDBCluster", "DeleteDBInstance", "DeleteDBCluster"]);
    expect(inputsOf(rds.commandCalls(ModifyDBClusterCommand))).toEqual([
      { DBClusterIdentifier: CLUSTER_ID, DeletionProtection: false, ApplyImmediately: true },
    ]);
    // An Aurora member has no snapshot or protection of its own: RDS refuses FinalDBSnapshotIdentifier there.
    expect(inputsOf(rds.commandCalls(DeleteDBInstanceCommand))).toEqual([{ DBInstanceIdentifier: WRITER_ID }]);
    expect(inputsOf(rds.commandCalls(DeleteDBClusterCommand))).toEqual([
      { DBClusterIdentifier: CLUSTER_ID, FinalDBSnapshotIdentifier: SNAPSHOT_ID, SkipFinalSnapshot: false },
    ]);
    expect(logs).toEqual([
      `Lifting deletion protection on DB cluster "${CLUSTER_ID}"`,
      `Deleting writer instance "${WRITER_ID}"`,
      `Deleting DB cluster "${CLUSTER_ID}", keeping the final snapshot "${SNAPSHOT_ID}"`,
    ]);
  });

  it("skips the final snapshot only when asked, and does not modify a cluster that is not protected", async () => {
    given(ourWriter(), ourCluster({ DeletionProtection: false }));
    const { provider, logs, ctx } = setup();
    await expect(provider.cleanup(RUN, { finalSnapshot: false }, ctx)).resolves.toEqual({
      deleted: [WRITER_ID, CLUSTER_ID],
      finalSnapshot: null,
    });
    expect(rds.commandCalls(ModifyDBClusterCommand)).toHaveLength(0);
    expect(inputsOf(rds.commandCalls(DeleteDBClusterCommand))).toEqual([{ DBClusterIdentifier: CLUSTER_ID, SkipFinalSnapshot: true }]);
    expect(logs).toContain(`Deleting DB cluster "${CLUSTER_ID}" without a final snapshot (as asked)`);
  });

  it("treats a final snapshot of that name carrying this run's tag as taken: deletes the cluster without another", async () => {
    given();
    rds.on(DeleteDBClusterCommand).rejectsOnce(snapshotExists()).resolves({});
    rds
      .on(DescribeDBClusterSnapshotsCommand, { DBClusterSnapshotIdentifier: SNAPSHOT_ID })
      .resolves({ DBClusterSnapshots: [{ DBClusterSnapshotIdentifier: SNAPSHOT_ID, TagList: tags(RUN) }] });
    const { provider, logs, ctx } = setup();
    await expect(provider.cleanup(RUN, { finalSnapshot: true }, ctx)).resolves.toEqual({
      deleted: [WRITER_ID, CLUSTER_ID],
      finalSnapshot: SNAPSHOT_ID,
    });
    expect(inputsOf(rds.commandCalls(DeleteDBClusterCommand))).toEqual([
      { DBClusterIdentifier: CLUSTER_ID, FinalDBSnapshotIdentifier: SNAPSHOT_ID, SkipFinalSnapshot: false },
      { DBClusterIdentifier: CLUSTER_ID, SkipFinalSnapshot: true },
    ]);
    expect(logs.at(-1)).toBe(
      `The final snapshot "${SNAPSHOT_ID}" already exists with this run's tag (an earlier clean-up took it); deleting DB cluster "${CLUSTER_ID}" without another`,
    );
  });

  it("stops, with the cluster not deleted, when a snapshot of that name is not this run's", async () => {
    given();
    rds.on(DeleteDBClusterCommand).rejects(snapshotExists());
    rds
      .on(DescribeDBClusterSnapshotsCommand)
      .resolves({ DBClusterSnapshots: [{ DBClusterSnapshotIdentifier: SNAPSHOT_ID, TagList: tags(OTHER_RUN) }] });
    const cleaning = setup().provider.cleanup(RUN, { finalSnapshot: true });
    await expect(cleaning).rejects.toBeInstanceOf(NameCollisionError);
    await expect(cleaning).rejects.toThrow(
      `A snapshot named "${SNAPSHOT_ID}" already exists and is not this run's (it belongs to run ${OTHER_RUN})`,
    );
    expect(inputsOf(rds.commandCalls(DeleteDBClusterCommand))).toEqual([
      { DBClusterIdentifier: CLUSTER_ID, FinalDBSnapshotIdentifier: SNAPSHOT_ID, SkipFinalSnapshot: false },
    ]);
  });

  it("retries a throttled ModifyDBCluster and DeleteDBCluster, logging each retry", async () => {
    given();
    rds.on(ModifyDBClusterCommand).rejectsOnce(throttled()).resolves({});
    rds.on(DeleteDBClusterCommand).rejectsOnce(throttled()).resolves({});
    const { provider, logs, sleeps, ctx } = setup();
    await provider.cleanup(RUN, { finalSnapshot: true }, ctx);
    expect(rds.commandCalls(ModifyDBClusterCommand)).toHaveLength(2);
    expect(rds.commandCalls(DeleteDBClusterCommand)).toHaveLength(2);
    expect(sleeps).toEqual([2000, 2000]);
    expect(logs).toContain("RDS throttled ModifyDBCluster; retrying in 2 s (attempt 2 of 6)");
    expect(logs).toContain("RDS throttled DeleteDBCluster; retrying in 2 s (attempt 2 of 6)");
  });

  it("gives up with ThrottledError when RDS keeps throttling the modify, having deleted nothing", async () => {
    given();
    rds.on(ModifyDBClusterCommand).rejects(throttled());
    await expect(setup().provider.cleanup(RUN, { finalSnapshot: true })).rejects.toBeInstanceOf(ThrottledError);
    expect(rds.commandCalls(ModifyDBClusterCommand)).toHaveLength(6);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expect(rds.commandCalls(DeleteDBClusterCommand)).toHaveLength(0);
  });

  it("refuses with the runbook's advice when the cluster is in a state that allows no change, having deleted nothing", async () => {
    given();
    rds.on(ModifyDBClusterCommand).rejects(invalidState());
    const cleaning = setup().provider.cleanup(RUN, { finalSnapshot: true });
    await expect(cleaning).rejects.toBeInstanceOf(PitrFailedError);
    await expect(cleaning).rejects.toThrow(/ModifyDBCluster failed \(InvalidDBClusterStateFault\).*Wait until it is available, then retry/);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expect(rds.commandCalls(DeleteDBClusterCommand)).toHaveLength(0);
  });

  it("reports an invalid state on the delete itself as PitrFailedError", async () => {
    given(null, ourCluster({ DeletionProtection: false }));
    rds.on(DeleteDBClusterCommand).rejects(invalidState());
    await expect(setup().provider.cleanup(RUN, { finalSnapshot: true })).rejects.toThrow(
      /DeleteDBCluster failed \(InvalidDBClusterStateFault\)/,
    );
  });

  it("counts a cluster deleted by someone else meanwhile (not found on modify and delete) as done", async () => {
    given(null);
    rds.on(ModifyDBClusterCommand).rejects(notFound(CLUSTER_ID));
    rds.on(DeleteDBClusterCommand).rejects(notFound(CLUSTER_ID));
    const { provider, logs, ctx } = setup();
    await expect(provider.cleanup(RUN, { finalSnapshot: true }, ctx)).resolves.toEqual({ deleted: [CLUSTER_ID], finalSnapshot: null });
    expect(logs.at(-1)).toBe(`DB cluster "${CLUSTER_ID}" was deleted meanwhile by someone else: no final snapshot was taken`);
  });

  it("never lifts protection on or deletes a cluster without this run's tag, and logs why", async () => {
    given(null, ourCluster({ TagList: [{ Key: "team", Value: "payments" }] }));
    const { provider, logs, ctx } = setup();
    await expect(provider.cleanup(RUN, { finalSnapshot: true }, ctx)).resolves.toEqual({ deleted: [], finalSnapshot: null });
    expect(commandNames()).toEqual(["DescribeDBInstances", "DescribeDBClusters"]);
    expect(logs).toEqual([
      `Left DB cluster "${CLUSTER_ID}" alone: it has no restore-console:run-id tag, so this run did not create it`,
      `writer instance "${WRITER_ID}" is already gone`,
    ]);
  });

  it("is idempotent: resources already deleting are neither modified nor deleted again", async () => {
    given(ourWriter("deleting"), ourCluster({ Status: "deleting" }));
    await expect(setup().provider.cleanup(RUN, { finalSnapshot: true })).resolves.toEqual({
      deleted: [WRITER_ID, CLUSTER_ID],
      finalSnapshot: null,
    });
    expect(commandNames()).toEqual(["DescribeDBInstances", "DescribeDBClusters"]);
  });
});

describe("preflight", () => {
  it("passes with the window, free identifiers and a note on what only the restore can prove", async () => {
    givenSource();
    const result = await setup().provider.preflight(RUN, { kind: "time", time: INSIDE });
    expect(result).toEqual({
      ok: true,
      checks: [
        {
          name: "restore-window",
          ok: true,
          message:
            "2025-10-01T03:10:00Z (UTC) is inside the window 2025-09-24T00:00:00Z (UTC) to 2025-10-01T11:55:00Z (UTC) (latest lags by 300 s)",
        },
        { name: "identifiers", ok: true, message: `DB cluster "${CLUSTER_ID}" is free; DB instance "${WRITER_ID}" is free` },
        {
          name: "tls",
          ok: true,
          message: `TLS to the restored endpoint is verified (verify-full: certificate chain and host name) against ${CA_BUNDLE} (1 certificate).`,
        },
        {
          name: "permissions",
          ok: true,
          message: expect.stringContaining("rds:RestoreDBClusterToPointInTime, rds:CreateDBInstance, rds:AddTagsToResource"),
        },
      ],
    });
    expect(restoreInputs()).toEqual([]);
  });

  it("says an existing cluster of this run will be adopted, and refuses one of another run", async () => {
    givenSource();
    rds
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: CLUSTER_ID })
      .resolvesOnce({ DBClusters: [{ TagList: tags(RUN) }] })
      .resolves({ DBClusters: [{ TagList: tags(OTHER_RUN) }] });
    const { provider } = setup();
    const ours = await provider.preflight(RUN, { kind: "latest" });
    expect(ours.ok).toBe(true);
    expect(ours.checks[1]?.message).toContain(`DB cluster "${CLUSTER_ID}" exists with this run's tag and will be adopted`);
    const theirs = await provider.preflight(RUN, { kind: "latest" });
    expect(theirs.ok).toBe(false);
    expect(theirs.checks[1]).toMatchObject({
      name: "identifiers",
      ok: false,
      message: expect.stringContaining(`it belongs to run ${OTHER_RUN}`),
    });
  });

  it("reports access problems as failed checks naming the permission", async () => {
    rds.on(DescribeDBClustersCommand).rejects(accessDenied("rds:DescribeDBClusters"));
    const result = await setup().provider.preflight(RUN, { kind: "latest" });
    expect(result.ok).toBe(false);
    expect(result.checks.map((check) => [check.name, check.ok])).toEqual([
      ["restore-window", false],
      ["identifiers", false],
      ["tls", true],
      ["permissions", false],
    ]);
    expect(result.checks[3]?.message).toMatch(/^AWS denied rds:DescribeDBClusters/);
  });

  it("fails, before anything is created, when no CA bundle is configured, saying where AWS publishes it", async () => {
    givenSource();
    const { caBundleFile: _omitted, ...withoutBundle } = CONFIG;
    const result = await setup(withoutBundle).provider.preflight(RUN, { kind: "latest" });
    expect(result.ok).toBe(false);
    const tls = result.checks.find((check) => check.name === "tls");
    expect(tls?.ok).toBe(false);
    expect(tls?.message).toContain("this source has no caBundleFile");
    expect(tls?.message).toContain(RDS_GLOBAL_BUNDLE_URL);
    expect(restoreInputs()).toEqual([]);
  });

  it("fails when the CA bundle cannot be read or holds no certificate", async () => {
    givenSource();
    const missing = await setup({ ...CONFIG, caBundleFile: path.join(CERTS, "absent.pem") }).provider.preflight(RUN, { kind: "latest" });
    expect(missing.checks.find((check) => check.name === "tls")).toMatchObject({
      ok: false,
      message: expect.stringContaining("could not be read (ENOENT)"),
    });
    const notPem = await setup({ ...CONFIG, caBundleFile: path.join(CERTS, "Test-RDS-CA.key") }).provider.preflight(RUN, {
      kind: "latest",
    });
    expect(notPem.checks.find((check) => check.name === "tls")).toMatchObject({
      ok: false,
      message: expect.stringContaining("holds no PEM certificate"),
    });
  });
});
