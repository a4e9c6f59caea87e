import "server-only";
import type { DBInstance, RDSClient, RestoreDBInstanceToPointInTimeCommandInput } from "@aws-sdk/client-rds";
import type { AwsPitrSource } from "@/lib/config/schema";
import {
  adoptExisting,
  assertRestorable,
  buildWindow,
  cleanupAction,
  deleteWithFinalSnapshot,
  formatUtc,
  identifierStatus,
  log,
  RdsApi,
  resolveRdsOptions,
  restoredIdentifier,
  RESTORED_RESOURCE_SAFETY,
  runPreflight,
  runTags,
  securityGroupIds,
  waitUntil,
  windowCheckMessage,
  type RdsProviderOptions,
  type ResolvedRdsOptions,
} from "@/lib/providers/aws/rds-common";
import { checkRdsCaBundle } from "@/lib/providers/aws/rds-ca-bundle";
import {
  finalSnapshotIdentifier,
  PitrAccessDeniedError,
  PitrResourceNotFoundError,
  type PitrCallContext,
  type PitrCleanupOptions,
  type PitrCleanupResult,
  type PitrEndpoint,
  type PitrPreflight,
  type PitrProvider,
  type RecoveryPoint,
  type RestoreWindow,
} from "@/lib/providers/pitr";

export type RdsInstancePitrSource = Extract<AwsPitrSource, { engine: "postgres" }>;

/** What a restore reads, described now: its window and the restore fields that depend on where the data comes from. */
export interface InstanceRestoreSource {
  window: RestoreWindow;
  /** Names it in the log, e.g. `"loanserve-prod"`. */
  label: string;
  input: Pick<
    RestoreDBInstanceToPointInTimeCommandInput,
    | "SourceDBInstanceIdentifier"
    | "SourceDBInstanceAutomatedBackupsArn"
    | "DBSubnetGroupName"
    | "VpcSecurityGroupIds"
    | "DBParameterGroupName"
    | "EnableIAMDatabaseAuthentication"
  >;
}

/**
 * Where a restore's data comes from: the source instance in its own region (the default), or
 * its automated backups replicated to a DR region. Built with the provider's API and clock.
 */
export type InstanceRestoreOrigin = (
  api: RdsApi,
  options: ResolvedRdsOptions,
) => { describe(ctx?: PitrCallContext): Promise<InstanceRestoreSource> };

/** RDS for PostgreSQL: restore the instance to a time into a new instance, wait, clean up. */
export class RdsInstancePitrProvider implements PitrProvider {
  readonly kind = "aws-rds-instance";
  private readonly options: ResolvedRdsOptions;
  private readonly api: RdsApi;
  private readonly origin: ReturnType<InstanceRestoreOrigin>;

  constructor(
    client: RDSClient,
    private readonly source: RdsInstancePitrSource,
    options?: RdsProviderOptions,
    origin: InstanceRestoreOrigin = sourceInstanceOrigin(source),
  ) {
    this.options = resolveRdsOptions(options);
    this.api = new RdsApi(client, this.options);
    this.origin = origin(this.api, this.options);
  }

  resourceIdentifiers(runId: string): string[] {
    return [this.id(runId)];
  }

  async describeWindow(ctx?: PitrCallContext): Promise<RestoreWindow> {
    return (await this.origin.describe(ctx)).window;
  }

  async preflight(runId: string, target: RecoveryPoint, ctx?: PitrCallContext): Promise<PitrPreflight> {
    const id = this.id(runId);
    return runPreflight(
      [
        { name: "restore-window", run: async () => windowCheckMessage(await this.describeWindow(ctx), target) },
        { name: "identifiers", run: async () => identifierStatus(`DB instance "${id}"`, await this.api.describeInstance(id, ctx), runId) },
        // Before anything is created: a restored instance the worker cannot verify is of no use.
        { name: "tls", run: () => checkRdsCaBundle(this.source.caBundleFile) },
      ],
      ["rds:RestoreDBInstanceToPointInTime", "rds:AddTagsToResource"],
    );
  }

  async restore(runId: string, target: RecoveryPoint, ctx?: PitrCallContext): Promise<{ identifier: string; adopted: boolean }> {
    const from = await this.origin.describe(ctx);
    assertRestorable(from.window, target);
    const identifier = this.id(runId);
    const what = `DB instance "${identifier}"`;
    if (this.source.kmsKeyId) {
      log(ctx, "kmsKeyId is not used for RDS instances: a point-in-time restore keeps the KMS key its backups are encrypted with");
    }
    log(ctx, `Restoring ${what} from ${from.label} to ${target.kind === "latest" ? "the latest restorable time" : formatUtc(target.time)}`);
    if ((await this.api.restoreInstance(this.restoreInput(runId, target, identifier, from), ctx)) === "exists") {
      await adoptExisting(what, () => this.api.describeInstance(identifier, ctx), runId, ctx);
      return { identifier, adopted: true };
    }
    return { identifier, adopted: false };
  }

  /** An RDS instance restore is the database itself: there is no writer to add. */
  async createWriter(): Promise<{ identifier: string | null; adopted: boolean }> {
    return { identifier: null, adopted: false };
  }

