import "server-only";
import type { DBInstanceAutomatedBackup } from "@aws-sdk/client-rds";
import { rdsArnRegion } from "@/lib/config/schema";
import { buildWindow, type RdsApi } from "@/lib/providers/aws/rds-common";
import type { InstanceRestoreOrigin, RdsInstancePitrSource } from "@/lib/providers/aws/rds-instance-pitr-provider";
import { PitrResourceNotFoundError, type PitrCallContext } from "@/lib/providers/pitr";

export type RdsInstanceDr = NonNullable<RdsInstancePitrSource["dr"]>;

/**
 * The source instance's automated backups replicated to the DR region, restored there with
 * SourceDBInstanceAutomatedBackupsArn. Nothing is asked of the source's region (it may be down),
 * and its network and parameter groups do not exist in the DR region: the DR block's are used,
 * else the DR region's defaults.
 */
export function replicatedBackupsOrigin(config: RdsInstancePitrSource, dr: RdsInstanceDr): InstanceRestoreOrigin {
  return (api, options) => ({
    async describe(ctx) {
      const { backup, arn, notes } = await findReplicatedBackups(api, config, dr, ctx);
      const what = `the replicated backups of DB instance "${config.instanceIdentifier}" in ${dr.region}`;
      const window = buildWindow(
        what,
        { earliest: backup.RestoreWindow?.EarliestTime, latest: backup.RestoreWindow?.LatestTime },
        options.now(),
        "RDS reported no restore window for them (replication just started?)",
      );
      return {
        window: { ...window, notes: [...window.notes, ...notes] },
        label: what,
        input: {
          SourceDBInstanceAutomatedBackupsArn: arn,
          DBSubnetGroupName: dr.dbSubnetGroupName,
          VpcSecurityGroupIds: dr.vpcSecurityGroupIds,
          DBParameterGroupName: dr.dbParameterGroupName,
          EnableIAMDatabaseAuthentication: config.enableIamAuth ?? backup.IAMDatabaseAuthenticationEnabled ?? false,
        },
      };
    },
  });
}

const sameIdentifier = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();

/** A replicated backup reports its source instance's region (Region, or the region of DBInstanceArn). */
function sourceRegionOf(backup: DBInstanceAutomatedBackup): string | undefined {
  return backup.Region ?? (backup.DBInstanceArn ? rdsArnRegion(backup.DBInstanceArn) : undefined);
}

/**
 * The configured ARN, or else the backups in the DR region whose source is this instance in the
 * source's region: an instance of the same name living in the DR region has backups too, and
 * they report the DR region. When an instance was recreated under the same name, several sets
 * match; the one restorable to the latest time is the current one.
 */
async function findReplicatedBackups(
  api: RdsApi,
  config: RdsInstancePitrSource,
  dr: RdsInstanceDr,
  ctx?: PitrCallContext,
): Promise<{ backup: DBInstanceAutomatedBackup; arn: string; notes: string[] }> {
  const id = config.instanceIdentifier;
  if (dr.automatedBackupsArn) {
    const arn = dr.automatedBackupsArn;
    const [backup] = await api.describeAutomatedBackups({ DBInstanceAutomatedBackupsArn: arn }, ctx);
    if (!backup) {
      throw new PitrResourceNotFoundError(
        `The replicated automated backups ${arn} were not found in ${dr.region}. Check dr.automatedBackupsArn, and that automated backup replication of "${id}" to ${dr.region} is on.`,
      );
    }
    if (!sameIdentifier(backup.DBInstanceIdentifier, id)) {
      throw new PitrResourceNotFoundError(
        `dr.automatedBackupsArn names the replicated backups of DB instance "${backup.DBInstanceIdentifier ?? "unknown"}", not of "${id}", so nothing was restored. Fix dr.automatedBackupsArn.`,
      );
    }
    return { backup, arn, notes: [] };
  }
  const found = await api.describeAutomatedBackups({ Filters: [{ Name: "db-instance-id", Values: [id] }] }, ctx);
  const candidates = found
    .flatMap((backup) =>
      backup.DBInstanceAutomatedBackupsArn && sameIdentifier(backup.DBInstanceIdentifier, id) && sourceRegionOf(backup) === config.region
        ? [{ backup, arn: backup.DBInstanceAutomatedBackupsArn, latest: backup.RestoreWindow?.LatestTime?.getTime() ?? -Infinity }]
        : [],
    )
    .sort((a, b) => b.latest - a.latest);
  const [chosen] = candidates;
  if (!chosen) {
    throw new PitrResourceNotFoundError(
      `No automated backups of DB instance "${id}" replicated from ${config.region} were found in ${dr.region}. Turn on automated backup replication to ${dr.region} (StartDBInstanceAutomatedBackupsReplication), or set dr.automatedBackupsArn.`,
    );
  }
  const notes =
    candidates.length > 1
      ? [
          `${candidates.length} sets of backups of "${id}" replicated from ${config.region} are in ${dr.region} (the instance was recreated under the same name?); using ${chosen.arn}, the one restorable to the latest time. Set dr.automatedBackupsArn to choose another.`,
        ]
      : [];
  return { backup: chosen.backup, arn: chosen.arn, notes };
}
