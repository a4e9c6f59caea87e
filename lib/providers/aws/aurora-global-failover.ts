import "server-only";
import type { DBCluster, GlobalCluster, GlobalClusterMember, RDSClient } from "@aws-sdk/client-rds";
import { rdsArnRegion } from "@/lib/config/schema";
import type { AuroraPitrSource } from "@/lib/providers/aws/aurora-pitr-provider";
import {
  log,
  RdsApi,
  resolveRdsOptions,
  waitUntil,
  type RdsProviderOptions,
  type ResolvedRdsOptions,
} from "@/lib/providers/aws/rds-common";
import { PitrFailedError, PitrResourceNotFoundError, type PitrCallContext, type PitrEndpoint } from "@/lib/providers/pitr";

export type AuroraGlobalDr = Extract<NonNullable<AuroraPitrSource["dr"]>, { mode: "global" }>;

export interface GlobalClusterMemberState {
  /** The member cluster's ARN, as the global database names it. */
  arn: string;
  region: string | null;
  isWriter: boolean;
  /** RDS's synchronization status ("connected", "pending-resync"); null when not reported. */
  synchronization: string | null;
}

/** An Aurora global database as described now. */
export interface GlobalDatabaseState {
  identifier: string;
  /** RDS's status of the global database, e.g. "available" or "failing-over". */
  status: string;
  members: GlobalClusterMemberState[];
  /** The member that accepts writes; null while none does (during a failover). */
  writer: GlobalClusterMemberState | null;
  /** The configured DR cluster; null when it is not (or no longer) a member. */
  drMember: GlobalClusterMemberState | null;
  /** A switchover or failover under way, as RDS reports it. */
  transition: { status: string; fromArn: string | null; toArn: string | null; dataLossAllowed: boolean } | null;
  describedAt: Date;
  notes: string[];
}

/**
 * "switchover": no data loss, but every region must be reachable (a planned move, or a region
 * that is degraded yet answering). "failover-allowing-data-loss": for a primary region that is
 * down; writes it had not yet replicated to the DR cluster are lost.
 */
export type GlobalFailoverMode = "switchover" | "failover-allowing-data-loss";

export interface GlobalPromotionResult {
  /** The DR cluster's writer endpoint, which now accepts writes. */
  endpoint: PitrEndpoint;
  /** False when an earlier attempt (or someone else) had already started it: nothing was sent. */
  started: boolean;
}

/**
 * Recovery through an Aurora global database: its secondary cluster in the DR region is made
 * to accept writes, by detaching it (a standalone cluster) or by failing the global database
 * over to it. Nothing is restored or created, so there is nothing to clean up. Every call goes
 * to the DR region; each is safe to repeat, as it first reads what an earlier attempt did.
 */
export class AuroraGlobalFailover {
  private readonly options: ResolvedRdsOptions;
  private readonly api: RdsApi;
  private readonly what: string;

  constructor(
    client: RDSClient,
    private readonly source: AuroraPitrSource,
    private readonly dr: AuroraGlobalDr,
    options?: RdsProviderOptions,
  ) {
    this.options = resolveRdsOptions(options);
    this.api = new RdsApi(client, this.options);
    this.what = `DB cluster "${dr.secondaryClusterIdentifier}" in ${dr.region}`;
  }

  async describeGlobalCluster(ctx?: PitrCallContext): Promise<GlobalDatabaseState> {
    const global = await this.requireGlobalCluster(ctx);
    const member = (raw: GlobalClusterMember | undefined): GlobalClusterMemberState | null =>
      raw?.DBClusterArn
        ? {
            arn: raw.DBClusterArn,
            region: rdsArnRegion(raw.DBClusterArn) ?? null,
            isWriter: raw.IsWriter ?? false,
            synchronization: raw.SynchronizationStatus ?? null,
          }
        : null;
    const members = (global.GlobalClusterMembers ?? []).flatMap((raw) => member(raw) ?? []);
    const drMember = member(this.drMemberOf(global) ?? undefined);
    const transition = global.FailoverState?.Status
      ? {
          status: global.FailoverState.Status,
          fromArn: global.FailoverState.FromDbClusterArn ?? null,
          toArn: global.FailoverState.ToDbClusterArn ?? null,
          dataLossAllowed: global.FailoverState.IsDataLossAllowed ?? false,
        }
      : null;
    return {
      identifier: this.dr.globalClusterIdentifier,
      status: global.Status ?? "unknown",
      members,
      writer: members.find((m) => m.isWriter) ?? null,
      drMember,
      transition,
      describedAt: this.options.now(),
      notes: [
        "RDS does not report a global database's replication lag; CloudWatch does (AuroraGlobalDBReplicationLag and AuroraGlobalDBRPOLag of the DR cluster).",
        ...(drMember ? [] : [`${this.what} is not a member of the global database (detached already?).`]),
      ],
    };
  }