  async waitUntilAvailable(runId: string, options: PitrCallContext & { timeoutMs: number }): Promise<PitrEndpoint> {
    const id = this.id(runId);
    return waitUntil(
      async () => {
        const instance = await this.api.describeInstance(id, options);
        const endpoint = instance?.Endpoint;
        return {
          resources: [{ what: `DB instance "${id}"`, status: instance ? (instance.DBInstanceStatus ?? "unknown") : null }],
          ready:
            instance?.DBInstanceStatus === "available" && endpoint?.Address && endpoint.Port !== undefined
              ? { host: endpoint.Address, port: endpoint.Port, database: this.source.database, user: this.source.user, identifier: id }
              : null,
        };
      },
      this.options,
      options,
    );
  }

  /** Lifts deletion protection (ModifyDBInstance, at once), then deletes keeping a final snapshot unless asked not to. */
  async cleanup(runId: string, options: PitrCleanupOptions, ctx?: PitrCallContext): Promise<PitrCleanupResult> {
    const id = this.id(runId);
    const what = `DB instance "${id}"`;
    const instance = await this.api.describeInstance(id, ctx);
    const action = cleanupAction(what, instance && { TagList: instance.TagList, status: instance.DBInstanceStatus }, runId, ctx);
    if (action === "skip") return { deleted: [], finalSnapshot: null };
    if (action === "deleting") return { deleted: [id], finalSnapshot: null };
    if (instance?.DeletionProtection) {
      log(ctx, `Lifting deletion protection on ${what}`);
      await this.api.unprotectInstance(id, ctx);
    }
    const snapshotId = options.finalSnapshot ? finalSnapshotIdentifier(this.kind, id) : null;
    const finalSnapshot = await deleteWithFinalSnapshot(
      what,
      snapshotId,
      runId,
      {
        remove: (final) => this.api.deleteInstance(id, final, ctx),
        describeSnapshot: () => this.api.describeInstanceSnapshot(snapshotId ?? "", ctx),
      },
      ctx,
    );
    return { deleted: [id], finalSnapshot };
  }

  private id(runId: string): string {
    return restoredIdentifier(this.source.restoredIdentifierPrefix, runId);
  }

  /** The origin's fields, plus what every restore of ours sets. The KMS key cannot be chosen: RDS keeps the backups'. */
  private restoreInput(
    runId: string,
    target: RecoveryPoint,
    identifier: string,
    from: InstanceRestoreSource,
  ): RestoreDBInstanceToPointInTimeCommandInput {
    return {
      ...from.input,
      TargetDBInstanceIdentifier: identifier,
      ...(target.kind === "latest" ? { UseLatestRestorableTime: true } : { RestoreTime: target.time }),
      DBInstanceClass: this.source.writerInstanceClass,
      ...RESTORED_RESOURCE_SAFETY,
      Tags: runTags(runId, this.source.instanceIdentifier, target),
    };
  }
}

/**
 * The source instance in its own region. What RestoreDBInstanceToPointInTime does not copy from
 * it is passed explicitly: the configured value, else the source's.
 */
function sourceInstanceOrigin(config: RdsInstancePitrSource): InstanceRestoreOrigin {
  return (api, options) => ({
    async describe(ctx) {
      const id = config.instanceIdentifier;
      const instance = await api.describeInstance(id, ctx);
      if (!instance) {
        throw new PitrResourceNotFoundError(
          `The source DB instance "${id}" was not found in ${config.region}. Check instanceIdentifier and region in the configuration.`,
        );
      }
      const { earliest, reason } = await earliestRestorable(api, instance, ctx);
      return {
        window: buildWindow(`DB instance "${id}"`, { earliest, latest: instance.LatestRestorableTime }, options.now(), reason),
        label: `"${id}"`,
        input: {
          SourceDBInstanceIdentifier: id,
          DBSubnetGroupName: config.dbSubnetGroupName ?? instance.DBSubnetGroup?.DBSubnetGroupName,
          VpcSecurityGroupIds: config.vpcSecurityGroupIds ?? securityGroupIds(instance.VpcSecurityGroups),
          DBParameterGroupName: config.dbParameterGroupName ?? instance.DBParameterGroups?.[0]?.DBParameterGroupName,
          EnableIAMDatabaseAuthentication: config.enableIamAuth ?? instance.IAMDatabaseAuthenticationEnabled ?? false,
        },
      };
    },
  });
}

/**
 * DescribeDBInstances has no earliest time; the instance's automated backup has it. Looked up
 * by resource id, so a retained backup of an older instance with the same name is not used.
 * Not being allowed to read it leaves the earliest time unknown rather than failing.
 */
async function earliestRestorable(
  api: RdsApi,
  instance: DBInstance,
  ctx?: PitrCallContext,
): Promise<{ earliest: Date | undefined; reason: string }> {
  if (!instance.DbiResourceId) return { earliest: undefined, reason: "RDS did not report the instance's resource id" };
  try {
    const backups = await api.describeAutomatedBackups({ DbiResourceId: instance.DbiResourceId }, ctx);
    const earliest = backups.find((backup) => backup.RestoreWindow?.EarliestTime)?.RestoreWindow?.EarliestTime;
    return { earliest, reason: "RDS reported no automated backup with a restore window for it (automated backups off?)" };
  } catch (error) {
    if (!(error instanceof PitrAccessDeniedError)) throw error;
    return { earliest: undefined, reason: error.message };
  }
}
