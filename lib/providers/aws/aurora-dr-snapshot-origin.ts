import "server-only";
import type { DBClusterSnapshot } from "@aws-sdk/client-rds";
import { rdsArnRegion } from "@/lib/config/schema";
import type { AuroraPitrSource, ClusterRestoreOrigin } from "@/lib/providers/aws/aurora-pitr-provider";
import { buildWindow, formatUtc, RESTORED_RESOURCE_SAFETY, runTags, type RdsApi } from "@/lib/providers/aws/rds-common";
import { PitrResourceNotFoundError, RestoreWindowError, type PitrCallContext } from "@/lib/providers/pitr";

export type AuroraSnapshotDr = Extract<NonNullable<AuroraPitrSource["dr"]>, { mode: "snapshot" }>;

interface CopiedSnapshot {
  name: string;
  /** What RestoreDBClusterFromSnapshot is given: the ARN, else the identifier. */
  reference: string;
  takenAt: Date;
  status: string;
  percentProgress: number | undefined;
  iamAuth: boolean | undefined;
}

/**
 * The newest snapshot of the source cluster copied to the DR region, restored there with
 * RestoreDBClusterFromSnapshot. A copy can only be restored as it is: the window is the copy's
 * time, and the data loss is everything written after it. Nothing is asked of the source's region.
 */
export function copiedSnapshotOrigin(config: AuroraPitrSource, dr: AuroraSnapshotDr): ClusterRestoreOrigin {
  const sourceWhat = `DB cluster "${config.clusterIdentifier}"`;
  return (api, options) => ({
    restorePermission: "rds:RestoreDBClusterFromSnapshot",
    writerParameterGroup: dr.dbParameterGroupName,
    async describeWindow(ctx) {
      const copies = await copiesOf(api, config, dr, ctx);
      const newest = newestAvailable(copies, config, dr);
      const window = buildWindow(
        `the snapshots of ${sourceWhat} copied to ${dr.region}`,
        { earliest: newest.takenAt, latest: newest.takenAt },
        options.now(),
        "no copied snapshot reported its time",
      );
      const pending = copies.find((copy) => copy.status !== "available" && copy.takenAt > newest.takenAt);
      return {
        ...window,
        snapshot: { name: newest.name, takenAt: newest.takenAt },
        notes: [
          ...window.notes,
          `From ${dr.region} the restore is of a copied snapshot: the newest, "${newest.name}", was taken at ${formatUtc(newest.takenAt)}, and data written after it is not in it.`,
          ...(pending
            ? [
                `A newer copy, "${pending.name}" (taken at ${formatUtc(pending.takenAt)}), is still ${pending.status}${pending.percentProgress === undefined ? "" : ` (${pending.percentProgress}%)`}: describe the window again once it is available to lose less.`,
              ]
            : []),
        ],
      };
    },
    async plan(target, ctx) {
      const copies = await copiesOf(api, config, dr, ctx);
      let chosen = newestAvailable(copies, config, dr);
      if (target.kind === "time") {
        // An older copy's exact time is kept: a restore planned on it stays possible after a newer copy arrives.
        const exact = copies.find((copy) => copy.status === "available" && copy.takenAt.getTime() === target.time.getTime());
        if (!exact) {
          throw new RestoreWindowError(
            `${formatUtc(target.time)} is not the time of a snapshot copied to ${dr.region}: from there the restore can only be to the newest copy's time ${formatUtc(chosen.takenAt)} (snapshot "${chosen.name}"), or to "latest restorable".`,
          );
        }
        chosen = exact;
      }
      const taken = formatUtc(chosen.takenAt);
      return {
        check: `Restoring the DB cluster snapshot "${chosen.name}" copied to ${dr.region}, taken at ${taken}: data written after it is not in it`,
        from: `the DB cluster snapshot "${chosen.name}" in ${dr.region} (taken at ${taken})`,
        send: (runId, identifier, sendCtx) =>
          api.restoreClusterFromSnapshot(
            {
              DBClusterIdentifier: identifier,
              SnapshotIdentifier: chosen.reference,
              Engine: "aurora-postgresql",
              DBSubnetGroupName: dr.dbSubnetGroupName,
              VpcSecurityGroupIds: dr.vpcSecurityGroupIds,
              DBClusterParameterGroupName: dr.dbClusterParameterGroupName,
              KmsKeyId: dr.kmsKeyId,
              EnableIAMDatabaseAuthentication: config.enableIamAuth ?? chosen.iamAuth ?? false,
              ...RESTORED_RESOURCE_SAFETY,
              // The point the data really is at, whatever the request said ("latest" included).
              Tags: runTags(runId, config.clusterIdentifier, { kind: "time", time: chosen.takenAt }),
            },
            sendCtx,
          ),
      };
    },
  });
}

/**
 * The snapshots in the DR region of the source cluster (a copy keeps its DBClusterIdentifier)
 * that were copied from the source's region (SourceDBClusterSnapshotArn): a snapshot taken in
 * the DR region of a cluster with the same name is not one. Newest first.
 */
async function copiesOf(api: RdsApi, config: AuroraPitrSource, dr: AuroraSnapshotDr, ctx?: PitrCallContext): Promise<CopiedSnapshot[]> {
  const id = config.clusterIdentifier.toLowerCase();
  const snapshots = await api.describeClusterSnapshots({ Filters: [{ Name: "db-cluster-id", Values: [config.clusterIdentifier] }] }, ctx);
  return snapshots
    .flatMap((snapshot: DBClusterSnapshot): CopiedSnapshot[] => {
      const name = snapshot.DBClusterSnapshotIdentifier;
      const copiedFrom = snapshot.SourceDBClusterSnapshotArn;
      const takenAt = snapshot.SnapshotCreateTime;
      if (!name || !takenAt || !copiedFrom || snapshot.DBClusterIdentifier?.toLowerCase() !== id) return [];
      if (rdsArnRegion(copiedFrom) !== config.region) return [];
      return [
        {
          name,
          reference: snapshot.DBClusterSnapshotArn ?? name,
          takenAt,
          status: snapshot.Status ?? "unknown",
          percentProgress: snapshot.PercentProgress,
          iamAuth: snapshot.IAMDatabaseAuthenticationEnabled,
        },
      ];
    })
    .sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
}

function newestAvailable(copies: CopiedSnapshot[], config: AuroraPitrSource, dr: AuroraSnapshotDr): CopiedSnapshot {
  const newest = copies.find((copy) => copy.status === "available");
  if (!newest) {
    throw new PitrResourceNotFoundError(
      `No available snapshot of DB cluster "${config.clusterIdentifier}" copied from ${config.region} was found in ${dr.region}${copies.length > 0 ? ` (${copies.length} still copying)` : ""}. Copy snapshots there (CopyDBClusterSnapshot, or a cross-region copy rule), then describe the window again.`,
    );
  }
  return newest;
}