  /**
   * Detaches the DR cluster from the global database (RemoveFromGlobalCluster): it becomes a
   * standalone cluster that accepts writes, with what had been replicated to it. Then waits
   * until it is available with a writer. The global database and its other members are left as
   * they are; the old primary, if it comes back, still accepts writes of its own.
   */
  async detachAndPromote(options: PitrCallContext & { timeoutMs: number }): Promise<GlobalPromotionResult> {
    const globalId = this.dr.globalClusterIdentifier;
    const global = await this.api.describeGlobalCluster(globalId, options);
    const member = global ? this.drMemberOf(global) : null;
    if (member?.IsWriter) {
      log(options, `${this.what} is already the writer of the global database "${globalId}": there is nothing to detach`);
      return { endpoint: await this.waitUntilWritable(false, options), started: false };
    }
    if (!member?.DBClusterArn) {
      log(
        options,
        global
          ? `${this.what} is not a member of the global database "${globalId}" (an earlier attempt detached it)`
          : `The global database "${globalId}" was not found (deleted after its last secondary left?); ${this.what} should be standalone`,
      );
      return { endpoint: await this.waitUntilWritable(true, options), started: false };
    }
    log(
      options,
      `Detaching ${this.what} from the global database "${globalId}": it becomes a standalone cluster that accepts writes; what the primary region had not replicated to it is not in it`,
    );
    try {
      await this.api.removeFromGlobalCluster(globalId, member.DBClusterArn, options);
    } catch (error) {
      // A retried request whose first attempt went through is refused; what counts is the outcome.
      const after = await this.api.describeGlobalCluster(globalId, options);
      if (after && this.drMemberOf(after)) throw error;
      log(options, `${this.what} is detached after all (an attempt went through before the error)`);
    }
    return { endpoint: await this.waitUntilWritable(true, options), started: true };
  }

  /**
   * Makes the DR cluster the writer of the global database (SwitchoverGlobalCluster, or
   * FailoverGlobalCluster with AllowDataLoss), then waits until it accepts writes. A switchover
   * or failover already under way to it is waited for, not started again.
   */
  async failover(mode: GlobalFailoverMode, options: PitrCallContext & { timeoutMs: number }): Promise<GlobalPromotionResult> {
    const globalId = this.dr.globalClusterIdentifier;
    const global = await this.requireGlobalCluster(options);
    const member = this.drMemberOf(global);
    if (!member?.DBClusterArn) {
      throw new PitrResourceNotFoundError(
        `${this.what} is not a member of the global database "${globalId}" (detached already?), so there is nothing to fail over to. Check dr.secondaryClusterIdentifier; a detached cluster accepts writes itself.`,
      );
    }
    const transition = global.FailoverState;
    if (transition?.Status) {
      if (transition.ToDbClusterArn !== member.DBClusterArn) {
        throw new PitrFailedError(
          `A switchover or failover of the global database "${globalId}" to ${transition.ToDbClusterArn ?? "another cluster"} is under way (${transition.Status}). Wait until it finishes, then retry.`,
        );
      }
      log(options, `A switchover or failover to ${this.what} is already under way (${transition.Status}); waiting for it`);
      return { endpoint: await this.waitUntilPrimary(options), started: false };
    }
    if (member.IsWriter) {
      log(options, `${this.what} is already the writer of the global database "${globalId}"`);
      return { endpoint: await this.waitUntilPrimary(options), started: false };
    }
    log(
      options,
      mode === "switchover"
        ? `Switching the global database "${globalId}" over to ${this.what} (no data loss; every region must answer)`
        : `Failing the global database "${globalId}" over to ${this.what}, allowing data loss: writes not yet replicated to it are lost`,
    );
    try {
      if (mode === "switchover") await this.api.switchoverGlobalCluster(globalId, member.DBClusterArn, options);
      else await this.api.failoverGlobalClusterAllowingDataLoss(globalId, member.DBClusterArn, options);
    } catch (error) {
      // A retried request whose first attempt went through is refused; what counts is the outcome.
      const after = await this.api.describeGlobalCluster(globalId, options);
      const drAfter = after && this.drMemberOf(after);
      if (!drAfter?.IsWriter && after?.FailoverState?.ToDbClusterArn !== member.DBClusterArn) throw error;
      log(options, `The global database "${globalId}" is moving to ${this.what} after all (an attempt went through before the error)`);
    }
    return { endpoint: await this.waitUntilPrimary(options), started: true };
  }

