import "server-only";
import type { DBCluster, RDSClient, RestoreDBClusterToPointInTimeCommandInput } from "@aws-sdk/client-rds";
import type { AwsPitrSource } from "@/lib/config/schema";
import {
  adoptExisting,
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

export type AuroraPitrSource = Extract<AwsPitrSource, { engine: "aurora-postgresql" }>;

const WRITER_SUFFIX = "-writer";

/** A restore checked against a fresh description of its origin, ready to send. */
export interface ClusterRestorePlan {
  /** For the preflight: why the target can be restored. */
  check: string;
  /** For the log: what is restored, e.g. `"loanserve-prod-aurora" to the latest restorable time`. */
  from: string;
  /** Sends the restore creating `identifier`; "exists" when that identifier is taken (ours or not). */
  send(runId: string, identifier: string, ctx?: PitrCallContext): Promise<"created" | "exists">;
}

/**
 * Where a restored cluster's data comes from: the source cluster's point-in-time window (the
 * default), or a snapshot of it copied to a DR region. Built with the provider's API and clock.
 */
export type ClusterRestoreOrigin = (
  api: RdsApi,
  options: ResolvedRdsOptions,
) => {
  /** The IAM action the restore needs, for the preflight's note. */
  readonly restorePermission: string;
  /** The writer's instance parameter group (undefined: the engine's default). */
  readonly writerParameterGroup: string | undefined;
  describeWindow(ctx?: PitrCallContext): Promise<RestoreWindow>;
  /** Throws RestoreWindowError (before anything is created) when `target` cannot be restored. */
  plan(target: RecoveryPoint, ctx?: PitrCallContext): Promise<ClusterRestorePlan>;
};

/** Aurora PostgreSQL: restore the cluster (to a time, or from a copied snapshot), add a writer instance, wait, clean up. */
export class AuroraPitrProvider implements PitrProvider {
  readonly kind = "aws-aurora";
  private readonly options: ResolvedRdsOptions;
  private readonly api: RdsApi;
  private readonly origin: ReturnType<ClusterRestoreOrigin>;

  constructor(
    client: RDSClient,
    private readonly source: AuroraPitrSource,
    options?: RdsProviderOptions,
    origin: ClusterRestoreOrigin = sourceClusterOrigin(source),
  ) {
    this.options = resolveRdsOptions(options);
    this.api = new RdsApi(client, this.options);
    this.origin = origin(this.api, this.options);
  }

  resourceIdentifiers(runId: string): string[] {
    const { cluster, writer } = this.ids(runId);
    return [cluster, writer];
  }

  async describeWindow(ctx?: PitrCallContext): Promise<RestoreWindow> {
    return this.origin.describeWindow(ctx);
  }

  async preflight(runId: string, target: RecoveryPoint, ctx?: PitrCallContext): Promise<PitrPreflight> {
    const { cluster, writer } = this.ids(runId);
    return runPreflight(
      [
        { name: "restore-window", run: async () => (await this.origin.plan(target, ctx)).check },
        {
          name: "identifiers",
          run: async () =>
            [
              identifierStatus(`DB cluster "${cluster}"`, await this.api.describeCluster(cluster, ctx), runId),
              identifierStatus(`DB instance "${writer}"`, await this.api.describeInstance(writer, ctx), runId),
            ].join("; "),
        },
        // Before anything is created: a restored cluster the worker cannot verify is of no use.
        { name: "tls", run: () => checkRdsCaBundle(this.source.caBundleFile) },
      ],
      [this.origin.restorePermission, "rds:CreateDBInstance", "rds:AddTagsToResource"],
    );
  }

  async restore(runId: string, target: RecoveryPoint, ctx?: PitrCallContext): Promise<{ identifier: string; adopted: boolean }> {
    const plan = await this.origin.plan(target, ctx);
    const identifier = this.ids(runId).cluster;
    const what = `DB cluster "${identifier}"`;
    log(ctx, `Restoring ${what} from ${plan.from}`);
    if ((await plan.send(runId, identifier, ctx)) === "exists") {
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
        DBParameterGroupName: this.origin.writerParameterGroup,
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
              ? {
                  host: cluster.Endpoint,
                  port: cluster.Port,
                  database: this.source.database,
                  user: this.source.user,
                  identifier: clusterId,
                }
              : null,
        };
      },
      this.options,
      options,
    );
  }

  /**
   * Protection first, so a refused ModifyDBCluster (a missing permission) leaves both resources
   * as they were; then the writer, because RDS refuses to delete a cluster that still has
   * instances not being deleted; then the cluster with its final snapshot. The writer has no
   * protection or snapshot of its own: on Aurora both belong to the cluster, which holds the data.
   */
  async cleanup(runId: string, options: PitrCleanupOptions, ctx?: PitrCallContext): Promise<PitrCleanupResult> {
    const { cluster, writer } = this.ids(runId);
    const clusterWhat = `DB cluster "${cluster}"`;
    const writerWhat = `writer instance "${writer}"`;
    const instance = await this.api.describeInstance(writer, ctx);
    const restored = await this.api.describeCluster(cluster, ctx);
    const clusterAction = cleanupAction(clusterWhat, restored && { TagList: restored.TagList, status: restored.Status }, runId, ctx);
    if (clusterAction === "delete" && restored?.DeletionProtection) {
      log(ctx, `Lifting deletion protection on ${clusterWhat}`);
      await this.api.unprotectCluster(cluster, ctx);
    }
    const deleted: string[] = [];
    const writerAction = cleanupAction(
      writerWhat,
      instance && { TagList: instance.TagList, status: instance.DBInstanceStatus },
      runId,
      ctx,
    );
    if (writerAction === "delete") {
      log(ctx, `Deleting ${writerWhat}`);
      await this.api.deleteInstance(writer, "cluster-member", ctx);
    }
    if (writerAction !== "skip") deleted.push(writer);
    let finalSnapshot: string | null = null;
    if (clusterAction === "delete") {
      const snapshotId = options.finalSnapshot ? finalSnapshotIdentifier(this.kind, cluster) : null;
      finalSnapshot = await deleteWithFinalSnapshot(
        clusterWhat,
        snapshotId,
        runId,
        {
          remove: (final) => this.api.deleteCluster(cluster, final, ctx),
          describeSnapshot: () => this.api.describeClusterSnapshot(snapshotId ?? "", ctx),
        },
        ctx,
      );
    }
    if (clusterAction !== "skip") deleted.push(cluster);
    return { deleted, finalSnapshot };
  }

  private ids(runId: string): { cluster: string; writer: string } {
    const cluster = restoredIdentifier(this.source.restoredIdentifierPrefix, runId, WRITER_SUFFIX.length);
    return { cluster, writer: `${cluster}${WRITER_SUFFIX}` };
  }
}

