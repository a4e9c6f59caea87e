import { buildLogicalPlan, type LogicalRestorePlan, type RunMode } from "@/lib/restore/logical/plan";

/**
 * A logical plan as the engine stores one, for tests that write run rows directly: a plain dump
 * `backupName` taken `takenAt`, onto `targetName` (database `database`) on loopback.
 */
export function testLogicalPlan(input: {
  environment: string;
  runId: string;
  mode: RunMode;
  targetName: string;
  database: string;
  backupId: string;
  backupName: string;
  takenAt: Date;
}): LogicalRestorePlan {
  return buildLogicalPlan({
    environment: { name: input.environment, protected: false },
    source: {
      backupId: input.backupId,
      name: input.backupName,
      key: `${input.environment}/${input.backupName}`,
      takenAt: input.takenAt.toISOString(),
      size: 100,
      format: "plain-gzip",
      sha256: null,
      verificationState: "verified",
      manifestTables: null,
      pgVersion: null,
      overridden: false,
    },
    target: {
      name: input.targetName,
      host: "127.0.0.1",
      port: 5432,
      database: input.database,
      user: "nobody",
      maintenanceDatabase: "postgres",
      sslMode: "disable",
    },
    mode: input.mode,
    newDatabaseName: null,
    runId: input.runId,
    at: new Date(),
    configuredChecks: 0,
    builtinChecks: 5,
    preflight: null,
  });
}
