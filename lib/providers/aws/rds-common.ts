import "server-only";
import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import {
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  RemoveFromGlobalClusterCommand,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBClusterToPointInTimeCommand,
  RestoreDBInstanceToPointInTimeCommand,
  SwitchoverGlobalClusterCommand,
  type CreateDBInstanceCommandInput,
  type DBCluster,
  type DBInstance,
  type DBInstanceAutomatedBackup,
  type DBSnapshot,
  type DBClusterSnapshot,
  type DescribeDBClusterSnapshotsCommandInput,
  type DescribeDBInstanceAutomatedBackupsCommandInput,
  type GlobalCluster,
  type RDSClient,
  type RestoreDBClusterFromSnapshotCommandInput,
  type RestoreDBClusterToPointInTimeCommandInput,
  type RestoreDBInstanceToPointInTimeCommandInput,
  type Tag,
  type VpcSecurityGroupMembership,
} from "@aws-sdk/client-rds";
import { AppError } from "@/lib/errors";
import {
  NameCollisionError,
  PitrAccessDeniedError,
  PitrFailedError,
  PitrResourceNotFoundError,
  PitrTimeoutError,
  RestoreWindowError,
  ThrottledError,
  type PitrCallContext,
  type PitrPreflight,
  type RecoveryPoint,
  type RestoreWindow,
} from "@/lib/providers/pitr";

// What the Aurora and the RDS-instance PITR providers share: the retrying, translating RDS
// caller, run tags and ownership, identifier rules, window checks, the wait loop, clean-up.

// ---------------------------------------------------------------------------------------------
// Options and retries

export interface RdsProviderOptions {
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Between status polls while waiting; default 15 s. */
  pollIntervalMs?: number;
  /** Jitter source in [0, 1); injectable so tests see exact delays. */
  random?: () => number;
}

export type ResolvedRdsOptions = Required<RdsProviderOptions>;

export function resolveRdsOptions(options: RdsProviderOptions = {}): ResolvedRdsOptions {
  return {
    now: options.now ?? (() => new Date()),
    sleep: options.sleep ?? ((ms) => delay(ms)),
    pollIntervalMs: options.pollIntervalMs ?? 15_000,
    random: options.random ?? Math.random,
  };
}

/**
 * The SDK client makes one attempt per call: every retry (throttling and transient errors)
 * happens in RdsApi, where it is visible in the run's log, instead of SDK retries nested inside
 * ours (3 × 6 attempts, invisible). Creates are safe to retry: "already exists and ours" is adopted.
 */
export const RDS_SDK_MAX_ATTEMPTS = 1;
const RDS_MAX_ATTEMPTS = 6;
const BACKOFF_BASE_MS = 2_000;
const BACKOFF_CAP_MS = 20_000;

const THROTTLING_ERRORS = new Set(["ThrottlingException", "Throttling", "RequestLimitExceeded", "TooManyRequestsException"]);
const TRANSIENT_ERRORS = new Set(["InternalFailure", "ServiceUnavailable", "RequestTimeout", "RequestTimeoutException", "TimeoutError"]);
const NETWORK_CODES = new Set(["ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ECONNREFUSED"]);
const ACCESS_DENIED_ERRORS = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);
const CREDENTIAL_ERRORS = new Set([
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "CredentialsProviderError",
]);

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "";
}

function retryKind(error: unknown): "throttled" | "transient" | null {
  const name = errorName(error);
  if (THROTTLING_ERRORS.has(name)) return "throttled";
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  const code = (error as { code?: unknown } | null)?.code;
  if (TRANSIENT_ERRORS.has(name) || (status !== undefined && status >= 500) || (typeof code === "string" && NETWORK_CODES.has(code))) {
    return "transient";
  }
  return null;
}

