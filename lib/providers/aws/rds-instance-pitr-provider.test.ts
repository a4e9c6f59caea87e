import { rmSync } from "node:fs";
import {
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  DBSnapshotAlreadyExistsFault,
  DeleteDBInstanceCommand,
  DescribeDBSnapshotsCommand,
  InvalidDBInstanceStateFault,
  ModifyDBInstanceCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  InvalidRestoreFault,
  RDSClient,
  RestoreDBInstanceToPointInTimeCommand,
  StorageQuotaExceededFault,
  type DBInstance,
  type RestoreDBInstanceToPointInTimeCommandInput,
  type Tag,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { INVALID_TIME_ADVICE, isValidRdsIdentifier } from "@/lib/providers/aws/rds-common";
import { RdsInstancePitrProvider, type RdsInstancePitrSource } from "@/lib/providers/aws/rds-instance-pitr-provider";
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

const rds = mockClient(RDSClient);
beforeEach(() => rds.reset());
// A real PEM file for caBundleFile: preflight reads and parses it.
const CERTS = certificateDir();
const CA_BUNDLE = makeCertificateAuthority(CERTS, "Test RDS CA").certFile;
afterAll(() => {
  rds.restore();
  rmSync(CERTS, { recursive: true, force: true });
});

const SOURCE_ID = "loanserve-prod";
const DBI = "db-ABCDEFGHIJKLMNOPQRSTUVWXY1";
const RUN = "run-1";
const OTHER_RUN = "run-2";
// sha256("run-1") starts with 4e65d3fb.
const TARGET_ID = "loanserve-prod-restore-4e65d3fb";
const NOW = new Date("2025-10-01T12:00:00Z");
const EARLIEST = new Date("2025-09-24T00:00:00Z");
const LATEST = new Date("2025-10-01T11:55:00Z");
const INSIDE = new Date("2025-10-01T03:10:00Z");

const CONFIG: RdsInstancePitrSource = {
  provider: "aws",
  engine: "postgres",
  region: "eu-west-1",
  instanceIdentifier: SOURCE_ID,
  writerInstanceClass: "db.m6g.large",
  restoredIdentifierPrefix: `${SOURCE_ID}-restore`,
  database: "loanserve",
  user: "loanserve",
  caBundleFile: CA_BUNDLE,
};

const SOURCE_INSTANCE: DBInstance = {
  DBInstanceIdentifier: SOURCE_ID,
  DBInstanceStatus: "available",
  DbiResourceId: DBI,
  DBInstanceClass: "db.m6g.large",
  LatestRestorableTime: LATEST,
  DBSubnetGroup: { DBSubnetGroupName: "prod-db-subnets" },
  VpcSecurityGroups: [{ VpcSecurityGroupId: "sg-0aaaaaaaaaaaaaaaa", Status: "active" }],
  DBParameterGroups: [{ DBParameterGroupName: "prod-pg16", ParameterApplyStatus: "in-sync" }],
  IAMDatabaseAuthenticationEnabled: true,
};

const tags = (runId: string): Tag[] => [
  { Key: "restore-console:run-id", Value: runId },
  { Key: "restore-console:source", Value: SOURCE_ID },
];
const notFound = (id: string) => new DBInstanceNotFoundFault({ message: `DBInstance ${id} not found.`, $metadata: {} });
const named = (name: string, message: string) => Object.assign(new Error(message), { name });

function setup(config: RdsInstancePitrSource = CONFIG) {
  let time = NOW.getTime();
  const sleeps: number[] = [];
  const logs: string[] = [];
  const provider = new RdsInstancePitrProvider(new RDSClient({ region: "eu-west-1" }), config, {
    now: () => new Date(time),
    sleep: async (ms) => {
      sleeps.push(ms);
      time += ms;
    },
    random: () => 1,
    pollIntervalMs: 10_000,
  });
  return { provider, sleeps, logs, ctx: { log: (message: string) => logs.push(message) } };
}

function givenSource(instance: DBInstance = SOURCE_INSTANCE, earliest: Date | null = EARLIEST) {
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [instance] });
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: TARGET_ID }).rejects(notFound(TARGET_ID));
  rds.on(DescribeDBInstanceAutomatedBackupsCommand, { DbiResourceId: DBI }).resolves({
    DBInstanceAutomatedBackups: [
      { DbiResourceId: DBI, Status: "active", RestoreWindow: { EarliestTime: earliest ?? undefined, LatestTime: LATEST } },
    ],
  });
}

