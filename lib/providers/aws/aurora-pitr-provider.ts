import type { DBCluster, RDSClient, RestoreDBClusterToPointInTimeCommandInput } from "@aws-sdk/client-rds";
import type { AwsPitrSource } from "@/lib/config/schema";
import {
  adoptExisting,
  assertRestorable,
  buildWindow,
  deleteIfOurs,
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
import {
  PitrResourceNotFoundError,
  type PitrCallContext,
  type PitrEndpoint,
  type PitrPreflight,
  type PitrProvider,
  type RestoreTarget,
  type RestoreWindow,
} from "@/lib/providers/pitr";

export type AuroraPitrSource = Extract<AwsPitrSource, { engine: "aurora-postgresql" }>;

const WRITER_SUFFIX = "-writer";

/** Aurora PostgreSQL: restore the cluster to a time, add a writer instance, wait, clean up. */
export class AuroraPitrProvider implements PitrProvider {
  readonly kind = "aws-aurora";
  private readonly options: ResolvedRdsOptions;
  private readonly api: RdsApi;

  constructor(
    client: RDSClient,
    private readonly source: AuroraPitrSource,
    options?: RdsProviderOptions,
  ) {
    this.options = resolveRdsOptions(options);
    this.api = new RdsApi(client, this.options);
  }

  resourceIdentifiers(runId: string): string[] {
    const { cluster, writer } = this.ids(runId);
    return [cluster, writer];
  }

  async describeWindow(ctx?: PitrCallContext): Promise<RestoreWindow> {
    return (await this.describeSource(ctx)).window;
  }

  async preflight(runId: string, target: RestoreTarget, ctx?: PitrCallContext): Promise<PitrPreflight> {
    const { cluster, writer } = this.ids(runId);
    return runPreflight(
      [
        { name: "restore-window", run: async () => windowCheckMessage(await this.describeWindow(ctx), target) },
        {
          name: "identifiers",
          run: async () =>
            [
              identifierStatus(`DB cluster "${cluster}"`, await this.api.describeCluster(cluster, ctx), runId),
              identifierStatus(`DB instance "${writer}"`, await this.api.describeInstance(writer, ctx), runId),
            ].join("; "),
        },
      ],
      ["rds:RestoreDBClusterToPointInTime", "rds:CreateDBInstance", "rds:AddTagsToResource"],
    );
  }

  async restore(runId: string, target: RestoreTarget, ctx?: PitrCallContext): Promise<{ identifier: string; adopted: boolean }> {
    const { cluster: sourceCluster, window } = await this.describeSource(ctx);
    assertRestorable(window, target);
    const identifier = this.ids(runId).cluster;
    const what = `DB cluster "${identifier}"`;
    log(ctx, `Restoring ${what} from "${this.source.clusterIdentifier}" to ${target.kind === "latest" ? "the latest restorable time" : formatUtc(target.time)}`);
    if ((await this.api.restoreCluster(this.restoreInput(runId, target, identifier, sourceCluster), ctx)) === "exists") {
      await adoptExisting(what, () => this.api.describeCluster(identifier, ctx), runId, ctx);
      return { identifier, adopted: true };
    }
    return { identifier, adopted: false };
  }

  async createWriter(runId: string, ctx?: PitrCallContext): Promise<{ identifier: string | null; adopted: boolean }> {
    const { cluster, writer } = this.ids(runId);
    const what = `writer instance "${writer}"`;
    log(ctx, `Creating ${what} (${this.source.writerInstanceClass}) in DB cluster "${cluster}"`);
    const created = await this.api.createInstance(
      {
        DBInstanceIdentifier: writer,
        DBClusterIdentifier: cluster,
        DBInstanceClass: this.source.writerInstanceClass,
        Engine: "aurora-postgresql",
        DBParameterGroupName: this.source.dbParameterGroupName,
        Tags: runTags(runId, this.source.clusterIdentifier),
      },
      ctx,
    );
    if (created === "exists") {
      await adoptExisting(what, () => this.api.describeInstance(writer, ctx), runId, ctx);
      return { identifier: writer, adopted: true };
    }
    return { identifier: writer, adopted: false };
  }

  async waitUntilAvailable(runId: string, options: PitrCallContext & { timeoutMs: number }): Promise<PitrEndpoint> {
    const { cluster: clusterId, writer: writerId } = this.ids(runId);
    return waitUntil(
      async () => {
        const cluster = await this.api.describeCluster(clusterId, options);
        const writer = await this.api.describeInstance(writerId, options);
        const available = cluster?.Status === "available" && writer?.DBInstanceStatus === "available";
        return {
          resources: [
            { what: `DB cluster "${clusterId}"`, status: cluster ? (cluster.Status ?? "unknown") : null },
            { what: `writer instance "${writerId}"`, status: writer ? (writer.DBInstanceStatus ?? "unknown") : null },
          ],
          ready:
            available && cluster.Endpoint && cluster.Port !== undefined
              ? { host: cluster.Endpoint, port: cluster.Port, database: this.source.database, user: this.source.user, identifier: clusterId }
              : null,
        };
      },
      this.options,
      options,
    );
  }

  /** Writer first: RDS refuses to delete a cluster that still has instances not being deleted. */
  async cleanup(runId: string, ctx?: PitrCallContext): Promise<void> {
    const { cluster, writer } = this.ids(runId);
    const instance = await this.api.describeInstance(writer, ctx);
    await deleteIfOurs(
      `writer instance "${writer}"`,
      instance && { TagList: instance.TagList, status: instance.DBInstanceStatus },
      runId,
      () => this.api.deleteInstance(writer, ctx),
      ctx,
    );
    const restored = await this.api.describeCluster(cluster, ctx);
    await deleteIfOurs(
      `DB cluster "${cluster}"`,
      restored && { TagList: restored.TagList, status: restored.Status },
      runId,
      () => this.api.deleteCluster(cluster, ctx),
      ctx,
    );
  }

  private ids(runId: string): { cluster: string; writer: string } {
    const cluster = restoredIdentifier(this.source.restoredIdentifierPrefix, runId, WRITER_SUFFIX.length);
    return { cluster, writer: `${cluster}${WRITER_SUFFIX}` };
  }

  private async describeSource(ctx?: PitrCallContext): Promise<{ cluster: DBCluster; window: RestoreWindow }> {
    const id = this.source.clusterIdentifier;
    const cluster = await this.api.describeCluster(id, ctx);
    if (!cluster) {
      throw new PitrResourceNotFoundError(
        `The source DB cluster "${id}" was not found in ${this.source.region}. Check clusterIdentifier and region in the configuration.`,
      );
    }
    const window = buildWindow(
      `DB cluster "${id}"`,
      { earliest: cluster.EarliestRestorableTime, latest: cluster.LatestRestorableTime },
      this.options.now(),
      "RDS did not report EarliestRestorableTime (automated backups off, or the cluster is new)",
    );
    return { cluster, window };
  }

  /**
   * What RestoreDBClusterToPointInTime does not copy from the source is passed explicitly:
   * the configured value, else the source's, so the restored cluster matches the source.
   */
  private restoreInput(runId: string, target: RestoreTarget, identifier: string, source: DBCluster): RestoreDBClusterToPointInTimeCommandInput {
    const config = this.source;
    const scaling = source.ServerlessV2ScalingConfiguration;
    return {
      DBClusterIdentifier: identifier,
      SourceDBClusterIdentifier: config.clusterIdentifier,
      ...(target.kind === "latest" ? { UseLatestRestorableTime: true } : { RestoreToTime: target.time }),
      DBSubnetGroupName: config.dbSubnetGroupName ?? source.DBSubnetGroup,
      VpcSecurityGroupIds: config.vpcSecurityGroupIds ?? securityGroupIds(source.VpcSecurityGroups),
      DBClusterParameterGroupName: config.dbClusterParameterGroupName ?? source.DBClusterParameterGroup,
      KmsKeyId: config.kmsKeyId ?? source.KmsKeyId,
      EnableIAMDatabaseAuthentication: config.enableIamAuth ?? source.IAMDatabaseAuthenticationEnabled ?? false,
      // A db.serverless writer needs the cluster's Serverless v2 capacity range.
      ...(scaling ? { ServerlessV2ScalingConfiguration: { MinCapacity: scaling.MinCapacity, MaxCapacity: scaling.MaxCapacity } } : {}),
      // A scratch copy: deletable by clean-up; a snapshot someone keeps stays traceable to the run.
      DeletionProtection: false,
      CopyTagsToSnapshot: true,
      Tags: runTags(runId, config.clusterIdentifier, target),
    };
  }
}