/** Exponential with "equal jitter": half the step is fixed, so a log line never says "retrying in 0 s". */
function backoffMs(failedAttempt: number, random: () => number): number {
  const step = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (failedAttempt - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
const duration = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

export function log(ctx: PitrCallContext | undefined, message: string): void {
  ctx?.log?.(message);
}

// ---------------------------------------------------------------------------------------------
// Error translation (SDK errors never leave lib/providers)

/** The runbook's Troubleshooting advice for "PITR fails with invalid restore time". */
export const INVALID_TIME_ADVICE =
  "Check the available restore window; ensure the timestamp is in UTC; verify it is within the retention period.";

const NETWORK_ADVICE =
  "Check dbSubnetGroupName and vpcSecurityGroupIds (or the source's): the subnet group must cover at least two Availability Zones with free IP addresses, and the security groups must be in the same VPC.";
const QUOTA_ADVICE =
  "Delete restored clusters/instances left by earlier runs (their clean-up), or ask for a higher quota in Service Quotas (Amazon RDS), then retry.";
const CAPACITY_ADVICE =
  "AWS has no capacity for this right now in these Availability Zones: retry later, or choose another writerInstanceClass.";

const FAULT_ADVICE: Readonly<Record<string, { notFound?: true; advice: string }>> = {
  DBClusterNotFoundFault: { notFound: true, advice: "Check clusterIdentifier and region in the configuration." },
  DBInstanceNotFoundFault: { notFound: true, advice: "Check instanceIdentifier and region in the configuration." },
  PointInTimeRestoreNotEnabledFault: {
    advice:
      "Automated backups are off for the source (backup retention period 0), so there is nothing to restore from. Turn them on; the window starts then.",
  },
  InvalidDBClusterStateFault: {
    advice:
      "The DB cluster is not in a state that allows this (still being created, stopped or being deleted). Wait until it is available, then retry.",
  },
  InvalidDBInstanceStateFault: {
    advice:
      "The DB instance is not in a state that allows this (still being created, stopped or being deleted). Wait until it is available, then retry.",
  },
  StorageQuotaExceededFault: { advice: `The account's RDS storage quota is used up. ${QUOTA_ADVICE}` },
  DBClusterQuotaExceededFault: { advice: `The account's quota of DB clusters is used up. ${QUOTA_ADVICE}` },
  InstanceQuotaExceededFault: { advice: `The account's quota of DB instances is used up. ${QUOTA_ADVICE}` },
  InsufficientDBClusterCapacityFault: { advice: CAPACITY_ADVICE },
  InsufficientDBInstanceCapacityFault: { advice: CAPACITY_ADVICE },
  InsufficientStorageClusterCapacityFault: { advice: CAPACITY_ADVICE },
  KMSKeyNotAccessibleFault: {
    advice:
      "The KMS key (kmsKeyId, or the source's key) is disabled, deleted, or its key policy does not let this role use it (kms:CreateGrant, kms:DescribeKey). Fix access to the key, then retry.",
  },
  DBSubnetGroupNotFoundFault: { advice: `The DB subnet group does not exist in this region. ${NETWORK_ADVICE}` },
  DBSubnetGroupDoesNotCoverEnoughAZs: { advice: NETWORK_ADVICE },
  InvalidSubnet: { advice: NETWORK_ADVICE },
  InvalidVPCNetworkStateFault: { advice: NETWORK_ADVICE },
  InsufficientAvailableIPsInSubnetFault: { advice: NETWORK_ADVICE },
  DBClusterParameterGroupNotFoundFault: {
    advice: "Check dbClusterParameterGroupName (or the source's cluster parameter group) exists in this region.",
  },
  DBParameterGroupNotFoundFault: { advice: "Check dbParameterGroupName (or the source's parameter group) exists in this region." },
  DBClusterSnapshotNotFoundFault: {
    notFound: true,
    advice: "The DB cluster snapshot is gone (deleted, or expired with its retention). Describe the window again to pick the newest copy.",
  },
  InvalidDBClusterSnapshotStateFault: {
    advice: "The DB cluster snapshot is not available (still copying?). Wait until its copy finishes, or restore from an earlier copy.",
  },
  DBInstanceAutomatedBackupNotFoundFault: {
    notFound: true,
    advice:
      "Check dr.automatedBackupsArn, and that automated backup replication to the DR region is on (StartDBInstanceAutomatedBackupsReplication).",
  },
  InvalidDBInstanceAutomatedBackupStateFault: {
    advice:
      "The replicated automated backups are not in a state that allows a restore (still being created, or being deleted). Wait, then retry.",
  },
  GlobalClusterNotFoundFault: { notFound: true, advice: "Check dr.globalClusterIdentifier in the configuration." },
  InvalidGlobalClusterStateFault: {
    advice:
      "The global database is not in a state that allows this (a switchover or failover already under way, a member being added or removed, or, for a switchover, a region that cannot be reached). Wait and retry; when the primary region is down, fail over allowing data loss or detach the DR cluster instead.",
  },
};

function rdsSaid(error: unknown): string {
  const message = error instanceof Error ? error.message.trim().replace(/\.$/, "") : "";
  return message ? ` RDS said: "${message.slice(0, 300)}".` : "";
}

/** An AccessDenied message names the action ("is not authorized to perform: rds:CreateDBInstance"). */
function deniedPermission(error: unknown): string | null {
  const match = /not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec(error instanceof Error ? error.message : "");
  return match?.[1] ?? null;
}

function translateRdsError(error: unknown, operation: string): AppError {
  const name = errorName(error) || "UnknownError";
  if (ACCESS_DENIED_ERRORS.has(name)) {
    const permission = deniedPermission(error);
    return new PitrAccessDeniedError(
      permission
        ? `AWS denied ${permission} (during ${operation}). Grant it to the IAM role Restore Console runs as, then retry.`
        : `AWS denied the RDS call ${operation}. Check that the IAM role Restore Console runs as allows rds:${operation}, then retry.`,
      { cause: error },
    );
  }
  if (CREDENTIAL_ERRORS.has(name)) {
    return new PitrAccessDeniedError(
      `AWS rejected the credentials for ${operation} (${name}). Check the AWS credentials or role Restore Console runs with (expired or missing?), then retry.`,
      { cause: error },
    );
  }
  if (name === "InvalidRestoreFault") {
    // RDS uses this fault for a time outside the window and for other unrestorable requests.
    const message = `RDS refused the restore (${operation}).${rdsSaid(error)} ${INVALID_TIME_ADVICE}`;
    return /time/i.test(error instanceof Error ? error.message : "")
      ? new RestoreWindowError(message, { cause: error })
      : new PitrFailedError(message, { cause: error });
  }
  if (name === "DBClusterAlreadyExistsFault" || name === "DBInstanceAlreadyExistsFault") {
    return new NameCollisionError(
      `${operation} failed: a resource with that name already exists.${rdsSaid(error)} Delete it or set a different restoredIdentifierPrefix, then retry.`,
      { cause: error },
    );
  }
  const known = FAULT_ADVICE[name];
  if (known?.notFound)
    return new PitrResourceNotFoundError(`${operation} failed: not found.${rdsSaid(error)} ${known.advice}`, { cause: error });
  return new PitrFailedError(
    `${operation} failed (${name}).${rdsSaid(error)} ${known?.advice ?? "Check the RDS console and events for the resource, then retry."}`,
    { cause: error },
  );
}

// ---------------------------------------------------------------------------------------------
// The RDS calls the providers make

/** The faults a caller expects, each answered with a value instead of an error. */
type Expected<E> = Readonly<Record<string, E>>;

/**
 * How a delete treats the data: keep it in a final snapshot of that name, skip the snapshot, or
 * neither for an Aurora cluster member (its data lives in the cluster; RDS refuses snapshot
 * parameters there).
 */
export type FinalSnapshot = { snapshotId: string } | "skip" | "cluster-member";

/** "gone": someone else deleted it meanwhile (no snapshot was taken by us). */
export type DeleteOutcome = "deleted" | "gone" | "snapshot-exists";

function finalSnapshotParameters(final: FinalSnapshot): { FinalDBSnapshotIdentifier?: string; SkipFinalSnapshot?: boolean } {
  if (final === "cluster-member") return {};
  return final === "skip" ? { SkipFinalSnapshot: true } : { FinalDBSnapshotIdentifier: final.snapshotId, SkipFinalSnapshot: false };
}

/**
 * Every RDS call the providers make, each retried on throttling and transient errors (logged),
 * with SDK errors translated into ours; the faults a caller expects come back as values.
 */
export class RdsApi {
  constructor(
    private readonly client: RDSClient,
    private readonly options: ResolvedRdsOptions,
  ) {}

  async describeCluster(id: string, ctx?: PitrCallContext): Promise<DBCluster | null> {
    const output = await this.call(
      "DescribeDBClusters",
      (abortSignal) => this.client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }), { abortSignal }),
      ctx,
      { DBClusterNotFoundFault: null },
    );
    return output?.DBClusters?.[0] ?? null;
  }

  async describeInstance(id: string, ctx?: PitrCallContext): Promise<DBInstance | null> {
    const output = await this.call(
      "DescribeDBInstances",
      (abortSignal) => this.client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), { abortSignal }),
      ctx,
      { DBInstanceNotFoundFault: null },
    );
    return output?.DBInstances?.[0] ?? null;
  }

  /** Every page; none found is an empty list. */
  async describeAutomatedBackups(
    query: Omit<DescribeDBInstanceAutomatedBackupsCommandInput, "Marker">,
    ctx?: PitrCallContext,
  ): Promise<DBInstanceAutomatedBackup[]> {
    return this.allPages(async (marker) => {
      const output = await this.call(
        "DescribeDBInstanceAutomatedBackups",
        (abortSignal) => this.client.send(new DescribeDBInstanceAutomatedBackupsCommand({ ...query, ...marker }), { abortSignal }),
        ctx,
        { DBInstanceAutomatedBackupNotFoundFault: null },
      );
      return { items: output?.DBInstanceAutomatedBackups ?? [], marker: output?.Marker };
    });
  }

  /** Every page; none found is an empty list. */
  async describeClusterSnapshots(
    query: Omit<DescribeDBClusterSnapshotsCommandInput, "Marker">,
    ctx?: PitrCallContext,
  ): Promise<DBClusterSnapshot[]> {
    return this.allPages(async (marker) => {
      const output = await this.call(
        "DescribeDBClusterSnapshots",
        (abortSignal) => this.client.send(new DescribeDBClusterSnapshotsCommand({ ...query, ...marker }), { abortSignal }),
        ctx,
        { DBClusterSnapshotNotFoundFault: null },
      );
      return { items: output?.DBClusterSnapshots ?? [], marker: output?.Marker };
    });
  }

  async describeGlobalCluster(id: string, ctx?: PitrCallContext): Promise<GlobalCluster | null> {
    const output = await this.call(
      "DescribeGlobalClusters",
      (abortSignal) => this.client.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: id }), { abortSignal }),
      ctx,
      { GlobalClusterNotFoundFault: null },
    );
    return output?.GlobalClusters?.[0] ?? null;
  }

  /** "exists" when the identifier is taken (ours or not: the caller decides). */
  async restoreCluster(input: RestoreDBClusterToPointInTimeCommandInput, ctx?: PitrCallContext): Promise<"created" | "exists"> {
    const output = await this.call(
      "RestoreDBClusterToPointInTime",
      (abortSignal) => this.client.send(new RestoreDBClusterToPointInTimeCommand(input), { abortSignal }),
      ctx,
      { DBClusterAlreadyExistsFault: "exists" as const },
    );
    return output === "exists" ? "exists" : "created";
  }

  async restoreInstance(input: RestoreDBInstanceToPointInTimeCommandInput, ctx?: PitrCallContext): Promise<"created" | "exists"> {
    const output = await this.call(
      "RestoreDBInstanceToPointInTime",
      (abortSignal) => this.client.send(new RestoreDBInstanceToPointInTimeCommand(input), { abortSignal }),
      ctx,
      { DBInstanceAlreadyExistsFault: "exists" as const },
    );
    return output === "exists" ? "exists" : "created";
  }

  async restoreClusterFromSnapshot(input: RestoreDBClusterFromSnapshotCommandInput, ctx?: PitrCallContext): Promise<"created" | "exists"> {
    const output = await this.call(
      "RestoreDBClusterFromSnapshot",
      (abortSignal) => this.client.send(new RestoreDBClusterFromSnapshotCommand(input), { abortSignal }),
      ctx,
      { DBClusterAlreadyExistsFault: "exists" as const },
    );
    return output === "exists" ? "exists" : "created";
  }

  async createInstance(input: CreateDBInstanceCommandInput, ctx?: PitrCallContext): Promise<"created" | "exists"> {
    const output = await this.call(
      "CreateDBInstance",
      (abortSignal) => this.client.send(new CreateDBInstanceCommand(input), { abortSignal }),
      ctx,
      { DBInstanceAlreadyExistsFault: "exists" as const },
    );
    return output === "exists" ? "exists" : "created";
  }

  async describeClusterSnapshot(id: string, ctx?: PitrCallContext): Promise<DBClusterSnapshot | null> {
    const output = await this.call(
      "DescribeDBClusterSnapshots",
      (abortSignal) => this.client.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: id }), { abortSignal }),
      ctx,
      { DBClusterSnapshotNotFoundFault: null },
    );
    return output?.DBClusterSnapshots?.[0] ?? null;
  }

  async describeInstanceSnapshot(id: string, ctx?: PitrCallContext): Promise<DBSnapshot | null> {
    const output = await this.call(
      "DescribeDBSnapshots",
      (abortSignal) => this.client.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }), { abortSignal }),
      ctx,
      { DBSnapshotNotFoundFault: null },
    );
    return output?.DBSnapshots?.[0] ?? null;
  }

  /** Lifts deletion protection at once (not at the next maintenance window); gone counts as done. */
  async unprotectCluster(id: string, ctx?: PitrCallContext): Promise<void> {
    await this.call(
      "ModifyDBCluster",
      (abortSignal) =>
        this.client.send(new ModifyDBClusterCommand({ DBClusterIdentifier: id, DeletionProtection: false, ApplyImmediately: true }), {
          abortSignal,
        }),
      ctx,
      { DBClusterNotFoundFault: null },
    );
  }

  async unprotectInstance(id: string, ctx?: PitrCallContext): Promise<void> {
    await this.call(
      "ModifyDBInstance",
      (abortSignal) =>
        this.client.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: id, DeletionProtection: false, ApplyImmediately: true }), {
          abortSignal,
        }),
      ctx,
      { DBInstanceNotFoundFault: null },
    );
  }

  /** Not found is "gone" (clean-up is idempotent); a final snapshot name already taken comes back as "snapshot-exists". */
  async deleteInstance(id: string, final: FinalSnapshot, ctx?: PitrCallContext): Promise<DeleteOutcome> {
    const output = await this.call(
      "DeleteDBInstance",
      (abortSignal) =>
        this.client.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: id, ...finalSnapshotParameters(final) }), { abortSignal }),
      ctx,
      { DBInstanceNotFoundFault: "gone" as const, DBSnapshotAlreadyExistsFault: "snapshot-exists" as const },
    );
    return typeof output === "string" ? output : "deleted";
  }

  async deleteCluster(id: string, final: Exclude<FinalSnapshot, "cluster-member">, ctx?: PitrCallContext): Promise<DeleteOutcome> {
    const output = await this.call(
      "DeleteDBCluster",
      (abortSignal) =>
        this.client.send(new DeleteDBClusterCommand({ DBClusterIdentifier: id, ...finalSnapshotParameters(final) }), { abortSignal }),
      ctx,
      { DBClusterNotFoundFault: "gone" as const, DBClusterSnapshotAlreadyExistsFault: "snapshot-exists" as const },
    );
    return typeof output === "string" ? output : "deleted";
  }

  /** Detaches a secondary cluster (by ARN): it becomes a standalone cluster that accepts writes. */
  async removeFromGlobalCluster(globalClusterId: string, clusterArn: string, ctx?: PitrCallContext): Promise<void> {
    await this.call(
      "RemoveFromGlobalCluster",
      (abortSignal) =>
        this.client.send(
          new RemoveFromGlobalClusterCommand({ GlobalClusterIdentifier: globalClusterId, DbClusterIdentifier: clusterArn }),
          { abortSignal },
        ),
      ctx,
      {},
    );
  }

  /** Promotes a secondary (by ARN) with no data loss; needs every region of the global database reachable. */
  async switchoverGlobalCluster(globalClusterId: string, clusterArn: string, ctx?: PitrCallContext): Promise<void> {
    await this.call(
      "SwitchoverGlobalCluster",
      (abortSignal) =>
        this.client.send(
          new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: globalClusterId, TargetDbClusterIdentifier: clusterArn }),
          { abortSignal },
        ),
      ctx,
      {},
    );
  }

  /** Promotes a secondary (by ARN) while its primary region is down: writes not yet replicated to it are lost. */
  async failoverGlobalClusterAllowingDataLoss(globalClusterId: string, clusterArn: string, ctx?: PitrCallContext): Promise<void> {
    await this.call(
      "FailoverGlobalCluster",
      (abortSignal) =>
        this.client.send(
          new FailoverGlobalClusterCommand({
            GlobalClusterIdentifier: globalClusterId,
            TargetDbClusterIdentifier: clusterArn,
            AllowDataLoss: true,
          }),
          { abortSignal },
        ),
      ctx,
      {},
    );
  }

  private async allPages<T>(page: (marker: { Marker?: string }) => Promise<{ items: T[]; marker: string | undefined }>): Promise<T[]> {
    const items: T[] = [];
    let marker: string | undefined;
    do {
      const result = await page(marker === undefined ? {} : { Marker: marker });
      items.push(...result.items);
      marker = result.marker;
    } while (marker);
    return items;
  }

  private async call<T, E>(
    operation: string,
    send: (abortSignal: AbortSignal | undefined) => Promise<T>,
    ctx: PitrCallContext | undefined,
    expected: Expected<E>,
  ): Promise<T | E> {
    for (let attempt = 1; ; attempt++) {
      ctx?.signal?.throwIfAborted();
      try {
        return await send(ctx?.signal);
      } catch (error) {
        ctx?.signal?.throwIfAborted();
        const name = errorName(error);
        if (Object.hasOwn(expected, name)) return expected[name] as E;
        const kind = retryKind(error);
        if (kind === null) throw translateRdsError(error, operation);
        if (attempt >= RDS_MAX_ATTEMPTS) {
          throw kind === "throttled"
            ? new ThrottledError(
                `RDS kept throttling ${operation} (${RDS_MAX_ATTEMPTS} attempts): too many RDS API calls in this account and region. Wait a minute, then retry the step.`,
                { cause: error },
              )
            : new PitrFailedError(
                `RDS kept failing ${operation} with a temporary error (${errorName(error) || "network"}, ${RDS_MAX_ATTEMPTS} attempts). Check the AWS Health Dashboard and your network, then retry the step.`,
                { cause: error },
              );
        }
        const waitMs = backoffMs(attempt, this.options.random);
        const retrying = `retrying in ${seconds(waitMs)} (attempt ${attempt + 1} of ${RDS_MAX_ATTEMPTS})`;
        log(
          ctx,
          kind === "throttled"
            ? `RDS throttled ${operation}; ${retrying}`
            : `RDS ${operation} failed temporarily (${errorName(error) || "network"}); ${retrying}`,
        );
        await this.options.sleep(waitMs);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Run tags, ownership and identifiers

const RUN_TAG_KEY = "restore-console:run-id";
const SOURCE_TAG_KEY = "restore-console:source";
const TARGET_TAG_KEY = "restore-console:restored-to";

export function runTags(runId: string, source: string, target?: RecoveryPoint): Tag[] {
  return [
    { Key: RUN_TAG_KEY, Value: runId },
    { Key: SOURCE_TAG_KEY, Value: source },
    ...(target ? [{ Key: TARGET_TAG_KEY, Value: target.kind === "latest" ? "latest" : target.time.toISOString() }] : []),
  ];
}

function runTagOf(tags: Tag[] | undefined): string | null {
  return tags?.find((tag) => tag.Key === RUN_TAG_KEY)?.Value ?? null;
}

/** Throws NameCollisionError unless the resource carries this run's tag. */
function assertOurs(what: string, tags: Tag[] | undefined, runId: string): void {
  const owner = runTagOf(tags);
  if (owner === runId) return;
  throw new NameCollisionError(
    `${what} already exists and is not this run's: ${owner ? `it belongs to run ${owner}` : `it has no ${RUN_TAG_KEY} tag`}. ` +
      "Nothing was changed. If it is left over from an earlier run, delete it (or run that run's clean-up); otherwise set a different restoredIdentifierPrefix. Then retry.",
  );
}

/** For "already exists" from a create: ours (a retry after a crash or a lost response) or a collision. */
export async function adoptExisting(
  what: string,
  describe: () => Promise<{ TagList?: Tag[] } | null>,
  runId: string,
  ctx?: PitrCallContext,
): Promise<void> {
  const existing = await describe();
  if (existing === null) {
    throw new PitrFailedError(
      `${what} was reported as existing but could not be found a moment later (being deleted?). Retry the step in a minute.`,
    );
  }
  assertOurs(what, existing.TagList, runId);
  log(ctx, `${what} already exists with this run's tag; adopting it (an earlier attempt created it)`);
}

/** The preflight's view of one of our identifiers: free, ours (adopted later), or a collision (throws). */
export function identifierStatus(what: string, existing: { TagList?: Tag[] } | null, runId: string): string {
  if (existing === null) return `${what} is free`;
  assertOurs(what, existing.TagList, runId);
  return `${what} exists with this run's tag and will be adopted`;
}

/** One restored resource as clean-up sees it. */
export interface RestoredResource {
  TagList?: Tag[];
  status?: string;
  deletionProtection?: boolean;
}

/**
 * Whether clean-up acts on a resource: only one carrying this run's tag and not already going.
 * Something else under our name is left alone and the refusal logged, not thrown: clean-up also
 * runs after a run that failed at preflight because of that very collision, and must finish.
 */
export function cleanupAction(
  what: string,
  existing: RestoredResource | null,
  runId: string,
  ctx?: PitrCallContext,
): "delete" | "deleting" | "skip" {
  if (existing === null) {
    log(ctx, `${what} is already gone`);
    return "skip";
  }
  const owner = runTagOf(existing.TagList);
  if (owner !== runId) {
    log(ctx, `Left ${what} alone: ${owner ? `it belongs to run ${owner}` : `it has no ${RUN_TAG_KEY} tag`}, so this run did not create it`);
    return "skip";
  }
  if (existing.status === "deleting") {
    log(ctx, `${what} is already being deleted`);
    return "deleting";
  }
  return "delete";
}

/**
 * Deletes keeping a final snapshot named `snapshotId` (or none when null), and returns the
 * snapshot kept (null when skipped, or when the resource was gone already). A snapshot of that
 * name that carries this run's tag (CopyTagsToSnapshot copies it) was taken by an earlier attempt:
 * it is adopted and the delete repeated without another. One that is not ours stops clean-up.
 */
export async function deleteWithFinalSnapshot(
  what: string,
  snapshotId: string | null,
  runId: string,
  calls: {
    remove: (final: Exclude<FinalSnapshot, "cluster-member">) => Promise<DeleteOutcome>;
    describeSnapshot: () => Promise<{ TagList?: Tag[] } | null>;
  },
  ctx?: PitrCallContext,
): Promise<string | null> {
  if (snapshotId === null) {
    log(ctx, `Deleting ${what} without a final snapshot (as asked)`);
    await calls.remove("skip");
    return null;
  }
  log(ctx, `Deleting ${what}, keeping the final snapshot "${snapshotId}"`);
  const outcome = await calls.remove({ snapshotId });
  if (outcome === "gone") {
    log(ctx, `${what} was deleted meanwhile by someone else: no final snapshot was taken`);
    return null;
  }
  if (outcome === "deleted") return snapshotId;
  const snapshot = await calls.describeSnapshot();
  if (snapshot === null) {
    throw new PitrFailedError(
      `The final snapshot "${snapshotId}" was reported as existing but could not be found a moment later (being deleted?). Retry the clean-up in a minute.`,
    );
  }
  const owner = runTagOf(snapshot.TagList);
  if (owner !== runId) {
    throw new NameCollisionError(
      `A snapshot named "${snapshotId}" already exists and is not this run's (${owner ? `it belongs to run ${owner}` : `it has no ${RUN_TAG_KEY} tag`}), so ${what} was not deleted. ` +
        "Rename or delete that snapshot, or clean up without a final snapshot, then retry.",
    );
  }
  log(
    ctx,
    `The final snapshot "${snapshotId}" already exists with this run's tag (an earlier clean-up took it); deleting ${what} without another`,
  );
  await calls.remove("skip");
  return snapshotId;
}

/**
 * What every restored cluster or instance of ours carries. It may become production after a
 * cutover: only clean-up lifts the protection, and a final snapshot (which carries the run's
 * tags) stays traceable to the run.
 */
export const RESTORED_RESOURCE_SAFETY = { DeletionProtection: true, CopyTagsToSnapshot: true } as const;

const RDS_IDENTIFIER_MAX = 63;

/** RDS identifier rules: a letter first, lowercase letters, digits and single hyphens, ≤ 63, no trailing hyphen. */
export function isValidRdsIdentifier(id: string): boolean {
  return id.length <= RDS_IDENTIFIER_MAX && /^[a-z](?:-?[a-z0-9])*$/.test(id);
}

/**
 * `<prefix>-<8 hex>`: the 8 characters are a hash of the run id, not its first characters,
 * because time-ordered ids (UUIDv7, cuid) share their leading characters across runs started
 * close together. The prefix is cleaned and shortened so that the identifier plus
 * `reserved` more characters (e.g. "-writer") stays a valid RDS identifier.
 */
export function restoredIdentifier(prefix: string, runId: string, reserved = 0): string {
  const short = createHash("sha256").update(runId).digest("hex").slice(0, 8);
  const room = RDS_IDENTIFIER_MAX - reserved - short.length - 1;
  const cleaned = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, room)
    .replace(/-{2,}/g, "-")
    .replace(/-+$/, "");
  return `${cleaned || "restore"}-${short}`;
}

// ---------------------------------------------------------------------------------------------
// The restore window

export function formatUtc(date: Date): string {
  return `${date.toISOString().replace(".000Z", "Z")} (UTC)`;
}

/** The window as RDS reported it, with a note for each end it left out. */
export function buildWindow(
  what: string,
  times: { earliest: Date | undefined; latest: Date | undefined },
  describedAt: Date,
  earliestUnknownReason: string,
): RestoreWindow {
  const latest = times.latest ?? null;
  const notes: string[] = [];
  if (!times.earliest) notes.push(`The earliest restorable time of ${what} is unknown: ${earliestUnknownReason.replace(/\.$/, "")}.`);
  if (!latest) {
    notes.push(
      `RDS did not report LatestRestorableTime for ${what}, so a chosen time cannot be checked; only "latest restorable" can be requested.`,
    );
  }
  return {
    earliest: times.earliest ?? null,
    latest,
    lagSeconds: latest ? Math.max(0, Math.round((describedAt.getTime() - latest.getTime()) / 1000)) : null,
    describedAt,
    notes,
  };
}

/** The source's VPC security groups, to pass explicitly (a restore does not copy them). */
export function securityGroupIds(groups: VpcSecurityGroupMembership[] | undefined): string[] | undefined {
  const ids = groups?.flatMap((group) => (group.VpcSecurityGroupId ? [group.VpcSecurityGroupId] : [])) ?? [];
  return ids.length > 0 ? ids : undefined;
}

/**
 * Throws RestoreWindowError when `target` cannot be restored from `window`. An unknown latest
 * time refuses a chosen time (it might be past what RDS can restore). An unknown earliest time
 * does not: RDS still refuses a time before it (InvalidRestoreFault, before creating anything),
 * and refusing would block every chosen time when only that end is unreported. "Latest
 * restorable" is left to RDS.
 */
export function assertRestorable(window: RestoreWindow, target: RecoveryPoint): void {
  if (target.kind === "latest") return;
  const time = formatUtc(target.time);
  if (window.latest === null) {
    throw new RestoreWindowError(
      `Cannot restore to ${time}: RDS did not report a latest restorable time, so the time cannot be checked. ${INVALID_TIME_ADVICE}`,
    );
  }
  if (target.time > window.latest) {
    throw new RestoreWindowError(
      `${time} is after the latest restorable time ${formatUtc(window.latest)}. Choose an earlier time, or "latest restorable". ${INVALID_TIME_ADVICE}`,
    );
  }
  if (window.earliest !== null && target.time < window.earliest) {
    throw new RestoreWindowError(`${time} is before the earliest restorable time ${formatUtc(window.earliest)}. ${INVALID_TIME_ADVICE}`);
  }
}

export function windowCheckMessage(window: RestoreWindow, target: RecoveryPoint): string {
  assertRestorable(window, target);
  const range = `${window.earliest ? formatUtc(window.earliest) : "unknown"} to ${window.latest ? formatUtc(window.latest) : "unknown"}`;
  const lag = window.lagSeconds === null ? "" : ` (latest lags by ${window.lagSeconds} s)`;
  return target.kind === "latest"
    ? `Restoring to the latest restorable time; the window is ${range}${lag}`
    : `${formatUtc(target.time)} is inside the window ${range}${lag}`;
}

// ---------------------------------------------------------------------------------------------
// Preflight

const PREFLIGHT_PERMISSIONS_NOTE =
  "The describe calls were allowed. RDS has no dry run, so the create permissions are only proven when the restore starts";

/** Runs each check (a check fails by throwing one of our errors) and adds a permissions summary. */
export async function runPreflight(
  checks: Array<{ name: string; run: () => Promise<string> }>,
  createPermissions: string[],
): Promise<PitrPreflight> {
  const results: PitrPreflight["checks"] = [];
  const denied = new Set<string>();
  for (const check of checks) {
    try {
      results.push({ name: check.name, ok: true, message: await check.run() });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error instanceof PitrAccessDeniedError) denied.add(error.message);
      results.push({ name: check.name, ok: false, message: error.message });
    }
  }
  results.push({
    name: "permissions",
    ok: denied.size === 0,
    message: denied.size === 0 ? `${PREFLIGHT_PERMISSIONS_NOTE} (${createPermissions.join(", ")}).` : [...denied].join(" "),
  });
  return { ok: results.every((check) => check.ok), checks: results };
}

// ---------------------------------------------------------------------------------------------
// Waiting

const HARD_STATUS_ADVICE: Readonly<Record<string, string>> = {
  "incompatible-parameters":
    "A parameter group setting is invalid for this engine version or instance class (often memory settings). Fix the parameter group, run clean-up, and restore again.",
  "incompatible-restore": `RDS could not complete the point-in-time restore. Run clean-up and restore again, to a slightly earlier time. ${INVALID_TIME_ADVICE}`,
  "incompatible-network": NETWORK_ADVICE,
  "incompatible-option-group": "The option group is not valid for the restored instance. Fix it, run clean-up, and restore again.",
  "inaccessible-encryption-credentials":
    "The KMS key is disabled, deleted or not usable by RDS. Restore access to the key, run clean-up, and restore again.",
  "inaccessible-encryption-credentials-recoverable":
    "The KMS key is disabled or not usable by RDS. Re-enable the key; RDS recovers when it can use it again.",
  "storage-full": "The restored database ran out of storage. Run clean-up and restore again with more storage.",
  "insufficient-capacity": CAPACITY_ADVICE,
  "restore-error": "RDS reported an error while restoring. Check the RDS events for the resource, run clean-up, and restore again.",
  failed: "RDS reports the restore failed. Check the RDS events for the resource, run clean-up, and restore again.",
  deleting: "Someone is deleting it. Start a new restore if one is still needed.",
  stopping: "Someone is stopping it. Start it from the RDS console, then wait again.",
  stopped: "Someone stopped it. Start it from the RDS console, then wait again.",
};

interface WaitedResource {
  /** e.g. `DB cluster "x"` */
  what: string;
  /** null: not found */
  status: string | null;
}

/**
 * Polls until `poll` yields a result, failing fast on hard states and vanished resources, and
 * at the explicit maximum with PitrTimeoutError. Each status change is logged.
 */
export async function waitUntil<T>(
  poll: () => Promise<{ resources: WaitedResource[]; ready: T | null }>,
  options: ResolvedRdsOptions,
  ctx: PitrCallContext & { timeoutMs: number },
): Promise<T> {
  const started = options.now().getTime();
  const lastStatus = new Map<string, string>();
  for (;;) {
    ctx.signal?.throwIfAborted();
    const { resources, ready } = await poll();
    for (const { what, status } of resources) {
      const previous = lastStatus.get(what);
      if (status === null) {
        if (previous !== undefined)
          throw new PitrFailedError(
            `${what} disappeared while waiting (it was ${previous}): something deleted it. Start a new restore if one is still needed.`,
          );
        throw new PitrResourceNotFoundError(
          `${what} does not exist: the restore step has not created it, or it was deleted. Run the restore step again.`,
        );
      }
      if (status !== previous) {
        log(ctx, previous === undefined ? `${what} is ${status}` : `${what}: ${previous} → ${status}`);
        lastStatus.set(what, status);
      }
      const advice = HARD_STATUS_ADVICE[status];
      if (advice) throw new PitrFailedError(`${what} is ${status}. ${advice}`);
    }
    if (ready !== null) return ready;
    const elapsed = options.now().getTime() - started;
    if (elapsed >= ctx.timeoutMs) {
      const states = resources.map(({ what, status }) => `${what} is ${status}`).join("; ");
      throw new PitrTimeoutError(
        `Not available after ${duration(elapsed)} (${states}). The restore may still finish: check the RDS console, then wait again, or run clean-up.`,
      );
    }
    await options.sleep(Math.min(options.pollIntervalMs, ctx.timeoutMs - elapsed));
  }
}