const restoreInputs = () => rds.commandCalls(RestoreDBInstanceToPointInTimeCommand).map((call) => call.args[0].input);

describePitrContract("RdsInstancePitrProvider", {
  createProvider: () => {
    rds.reset();
    givenSource();
    return setup().provider;
  },
  pickTimes: (window) => ({
    inside: new Date(window.earliest.getTime() + 60_000),
    before: new Date(window.earliest.getTime() - 60_000),
    after: new Date(window.describedAt.getTime() + 3_600_000),
  }),
  isValidIdentifier: isValidRdsIdentifier,
  expectNothingStarted: () => expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toHaveLength(0),
});

describe("describeWindow", () => {
  it("takes the latest time from the instance and the earliest from its automated backup, looked up by resource id", async () => {
    givenSource();
    const window = await setup().provider.describeWindow();
    expect(window).toEqual({ earliest: EARLIEST, latest: LATEST, lagSeconds: 300, describedAt: NOW, notes: [] });
    expect(rds.commandCalls(DescribeDBInstancesCommand).map((call) => call.args[0].input)).toEqual([{ DBInstanceIdentifier: SOURCE_ID }]);
    expect(rds.commandCalls(DescribeDBInstanceAutomatedBackupsCommand).map((call) => call.args[0].input)).toEqual([{ DbiResourceId: DBI }]);
  });

  it("leaves the earliest time unknown, with a note, when the automated backups cannot be read", async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [SOURCE_INSTANCE] });
    rds
      .on(DescribeDBInstanceAutomatedBackupsCommand)
      .rejects(named("AccessDenied", "User: x is not authorized to perform: rds:DescribeDBInstanceAutomatedBackups on resource: y"));
    const window = await setup().provider.describeWindow();
    expect(window).toMatchObject({ earliest: null, latest: LATEST });
    expect(window.notes).toEqual([
      `The earliest restorable time of DB instance "${SOURCE_ID}" is unknown: AWS denied rds:DescribeDBInstanceAutomatedBackups (during DescribeDBInstanceAutomatedBackups). Grant it to the IAM role Restore Console runs as, then retry.`,
    ]);
  });

  it("says so when RDS reports neither time, and then refuses a chosen time without calling the restore API", async () => {
    givenSource({ ...SOURCE_INSTANCE, LatestRestorableTime: undefined }, null);
    const { provider } = setup();
    const window = await provider.describeWindow();
    expect(window).toMatchObject({ earliest: null, latest: null, lagSeconds: null });
    expect(window.notes).toHaveLength(2);
    await expect(provider.restore(RUN, { kind: "time", time: INSIDE })).rejects.toBeInstanceOf(RestoreWindowError);
    expect(restoreInputs()).toEqual([]);
  });
});

