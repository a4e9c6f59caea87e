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

/** RDS for PostgreSQL: restore the instance to a time into a new instance, wait, clean up. */
export class RdsInstancePitrProvider implements PitrProvider {
  readonly kind = "aws-rds-instance";
  private readonly options: ResolvedRdsOptions;
  private readonly api: RdsApi;

  constructor(
    client: RDSClient,
    private readonly source: RdsInstancePitrSource,
    options?: RdsProviderOptions,
  ) {
    this.options = resolveRdsOptions(options);
    this.api = new RdsApi(client, this.options);
  }

  resourceIdentifiers(runId: string): string[] {
    return [this.id(runId)];
  }

  async describeWindow(ctx?: PitrCallContext): Promise<RestoreWindow> {
    return (await this.describeSource(ctx)).window;
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
    const { instance: sourceInstance, window } = await this.describeSource(ctx);
    assertRestorable(window, target);
    const identifier = this.id(runId);
    const what = `DB instance "${identifier}"`;
    if (this.source.kmsKeyId) {
      log(ctx, "kmsKeyId is not used for RDS instances: a point-in-time restore always uses the source instance's KMS key");
    }
    log(
      ctx,
      `Restoring ${what} from "${this.source.instanceIdentifier}" to ${target.kind === "latest" ? "the latest restorable time" : formatUtc(target.time)}`,
    );
    if ((await this.api.restoreInstance(this.restoreInput(runId, target, identifier, sourceInstance), ctx)) === "exists") {
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

  private async describeSource(ctx?: PitrCallContext): Promise<{ instance: DBInstance; window: RestoreWindow }> {
    const id = this.source.instanceIdentifier;
    const instance = await this.api.describeInstance(id, ctx);
    if (!instance) {
      throw new PitrResourceNotFoundError(
        `The source DB instance "${id}" was not found in ${this.source.region}. Check instanceIdentifier and region in the configuration.`,
      );
    }
    const { earliest, reason } = await this.earliestRestorable(instance, ctx);
    const window = buildWindow(`DB instance "${id}"`, { earliest, latest: instance.LatestRestorableTime }, this.options.now(), reason);
    return { instance, window };
  }

  /**
   * DescribeDBInstances has no earliest time; the instance's automated backup has it. Looked up
   * by resource id, so a retained backup of an older instance with the same name is not used.
   * Not being allowed to read it leaves the earliest time unknown rather than failing.
   */
  private async earliestRestorable(instance: DBInstance, ctx?: PitrCallContext): Promise<{ earliest: Date | undefined; reason: string }> {
    if (!instance.DbiResourceId) return { earliest: undefined, reason: "RDS did not report the instance's resource id" };
    try {
      const backups = await this.api.describeAutomatedBackups(instance.DbiResourceId, ctx);
      const earliest = backups.find((backup) => backup.RestoreWindow?.EarliestTime)?.RestoreWindow?.EarliestTime;
      return { earliest, reason: "RDS reported no automated backup with a restore window for it (automated backups off?)" };
    } catch (error) {
      if (!(error instanceof PitrAccessDeniedError)) throw error;
      return { earliest: undefined, reason: error.message };
    }
  }

  /**
   * What RestoreDBInstanceToPointInTime does not copy from the source is passed explicitly: the
   * configured value, else the source's. The KMS key cannot be chosen: RDS uses the source's.
   */
  private restoreInput(
    runId: string,
    target: RecoveryPoint,
    identifier: string,
    source: DBInstance,
  ): RestoreDBInstanceToPointInTimeCommandInput {
    const config = this.source;
    return {
      SourceDBInstanceIdentifier: config.instanceIdentifier,
      TargetDBInstanceIdentifier: identifier,
      ...(target.kind === "latest" ? { UseLatestRestorableTime: true } : { RestoreTime: target.time }),
      DBInstanceClass: config.writerInstanceClass,
      DBSubnetGroupName: config.dbSubnetGroupName ?? source.DBSubnetGroup?.DBSubnetGroupName,
      VpcSecurityGroupIds: config.vpcSecurityGroupIds ?? securityGroupIds(source.VpcSecurityGroups),
      DBParameterGroupName: config.dbParameterGroupName ?? source.DBParameterGroups?.[0]?.DBParameterGroupName,
      EnableIAMDatabaseAuthentication: config.enableIamAuth ?? source.IAMDatabaseAuthenticationEnabled ?? false,
      // It may become production after a cutover: only clean-up lifts this, and a final
      // snapshot (which carries the run's tags) stays traceable to the run.
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      Tags: runTags(runId, config.instanceIdentifier, target),
    };
  }
}
