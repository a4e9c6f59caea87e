import { rmSync } from "node:fs";
import {
  DBInstanceAlreadyExistsFault,
  DBInstanceAutomatedBackupNotFoundFault,
  DBInstanceNotFoundFault,
  DeleteDBInstanceCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  InvalidDBInstanceAutomatedBackupStateFault,
  ModifyDBInstanceCommand,
  RDSClient,
  RestoreDBInstanceToPointInTimeCommand,
  type DBInstance,
  type DBInstanceAutomatedBackup,
  type RestoreDBInstanceToPointInTimeCommandInput,
  type Tag,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createAwsPitrProvider } from "@/lib/providers/aws/create-pitr-provider";
import { isValidRdsIdentifier } from "@/lib/providers/aws/rds-common";
import { RdsInstancePitrProvider, type RdsInstancePitrSource } from "@/lib/providers/aws/rds-instance-pitr-provider";
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

const SOURCE_ID = "loanserve-prod";
const RUN = "run-1";
const OTHER_RUN = "run-2";
// sha256("run-1") starts with 4e65d3fb.
const TARGET_ID = "loanserve-prod-restore-4e65d3fb";
const NOW = new Date("2025-10-01T12:00:00Z");
const EARLIEST = new Date("2025-09-24T00:00:00Z");
const LATEST = new Date("2025-10-01T11:50:00Z");
const INSIDE = new Date("2025-10-01T03:10:00Z");
const BACKUPS_ARN = "arn:aws:rds:us-west-2:111122223333:auto-backup:ab-current";
const OLD_BACKUPS_ARN = "arn:aws:rds:us-west-2:111122223333:auto-backup:ab-recreated";

const CONFIG: RdsInstancePitrSource = {
  provider: "aws",
  engine: "postgres",
  region: "us-east-1",
  instanceIdentifier: SOURCE_ID,
  writerInstanceClass: "db.m6g.large",
  restoredIdentifierPrefix: `${SOURCE_ID}-restore`,
  database: "loanserve",
  user: "loanserve",
  caBundleFile: CA_BUNDLE,
  // The primary region's network: it does not exist in the DR region and must not be used there.
  dbSubnetGroupName: "prod-db-subnets",
  vpcSecurityGroupIds: ["sg-0aaaaaaaaaaaaaaaa"],
  dbParameterGroupName: "prod-pg16",
  dr: {
    region: "us-west-2",
    dbSubnetGroupName: "dr-db-subnets",
    vpcSecurityGroupIds: ["sg-0dddddddddddddddd"],
    dbParameterGroupName: "dr-pg16",
  },
};

/** The backups replicated from us-east-1, as DescribeDBInstanceAutomatedBackups reports them in us-west-2. */
const REPLICATED: DBInstanceAutomatedBackup = {
  DBInstanceArn: `arn:aws:rds:us-east-1:111122223333:db:${SOURCE_ID}`,
  DbiResourceId: "db-ABCDEFGHIJKLMNOPQRSTUVWXY1",
  Region: "us-east-1",
  DBInstanceIdentifier: SOURCE_ID,
  RestoreWindow: { EarliestTime: EARLIEST, LatestTime: LATEST },
  Status: "replicating",
  IAMDatabaseAuthenticationEnabled: true,
  DBInstanceAutomatedBackupsArn: BACKUPS_ARN,
};
/** An instance of the same name living in the DR region has automated backups of its own there. */
const DR_REGION_NAMESAKE: DBInstanceAutomatedBackup = {
  ...REPLICATED,
  DBInstanceArn: `arn:aws:rds:us-west-2:111122223333:db:${SOURCE_ID}`,
  Region: "us-west-2",
  Status: "active",
  RestoreWindow: { EarliestTime: EARLIEST, LatestTime: NOW },
  DBInstanceAutomatedBackupsArn: "arn:aws:rds:us-west-2:111122223333:auto-backup:ab-namesake",
};

const tags = (runId: string): Tag[] => [
  { Key: "restore-console:run-id", Value: runId },
  { Key: "restore-console:source", Value: SOURCE_ID },
];
const notFound = (id: string) => new DBInstanceNotFoundFault({ message: `DBInstance ${id} not found.`, $metadata: {} });
const BY_SOURCE = { Filters: [{ Name: "db-instance-id", Values: [SOURCE_ID] }] };