describe("restore", () => {
  it("refuses a time after the latest restorable time without calling the restore API", async () => {
    givenSource();
    const restoring = setup().provider.restore(RUN, { kind: "time", time: new Date("2025-10-01T11:59:00Z") });
    await expect(restoring).rejects.toBeInstanceOf(RestoreWindowError);
    await expect(restoring).rejects.toThrow(INVALID_TIME_ADVICE);
    expect(restoreInputs()).toEqual([]);
  });

  it("passes the configured settings explicitly", async () => {
    givenSource();
    rds.on(RestoreDBInstanceToPointInTimeCommand).resolves({});
    const { provider, logs, ctx } = setup({
      ...CONFIG,
      writerInstanceClass: "db.r6g.xlarge",
      dbSubnetGroupName: "dr-subnets",
      vpcSecurityGroupIds: ["sg-0123456789abcdef0"],
      dbParameterGroupName: "dr-pg16",
      enableIamAuth: false,
      kmsKeyId: "alias/dr",
    });
    await expect(provider.restore(RUN, { kind: "time", time: INSIDE }, ctx)).resolves.toEqual({ identifier: TARGET_ID, adopted: false });
    expect(restoreInputs()).toEqual([
      {
        SourceDBInstanceIdentifier: SOURCE_ID,
        TargetDBInstanceIdentifier: TARGET_ID,
        RestoreTime: INSIDE,
        DBInstanceClass: "db.r6g.xlarge",
        DBSubnetGroupName: "dr-subnets",
        VpcSecurityGroupIds: ["sg-0123456789abcdef0"],
        DBParameterGroupName: "dr-pg16",
        EnableIAMDatabaseAuthentication: false,
        DeletionProtection: true,
        CopyTagsToSnapshot: true,
        Tags: [...tags(RUN), { Key: "restore-console:restored-to", Value: "2025-10-01T03:10:00.000Z" }],
      },
    ]);
    expect(logs[0]).toMatch(/^kmsKeyId is not used for RDS instances/);
  });

  it("copies the source's subnet group, security groups, parameter group and IAM auth when unset, for the latest restorable time", async () => {
    givenSource();
    rds.on(RestoreDBInstanceToPointInTimeCommand).resolves({});
    await setup().provider.restore(RUN, { kind: "latest" });
    expect(restoreInputs()).toEqual([
      {
        SourceDBInstanceIdentifier: SOURCE_ID,
        TargetDBInstanceIdentifier: TARGET_ID,
        UseLatestRestorableTime: true,
        DBInstanceClass: "db.m6g.large",
        DBSubnetGroupName: "prod-db-subnets",
        VpcSecurityGroupIds: ["sg-0aaaaaaaaaaaaaaaa"],
        DBParameterGroupName: "prod-pg16",
        EnableIAMDatabaseAuthentication: true,
        DeletionProtection: true,
        CopyTagsToSnapshot: true,
        Tags: [...tags(RUN), { Key: "restore-console:restored-to", Value: "latest" }],
      },
    ]);
    expect(restoreInputs()[0]).not.toHaveProperty("RestoreTime");
  });

  it("retries throttling visibly, then gives up with ThrottledError", async () => {
    givenSource();
    rds.on(RestoreDBInstanceToPointInTimeCommand).rejectsOnce(named("Throttling", "Rate exceeded")).resolves({});
    const { provider, logs, ctx } = setup();
    await provider.restore(RUN, { kind: "latest" }, ctx);
    expect(logs).toContain("RDS throttled RestoreDBInstanceToPointInTime; retrying in 2 s (attempt 2 of 6)");

    rds.reset();
    rds.on(DescribeDBInstancesCommand).rejects(named("Throttling", "Rate exceeded"));
    await expect(setup().provider.describeWindow()).rejects.toBeInstanceOf(ThrottledError);
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(6);
  });

  it("after a crash following the restore call, adopts the instance it created instead of creating a second one", async () => {
    givenSource();
    const instances = new Map<string, DBInstance>();
    rds.on(RestoreDBInstanceToPointInTimeCommand).callsFake((input: RestoreDBInstanceToPointInTimeCommandInput) => {
      const id = input.TargetDBInstanceIdentifier ?? "";
      if (instances.has(id)) throw new DBInstanceAlreadyExistsFault({ message: "DB instance already exists", $metadata: {} });
      instances.set(id, { DBInstanceIdentifier: id, DBInstanceStatus: "creating", TagList: input.Tags });
      return { DBInstance: instances.get(id) };
    });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: TARGET_ID }).callsFake(() => {
      const instance = instances.get(TARGET_ID);
      if (!instance) throw notFound(TARGET_ID);
      return { DBInstances: [instance] };
    });
    await expect(setup().provider.restore(RUN, { kind: "latest" })).resolves.toEqual({ identifier: TARGET_ID, adopted: false });
    await expect(setup().provider.restore(RUN, { kind: "latest" })).resolves.toEqual({ identifier: TARGET_ID, adopted: true });
    expect([...instances.keys()]).toEqual([TARGET_ID]);
    expect(restoreInputs()).toHaveLength(2);
  });

  it("refuses an instance of the same name carrying another run's tag", async () => {
    givenSource();
    rds.on(RestoreDBInstanceToPointInTimeCommand).rejects(new DBInstanceAlreadyExistsFault({ message: "exists", $metadata: {} }));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: TARGET_ID }).resolves({ DBInstances: [{ TagList: tags(OTHER_RUN) }] });
    const restoring = setup().provider.restore(RUN, { kind: "latest" });
    await expect(restoring).rejects.toBeInstanceOf(NameCollisionError);
    await expect(restoring).rejects.toThrow(
      `DB instance "${TARGET_ID}" already exists and is not this run's: it belongs to run ${OTHER_RUN}`,
    );
  });

  it("maps InvalidRestoreFault and StorageQuotaExceededFault to errors that say what to do", async () => {
    givenSource();
    rds
      .on(RestoreDBInstanceToPointInTimeCommand)
      .rejectsOnce(new InvalidRestoreFault({ message: "Restore time must be before the latest restorable time", $metadata: {} }))
      .rejects(new StorageQuotaExceededFault({ message: "Storage quota exceeded", $metadata: {} }));
    const { provider } = setup();
    await expect(provider.restore(RUN, { kind: "latest" })).rejects.toThrow(RestoreWindowError);
    const quota = provider.restore(RUN, { kind: "latest" });
    await expect(quota).rejects.toBeInstanceOf(PitrFailedError);
    await expect(quota).rejects.toThrow(/storage quota is used up\. Delete restored clusters\/instances left by earlier runs/);
  });
});