  private async requireGlobalCluster(ctx?: PitrCallContext): Promise<GlobalCluster> {
    const global = await this.api.describeGlobalCluster(this.dr.globalClusterIdentifier, ctx);
    if (!global) {
      throw new PitrResourceNotFoundError(
        `The global database "${this.dr.globalClusterIdentifier}" was not found from ${this.dr.region}. Check dr.globalClusterIdentifier in the configuration.`,
      );
    }
    return global;
  }

  /** The configured secondary, named by ARN, or by identifier within the DR region (ARNs carry it in lowercase). */
  private drMemberOf(global: GlobalCluster): GlobalClusterMember | null {
    const wanted = this.dr.secondaryClusterIdentifier;
    const matches = (arn: string) =>
      wanted.startsWith("arn:") ? arn === wanted : rdsArnRegion(arn) === this.dr.region && arn.endsWith(`:cluster:${wanted.toLowerCase()}`);
    return global.GlobalClusterMembers?.find((m) => m.DBClusterArn !== undefined && matches(m.DBClusterArn)) ?? null;
  }

  /** Until the DR cluster is available with a writer instance (and, when `detached`, out of the global database). */
  private waitUntilWritable(detached: boolean, options: PitrCallContext & { timeoutMs: number }): Promise<PitrEndpoint> {
    return waitUntil(
      async () => {
        const cluster = await this.api.describeCluster(this.dr.secondaryClusterIdentifier, options);
        const inGlobal = cluster?.GlobalClusterIdentifier;
        if (detached && inGlobal && inGlobal.toLowerCase() !== this.dr.globalClusterIdentifier.toLowerCase()) {
          throw new PitrFailedError(
            `${this.what} belongs to the global database "${inGlobal}", not "${this.dr.globalClusterIdentifier}", so nothing was detached. Fix dr.globalClusterIdentifier, then retry.`,
          );
        }
        const stillMember = detached && inGlobal !== undefined;
        const status = cluster?.Status === "available" && stillMember ? "available, still in the global database" : cluster?.Status;
        return {
          resources: [{ what: this.what, status: cluster ? (status ?? "unknown") : null }],
          ready: cluster && !stillMember ? this.writableEndpoint(cluster) : null,
        };
      },
      this.options,
      options,
    );
  }

  /** Until the DR cluster is the global database's writer, no transition is under way, and it is available. */
  private waitUntilPrimary(options: PitrCallContext & { timeoutMs: number }): Promise<PitrEndpoint> {
    const globalWhat = `global database "${this.dr.globalClusterIdentifier}"`;
    return waitUntil(
      async () => {
        const global = await this.api.describeGlobalCluster(this.dr.globalClusterIdentifier, options);
        const cluster = await this.api.describeCluster(this.dr.secondaryClusterIdentifier, options);
        const transition = global?.FailoverState?.Status;
        if (transition === "cancelling") {
          throw new PitrFailedError(
            `RDS is cancelling the switchover or failover of the ${globalWhat}: the writer stays where it was. Check the global database's RDS events, then retry.`,
          );
        }
        const isWriter = global ? (this.drMemberOf(global)?.IsWriter ?? false) : false;
        const role = isWriter ? `writer is ${this.what}` : `${this.what} is not its writer yet`;
        return {
          resources: [
            { what: globalWhat, status: global ? (transition ?? `${global.Status ?? "unknown"}, ${role}`) : null },
            { what: this.what, status: cluster ? (cluster.Status ?? "unknown") : null },
          ],
          ready: cluster && isWriter && !transition ? this.writableEndpoint(cluster) : null,
        };
      },
      this.options,
      options,
    );
  }

  /**
   * The endpoint once the cluster is available with a writer instance. A cluster without
   * instances (a headless secondary) never accepts writes: that fails at once.
   */
  private writableEndpoint(cluster: DBCluster): PitrEndpoint | null {
    if (cluster.Status !== "available") return null;
    const members = cluster.DBClusterMembers ?? [];
    if (members.length === 0) {
      throw new PitrFailedError(
        `${this.what} has no DB instance, so it cannot accept writes. Add one to it (CreateDBInstance in ${this.dr.region}), then retry.`,
      );
    }
    if (!members.some((m) => m.IsClusterWriter) || !cluster.Endpoint || cluster.Port === undefined) return null;
    return {
      host: cluster.Endpoint,
      port: cluster.Port,
      database: this.source.database,
      user: this.source.user,
      identifier: cluster.DBClusterIdentifier ?? this.dr.secondaryClusterIdentifier,
    };
  }
}