/**
 * The source cluster's point-in-time window in its own region. What RestoreDBClusterToPointInTime
 * does not copy from the source is passed explicitly: the configured value, else the source's,
 * so the restored cluster matches the source.
 */
function sourceClusterOrigin(config: AuroraPitrSource): ClusterRestoreOrigin {
  return (api, options) => {
    const describeSource = async (ctx?: PitrCallContext): Promise<{ cluster: DBCluster; window: RestoreWindow }> => {
      const id = config.clusterIdentifier;
      const cluster = await api.describeCluster(id, ctx);
      if (!cluster) {
        throw new PitrResourceNotFoundError(
          `The source DB cluster "${id}" was not found in ${config.region}. Check clusterIdentifier and region in the configuration.`,
        );
      }
      const window = buildWindow(
        `DB cluster "${id}"`,
        { earliest: cluster.EarliestRestorableTime, latest: cluster.LatestRestorableTime },
        options.now(),
        "RDS did not report EarliestRestorableTime (automated backups off, or the cluster is new)",
      );
      return { cluster, window };
    };
    const restoreInput = (
      runId: string,
      target: RecoveryPoint,
      identifier: string,
      source: DBCluster,
    ): RestoreDBClusterToPointInTimeCommandInput => {
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
        ...RESTORED_RESOURCE_SAFETY,
        Tags: runTags(runId, config.clusterIdentifier, target),
      };
    };
    return {
      restorePermission: "rds:RestoreDBClusterToPointInTime",
      writerParameterGroup: config.dbParameterGroupName,
      describeWindow: async (ctx) => (await describeSource(ctx)).window,
      async plan(target, ctx) {
        const { cluster, window } = await describeSource(ctx);
        return {
          check: windowCheckMessage(window, target),
          from: `"${config.clusterIdentifier}" to ${target.kind === "latest" ? "the latest restorable time" : formatUtc(target.time)}`,
          send: (runId, identifier, sendCtx) => api.restoreCluster(restoreInput(runId, target, identifier, cluster), sendCtx),
        };
      },
    };
  };
}