describe("createWriter", () => {
  it("has nothing to create for an instance", async () => {
    await expect(setup().provider.createWriter()).resolves.toEqual({ identifier: null, adopted: false });
    expect(rds.calls()).toHaveLength(0);
  });
});

describe("waitUntilAvailable", () => {
  const target = (DBInstanceStatus: string): DBInstance => ({
    DBInstanceIdentifier: TARGET_ID,
    DBInstanceStatus,
    Endpoint: { Address: `${TARGET_ID}.abc.eu-west-1.rds.amazonaws.com`, Port: 5432 },
    TagList: tags(RUN),
  });

  it("polls the restored instance until it is available and returns its endpoint", async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: TARGET_ID })
      .resolvesOnce({ DBInstances: [target("creating")] })
      .resolvesOnce({ DBInstances: [target("modifying")] })
      .resolves({ DBInstances: [target("available")] });
    const { provider, sleeps, logs } = setup();
    await expect(provider.waitUntilAvailable(RUN, { timeoutMs: 3_600_000, log: (m) => logs.push(m) })).resolves.toEqual({
      host: `${TARGET_ID}.abc.eu-west-1.rds.amazonaws.com`,
      port: 5432,
      database: "loanserve",
      user: "loanserve",
      identifier: TARGET_ID,
    });
    expect(sleeps).toEqual([10_000, 10_000]);
    expect(logs).toEqual([
      `DB instance "${TARGET_ID}" is creating`,
      `DB instance "${TARGET_ID}": creating → modifying`,
      `DB instance "${TARGET_ID}": modifying → available`,
    ]);
  });

  it("times out at the explicit maximum", async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [target("creating")] });
    const { provider, sleeps } = setup();
    await expect(provider.waitUntilAvailable(RUN, { timeoutMs: 25_000 })).rejects.toBeInstanceOf(PitrTimeoutError);
    expect(sleeps).toEqual([10_000, 10_000, 5_000]);
  });

  it("fails fast on a hard state and on access denied", async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [target("storage-full")] })
      .rejects(named("AccessDenied", "not authorized to perform: rds:DescribeDBInstances"));
    const { provider, sleeps } = setup();
    await expect(provider.waitUntilAvailable(RUN, { timeoutMs: 3_600_000 })).rejects.toThrow(
      /is storage-full\. The restored database ran out of storage/,
    );
    await expect(provider.waitUntilAvailable(RUN, { timeoutMs: 3_600_000 })).rejects.toBeInstanceOf(PitrAccessDeniedError);
    expect(sleeps).toEqual([]);
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(2);
  });

  it("reports an instance that was never created as not found", async () => {
    rds.on(DescribeDBInstancesCommand).rejects(notFound(TARGET_ID));
    await expect(setup().provider.waitUntilAvailable(RUN, { timeoutMs: 3_600_000 })).rejects.toThrow(
      `DB instance "${TARGET_ID}" does not exist: the restore step has not created it, or it was deleted.`,
    );
  });
});