function setup(config: RdsInstancePitrSource = CONFIG) {
  const clock = fakeRdsClock(NOW, 10_000);
  return { ...clock, provider: createAwsPitrProvider(config, { ...clock.options, region: "dr" }) };
}

function givenReplicated(backups: DBInstanceAutomatedBackup[] = [DR_REGION_NAMESAKE, REPLICATED]) {
  rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({ DBInstanceAutomatedBackups: backups });
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: TARGET_ID }).rejects(notFound(TARGET_ID));
}

const restoreInputs = () => rds.commandCalls(RestoreDBInstanceToPointInTimeCommand).map((call) => call.args[0].input);
const backupQueries = () => rds.commandCalls(DescribeDBInstanceAutomatedBackupsCommand).map((call) => call.args[0].input);
const allRegions = async () => [...new Set(await regionsOf(rds.calls()))];

describePitrContract("RdsInstancePitrProvider in the DR region", {
  createProvider: () => {
    rds.reset();
    givenReplicated();
    return setup().provider;
  },
  pickTimes: (window) => ({
    inside: new Date(window.earliest.getTime() + 60_000),
    before: new Date(window.earliest.getTime() - 60_000),
    after: new Date(window.latest.getTime() + 60_000),
  }),
  isValidIdentifier: isValidRdsIdentifier,
  expectNothingStarted: () => expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toHaveLength(0),
});

describe("the DR provider", () => {
  it("is the instance provider, sending every call to the DR region and none to the source's", async () => {
    givenReplicated();
    const { provider } = setup();
    expect(provider).toBeInstanceOf(RdsInstancePitrProvider);
    expect(provider.kind).toBe("aws-rds-instance");
    await provider.preflight(RUN, { kind: "latest" });
    expect(rds.calls().length).toBeGreaterThan(0);
    expect(await allRegions()).toEqual(["us-west-2"]);
  });
});