describe("cleanup", () => {
  const SNAPSHOT_ID = `${TARGET_ID}-final`;
  const ours = (extra: Partial<DBInstance> = {}): DBInstance => ({
    DBInstanceIdentifier: TARGET_ID,
    DBInstanceStatus: "available",
    TagList: tags(RUN),
    DeletionProtection: true,
    ...extra,
  });
  const deleteInputs = () => rds.commandCalls(DeleteDBInstanceCommand).map((call) => call.args[0].input);
  const modifyInputs = () => rds.commandCalls(ModifyDBInstanceCommand).map((call) => call.args[0].input);
  const snapshotExists = () =>
    new DBSnapshotAlreadyExistsFault({
      message: `Cannot create the snapshot because a snapshot with the identifier ${SNAPSHOT_ID} already exists.`,
      $metadata: {},
    });

  function given(instance: DBInstance = ours()) {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [instance] });
    rds.on(ModifyDBInstanceCommand).resolves({});
    rds.on(DeleteDBInstanceCommand).resolves({});
  }

  it("lifts deletion protection at once, then deletes the instance keeping a final snapshot named from the run", async () => {
    given();
    const { provider, logs, ctx } = setup();
    await expect(provider.cleanup(RUN, { finalSnapshot: true }, ctx)).resolves.toEqual({
      deleted: [TARGET_ID],
      finalSnapshot: SNAPSHOT_ID,
    });
    expect(rds.calls().map((call) => (call.args[0] as object).constructor.name)).toEqual([
      "DescribeDBInstancesCommand",
      "ModifyDBInstanceCommand",
      "DeleteDBInstanceCommand",
    ]);
    expect(modifyInputs()).toEqual([{ DBInstanceIdentifier: TARGET_ID, DeletionProtection: false, ApplyImmediately: true }]);
    expect(deleteInputs()).toEqual([{ DBInstanceIdentifier: TARGET_ID, FinalDBSnapshotIdentifier: SNAPSHOT_ID, SkipFinalSnapshot: false }]);
    expect(logs).toEqual([
      `Lifting deletion protection on DB instance "${TARGET_ID}"`,
      `Deleting DB instance "${TARGET_ID}", keeping the final snapshot "${SNAPSHOT_ID}"`,
    ]);
  });

  it("sends SkipFinalSnapshot only when asked not to keep one", async () => {
    given();
    await expect(setup().provider.cleanup(RUN, { finalSnapshot: false })).resolves.toEqual({ deleted: [TARGET_ID], finalSnapshot: null });
    expect(deleteInputs()).toEqual([{ DBInstanceIdentifier: TARGET_ID, SkipFinalSnapshot: true }]);
  });

  it("adopts a final snapshot of that name carrying this run's tag, and refuses one of another run with nothing deleted", async () => {
    given();
    rds.on(DeleteDBInstanceCommand).rejects(snapshotExists());
    rds.on(DeleteDBInstanceCommand, { SkipFinalSnapshot: true }).resolves({});
    rds
      .on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: SNAPSHOT_ID })
      .resolves({ DBSnapshots: [{ DBSnapshotIdentifier: SNAPSHOT_ID, TagList: tags(RUN) }] });
    await expect(setup().provider.cleanup(RUN, { finalSnapshot: true })).resolves.toEqual({
      deleted: [TARGET_ID],
      finalSnapshot: SNAPSHOT_ID,
    });
    expect(deleteInputs()).toEqual([
      { DBInstanceIdentifier: TARGET_ID, FinalDBSnapshotIdentifier: SNAPSHOT_ID, SkipFinalSnapshot: false },
      { DBInstanceIdentifier: TARGET_ID, SkipFinalSnapshot: true },
    ]);

    rds.resetHistory();
    rds
      .on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: SNAPSHOT_ID })
      .resolves({ DBSnapshots: [{ DBSnapshotIdentifier: SNAPSHOT_ID, TagList: tags(OTHER_RUN) }] });
    const again = setup().provider.cleanup(RUN, { finalSnapshot: true });
    await expect(again).rejects.toBeInstanceOf(NameCollisionError);
    await expect(again).rejects.toThrow(`so DB instance "${TARGET_ID}" was not deleted`);
    expect(deleteInputs().filter((input) => input.SkipFinalSnapshot === true)).toEqual([]);
  });

  it("retries a throttled modify and delete, and gives up with ThrottledError before deleting when throttling persists", async () => {
    given();
    rds.on(ModifyDBInstanceCommand).rejectsOnce(named("Throttling", "Rate exceeded")).resolves({});
    rds.on(DeleteDBInstanceCommand).rejectsOnce(named("ThrottlingException", "Rate exceeded")).resolves({});
    const { provider, sleeps } = setup();
    await provider.cleanup(RUN, { finalSnapshot: true });
    expect(sleeps).toEqual([2000, 2000]);
    expect(deleteInputs()).toHaveLength(2);

    rds.reset();
    given();
    rds.on(ModifyDBInstanceCommand).rejects(named("Throttling", "Rate exceeded"));
    await expect(setup().provider.cleanup(RUN, { finalSnapshot: true })).rejects.toBeInstanceOf(ThrottledError);
    expect(deleteInputs()).toEqual([]);
  });

  it("reports an instance in a state that allows no change as PitrFailedError with advice, deleting nothing", async () => {
    given();
    rds.on(ModifyDBInstanceCommand).rejects(new InvalidDBInstanceStateFault({ message: "Instance is not available.", $metadata: {} }));
    const cleaning = setup().provider.cleanup(RUN, { finalSnapshot: true });
    await expect(cleaning).rejects.toBeInstanceOf(PitrFailedError);
    await expect(cleaning).rejects.toThrow(
      /ModifyDBInstance failed \(InvalidDBInstanceStateFault\).*Wait until it is available, then retry/,
    );
    expect(deleteInputs()).toEqual([]);
  });

  it("treats an instance deleted meanwhile (not found on delete) as done, with no snapshot claimed", async () => {
    given(ours({ DeletionProtection: false }));
    rds.on(DeleteDBInstanceCommand).rejects(notFound(TARGET_ID));
    await expect(setup().provider.cleanup(RUN, { finalSnapshot: true })).resolves.toEqual({ deleted: [TARGET_ID], finalSnapshot: null });
    expect(modifyInputs()).toEqual([]);
  });

  it("leaves an instance of another run alone and treats a missing one as done", async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [{ TagList: tags(OTHER_RUN), DeletionProtection: true }] })
      .rejects(notFound(TARGET_ID));
    const { provider, logs, ctx } = setup();
    await expect(provider.cleanup(RUN, { finalSnapshot: true }, ctx)).resolves.toEqual({ deleted: [], finalSnapshot: null });
    await expect(provider.cleanup(RUN, { finalSnapshot: true }, ctx)).resolves.toEqual({ deleted: [], finalSnapshot: null });
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
    expect(logs).toEqual([
      `Left DB instance "${TARGET_ID}" alone: it belongs to run ${OTHER_RUN}, so this run did not create it`,
      `DB instance "${TARGET_ID}" is already gone`,
    ]);
  });
});

describe("preflight", () => {
  it("checks the window and that the identifier is free", async () => {
    givenSource();
    const result = await setup().provider.preflight(RUN, { kind: "latest" });
    expect(result.ok).toBe(true);
    expect(result.checks.map((check) => [check.name, check.ok, check.message])).toEqual([
      [
        "restore-window",
        true,
        "Restoring to the latest restorable time; the window is 2025-09-24T00:00:00Z (UTC) to 2025-10-01T11:55:00Z (UTC) (latest lags by 300 s)",
      ],
      ["identifiers", true, `DB instance "${TARGET_ID}" is free`],
      ["tls", true, expect.stringContaining(`verify-full: certificate chain and host name) against ${CA_BUNDLE}`)],
      ["permissions", true, expect.stringMatching(/^The describe calls were allowed/)],
    ]);
  });
});