describe("describeWindow", () => {
  it("reads the restore window of the backups replicated from the source's region, found by the source's identifier", async () => {
    givenReplicated();
    const window = await setup().provider.describeWindow();
    expect(window).toEqual({ earliest: EARLIEST, latest: LATEST, lagSeconds: 600, describedAt: NOW, notes: [] });
    expect(backupQueries()).toEqual([BY_SOURCE]);
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(0);
  });

  it("reads the configured replicated backups by ARN", async () => {
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({ DBInstanceAutomatedBackups: [REPLICATED] });
    const window = await setup({ ...CONFIG, dr: { region: "us-west-2", automatedBackupsArn: BACKUPS_ARN } }).provider.describeWindow();
    expect(window).toMatchObject({ earliest: EARLIEST, latest: LATEST });
    expect(backupQueries()).toEqual([{ DBInstanceAutomatedBackupsArn: BACKUPS_ARN }]);
  });

  it("follows every page of the answer", async () => {
    rds
      .on(DescribeDBInstanceAutomatedBackupsCommand)
      .resolvesOnce({ DBInstanceAutomatedBackups: [DR_REGION_NAMESAKE], Marker: "page-2" })
      .resolves({ DBInstanceAutomatedBackups: [REPLICATED] });
    await expect(setup().provider.describeWindow()).resolves.toMatchObject({ latest: LATEST });
    expect(backupQueries()).toEqual([BY_SOURCE, { ...BY_SOURCE, Marker: "page-2" }]);
  });

  it("takes the set restorable to the latest time when the instance was recreated under the same name, and says so", async () => {
    const older = {
      ...REPLICATED,
      DBInstanceAutomatedBackupsArn: OLD_BACKUPS_ARN,
      Status: "retained",
      RestoreWindow: { LatestTime: EARLIEST },
    };
    givenReplicated([older, REPLICATED]);
    const window = await setup().provider.describeWindow();
    expect(window.latest).toEqual(LATEST);
    expect(window.notes).toEqual([
      `2 sets of backups of "${SOURCE_ID}" replicated from us-east-1 are in us-west-2 (the instance was recreated under the same name?); using ${BACKUPS_ARN}, the one restorable to the latest time. Set dr.automatedBackupsArn to choose another.`,
    ]);
  });

  it("says what to do when no backups are replicated to the DR region", async () => {
    givenReplicated([DR_REGION_NAMESAKE]);
    const describing = setup().provider.describeWindow();
    await expect(describing).rejects.toBeInstanceOf(PitrResourceNotFoundError);
    await expect(describing).rejects.toThrow(
      `No automated backups of DB instance "${SOURCE_ID}" replicated from us-east-1 were found in us-west-2. Turn on automated backup replication to us-west-2 (StartDBInstanceAutomatedBackupsReplication), or set dr.automatedBackupsArn.`,
    );
  });

  it("reports configured backups that are gone, or that are another instance's, as not found", async () => {
    const config = { ...CONFIG, dr: { region: "us-west-2", automatedBackupsArn: BACKUPS_ARN } };
    rds
      .on(DescribeDBInstanceAutomatedBackupsCommand)
      .rejectsOnce(new DBInstanceAutomatedBackupNotFoundFault({ message: "not found", $metadata: {} }))
      .resolves({ DBInstanceAutomatedBackups: [{ ...REPLICATED, DBInstanceIdentifier: "loanserve-staging" }] });
    const gone = setup(config).provider.describeWindow();
    await expect(gone).rejects.toBeInstanceOf(PitrResourceNotFoundError);
    await expect(gone).rejects.toThrow(`The replicated automated backups ${BACKUPS_ARN} were not found in us-west-2.`);
    const another = setup(config).provider.describeWindow();
    await expect(another).rejects.toBeInstanceOf(PitrResourceNotFoundError);
    await expect(another).rejects.toThrow('names the replicated backups of DB instance "loanserve-staging", not of "loanserve-prod"');
  });

  it("fails with PitrAccessDeniedError naming the permission: without the replicated backups there is no window", async () => {
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).rejects(accessDenied("rds:DescribeDBInstanceAutomatedBackups"));
    const describing = setup().provider.describeWindow();
    await expect(describing).rejects.toBeInstanceOf(PitrAccessDeniedError);
    await expect(describing).rejects.toThrow(/^AWS denied rds:DescribeDBInstanceAutomatedBackups/);
  });

  it("retries throttling visibly, then gives up with ThrottledError", async () => {
    rds
      .on(DescribeDBInstanceAutomatedBackupsCommand)
      .rejectsOnce(throttled())
      .resolves({ DBInstanceAutomatedBackups: [REPLICATED] });
    const { provider, logs, ctx } = setup();
    await provider.describeWindow(ctx);
    expect(logs).toEqual(["RDS throttled DescribeDBInstanceAutomatedBackups; retrying in 2 s (attempt 2 of 6)"]);

    rds.reset();
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).rejects(throttled());
    const again = setup();
    await expect(again.provider.describeWindow()).rejects.toBeInstanceOf(ThrottledError);
    expect(rds.commandCalls(DescribeDBInstanceAutomatedBackupsCommand)).toHaveLength(6);
    expect(again.sleeps).toEqual([2000, 4000, 8000, 16000, 20000]);
  });
});

describe("restore", () => {
  it("restores from the replicated backups' ARN in the DR region, with the DR block's network and parameter group", async () => {
    givenReplicated();
    rds.on(RestoreDBInstanceToPointInTimeCommand).resolves({});
    const { provider, logs, ctx } = setup();
    await expect(provider.restore(RUN, { kind: "time", time: INSIDE }, ctx)).resolves.toEqual({ identifier: TARGET_ID, adopted: false });
    expect(restoreInputs()).toEqual([
      {
        SourceDBInstanceAutomatedBackupsArn: BACKUPS_ARN,
        TargetDBInstanceIdentifier: TARGET_ID,
        RestoreTime: INSIDE,
        DBInstanceClass: "db.m6g.large",
        DBSubnetGroupName: "dr-db-subnets",
        VpcSecurityGroupIds: ["sg-0dddddddddddddddd"],
        DBParameterGroupName: "dr-pg16",
        EnableIAMDatabaseAuthentication: true,
        DeletionProtection: true,
        CopyTagsToSnapshot: true,
        Tags: [...tags(RUN), { Key: "restore-console:restored-to", Value: "2025-10-01T03:10:00.000Z" }],
      },
    ]);
    expect(restoreInputs()[0]).not.toHaveProperty("SourceDBInstanceIdentifier");
    expect(await allRegions()).toEqual(["us-west-2"]);
    expect(logs).toEqual([
      `Restoring DB instance "${TARGET_ID}" from the replicated backups of DB instance "${SOURCE_ID}" in us-west-2 to 2025-10-01T03:10:00Z (UTC)`,
    ]);
  });

  it("uses the DR region's defaults, never the source region's network, when the DR block names none", async () => {
    givenReplicated();
    rds.on(RestoreDBInstanceToPointInTimeCommand).resolves({});
    await setup({ ...CONFIG, enableIamAuth: false, dr: { region: "us-west-2" } }).provider.restore(RUN, { kind: "latest" });
    const [input] = restoreInputs();
    expect(input).toEqual({
      SourceDBInstanceAutomatedBackupsArn: BACKUPS_ARN,
      TargetDBInstanceIdentifier: TARGET_ID,
      UseLatestRestorableTime: true,
      DBInstanceClass: "db.m6g.large",
      EnableIAMDatabaseAuthentication: false,
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      Tags: [...tags(RUN), { Key: "restore-console:restored-to", Value: "latest" }],
    });
    // The SDK leaves undefined fields out of the request.
    expect([input?.DBSubnetGroupName, input?.VpcSecurityGroupIds, input?.DBParameterGroupName, input?.RestoreTime]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("refuses a time outside the replicated window without calling the restore API", async () => {
    givenReplicated();
    const { provider } = setup();
    const after = provider.restore(RUN, { kind: "time", time: new Date("2025-10-01T11:55:00Z") });
    await expect(after).rejects.toBeInstanceOf(RestoreWindowError);
    await expect(after).rejects.toThrow("is after the latest restorable time 2025-10-01T11:50:00Z (UTC)");
    expect(restoreInputs()).toEqual([]);
  });

  it("adopts the instance an earlier attempt created, and refuses one of another run", async () => {
    givenReplicated();
    const instances = new Map<string, DBInstance>();
    rds.on(RestoreDBInstanceToPointInTimeCommand).callsFake((input: RestoreDBInstanceToPointInTimeCommandInput) => {
      const id = input.TargetDBInstanceIdentifier ?? "";
      if (instances.has(id)) throw new DBInstanceAlreadyExistsFault({ message: "DB instance already exists", $metadata: {} });
      instances.set(id, { DBInstanceIdentifier: id, DBInstanceStatus: "creating", TagList: input.Tags });
      return {};
    });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: TARGET_ID }).callsFake(() => {
      const instance = instances.get(TARGET_ID);
      if (!instance) throw notFound(TARGET_ID);
      return { DBInstances: [instance] };
    });
    await expect(setup().provider.restore(RUN, { kind: "latest" })).resolves.toEqual({ identifier: TARGET_ID, adopted: false });
    await expect(setup().provider.restore(RUN, { kind: "latest" })).resolves.toEqual({ identifier: TARGET_ID, adopted: true });
    expect([...instances.keys()]).toEqual([TARGET_ID]);

    instances.set(TARGET_ID, { DBInstanceIdentifier: TARGET_ID, TagList: tags(OTHER_RUN) });
    const theirs = setup().provider.restore(RUN, { kind: "latest" });
    await expect(theirs).rejects.toBeInstanceOf(NameCollisionError);
    await expect(theirs).rejects.toThrow(`DB instance "${TARGET_ID}" already exists and is not this run's: it belongs to run ${OTHER_RUN}`);
  });

  it("names the missing permission when AWS denies the restore", async () => {
    givenReplicated();
    rds.on(RestoreDBInstanceToPointInTimeCommand).rejects(accessDenied("rds:RestoreDBInstanceToPointInTime"));
    const restoring = setup().provider.restore(RUN, { kind: "latest" });
    await expect(restoring).rejects.toBeInstanceOf(PitrAccessDeniedError);
    await expect(restoring).rejects.toThrow(/^AWS denied rds:RestoreDBInstanceToPointInTime \(during RestoreDBInstanceToPointInTime\)/);
  });

  it("maps replicated backups in a state that allows no restore to PitrFailedError with advice", async () => {
    givenReplicated();
    rds
      .on(RestoreDBInstanceToPointInTimeCommand)
      .rejects(new InvalidDBInstanceAutomatedBackupStateFault({ message: "Automated backup is not available.", $metadata: {} }));
    const restoring = setup().provider.restore(RUN, { kind: "latest" });
    await expect(restoring).rejects.toBeInstanceOf(PitrFailedError);
    await expect(restoring).rejects.toThrow(
      /RestoreDBInstanceToPointInTime failed \(InvalidDBInstanceAutomatedBackupStateFault\).*still being created, or being deleted/,
    );
  });

  it("reports replicated backups deleted between the description and the restore as not found", async () => {
    givenReplicated();
    rds
      .on(RestoreDBInstanceToPointInTimeCommand)
      .rejects(new DBInstanceAutomatedBackupNotFoundFault({ message: "Automated backup not found.", $metadata: {} }));
    const restoring = setup().provider.restore(RUN, { kind: "latest" });
    await expect(restoring).rejects.toBeInstanceOf(PitrResourceNotFoundError);
    await expect(restoring).rejects.toThrow(/Check dr\.automatedBackupsArn/);
  });
});

describe("preflight", () => {
  it("checks the replicated window and the identifier in the DR region", async () => {
    givenReplicated();
    const result = await setup().provider.preflight(RUN, { kind: "time", time: INSIDE });
    expect(result.checks.map((check) => [check.name, check.ok, check.message])).toEqual([
      [
        "restore-window",
        true,
        "2025-10-01T03:10:00Z (UTC) is inside the window 2025-09-24T00:00:00Z (UTC) to 2025-10-01T11:50:00Z (UTC) (latest lags by 600 s)",
      ],
      ["identifiers", true, `DB instance "${TARGET_ID}" is free`],
      ["tls", true, expect.stringContaining(CA_BUNDLE)],
      ["permissions", true, expect.stringContaining("rds:RestoreDBInstanceToPointInTime, rds:AddTagsToResource")],
    ]);
    expect(result.ok).toBe(true);
  });
});

describe("waitUntilAvailable and cleanup", () => {
  const target = (DBInstanceStatus: string, extra: Partial<DBInstance> = {}): DBInstance => ({
    DBInstanceIdentifier: TARGET_ID,
    DBInstanceStatus,
    Endpoint: { Address: `${TARGET_ID}.xyz.us-west-2.rds.amazonaws.com`, Port: 5432 },
    TagList: tags(RUN),
    ...extra,
  });

  it("waits for the restored instance in the DR region and returns its endpoint", async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: TARGET_ID })
      .resolvesOnce({ DBInstances: [target("creating")] })
      .resolves({ DBInstances: [target("available")] });
    const { provider, sleeps } = setup();
    await expect(provider.waitUntilAvailable(RUN, { timeoutMs: 3_600_000 })).resolves.toEqual({
      host: `${TARGET_ID}.xyz.us-west-2.rds.amazonaws.com`,
      port: 5432,
      database: "loanserve",
      user: "loanserve",
      identifier: TARGET_ID,
    });
    expect(sleeps).toEqual([10_000]);
    expect(await allRegions()).toEqual(["us-west-2"]);
  });

  it("stops at the explicit maximum with PitrTimeoutError", async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [target("creating")] });
    const { provider, sleeps } = setup();
    await expect(provider.waitUntilAvailable(RUN, { timeoutMs: 25_000 })).rejects.toBeInstanceOf(PitrTimeoutError);
    expect(sleeps).toEqual([10_000, 10_000, 5_000]);
  });

  it("cleans up in the DR region: protection lifted, then deleted with a final snapshot", async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [target("available", { DeletionProtection: true })] });
    rds.on(ModifyDBInstanceCommand).resolves({});
    rds.on(DeleteDBInstanceCommand).resolves({});
    await expect(setup().provider.cleanup(RUN, { finalSnapshot: true })).resolves.toEqual({
      deleted: [TARGET_ID],
      finalSnapshot: `${TARGET_ID}-final`,
    });
    expect(rds.commandCalls(DeleteDBInstanceCommand).map((call) => call.args[0].input)).toEqual([
      { DBInstanceIdentifier: TARGET_ID, FinalDBSnapshotIdentifier: `${TARGET_ID}-final`, SkipFinalSnapshot: false },
    ]);
    expect(await allRegions()).toEqual(["us-west-2"]);
  });
});
