import type { OidcSettings } from "@/lib/auth/oidc-policy";
import type { ConfigDescription } from "@/lib/config/describe-config";
import { plural } from "@/lib/format";
import { formatMinutes, formatMinutesRange } from "@/lib/incidents/measure-objectives";
import { nextCronFire } from "@/lib/jobs/cron-schedule";
import { DEFAULT_RESTORE_JOBS } from "@/lib/restore/logical/plan";
import { DEFAULT_CONNECTIVITY_QUERY } from "@/lib/restore/pitr/plan";

// The Settings page in words: the configuration as sections of facts a person on call reads
// (what the database runs on, where the dumps are, where restores go), not the YAML's keys.
// Built from describeConfig's output, whose secrets are already only where they come from.

/** How a fact's value reads. */
export type FactValue =
  /** Plain words. */
  | { kind: "text"; text: string }
  /** An identifier, role, cron expression or query: monospace. */
  | { kind: "code"; text: string }
  /** A URL, host:port/database or path: monospace, wrapping only at a "/" or a space. */
  | { kind: "address"; text: string }
  /** Where a secret comes from ("env PGPASSWORD") and whether it is there now; never the secret. */
  | { kind: "secret"; source: string; state: string | null; available: boolean }
  /** An instant (ISO 8601). */
  | { kind: "time"; at: string }
  /** A setting left out, and what that means. */
  | { kind: "unset"; text: string };

export interface Fact {
  term: string;
  value: FactValue;
}

export interface SettingsSection {
  key: string;
  title: string;
  /** What it is in a few words ("AWS Aurora PostgreSQL"), or "Not configured". */
  summary: string;
  facts: Fact[];
  /** What the summary means for a person, when facts do not say it. */
  note: string | null;
}

export interface RestoreTargetSettings {
  name: string;
  /** Holds production data, so drills never restore here. */
  production: boolean;
  drillTarget: boolean;
  facts: Fact[];
}

export interface ValidationCheckSettings {
  name: string;
  description: string | null;
  severity: "block" | "warn";
}

export interface EnvironmentSettings {
  name: string;
  title: string;
  description: string | null;
  protected: boolean;
  isDefault: boolean;
  sections: SettingsSection[];
  targets: RestoreTargetSettings[];
  checks: ValidationCheckSettings[];
}

type Environment = ConfigDescription["environments"][number];

const text = (value: string): FactValue => ({ kind: "text", text: value });
const code = (value: string): FactValue => ({ kind: "code", text: value });
const address = (value: string): FactValue => ({ kind: "address", text: value });
const unset = (value: string): FactValue => ({ kind: "unset", text: value });
const fact = (term: string, value: FactValue): Fact => ({ term, value });

const AVAILABLE_SECRET_STATES = new Set(["set", "readable"]);

/** A described secret reference ("env PGPASSWORD (set)", describeSecretRef) split into where and whether. */
export function secretValue(description: string): FactValue {
  const match = /^(.*) \(([^()]*)\)$/.exec(description);
  if (!match?.[1] || !match[2]) return { kind: "secret", source: description, state: null, available: false };
  return { kind: "secret", source: match[1], state: match[2], available: AVAILABLE_SECRET_STATES.has(match[2]) };
}

/** Facts whose settings are optional and say nothing when left out. */
function present(facts: ReadonlyArray<Fact | false | undefined>): Fact[] {
  return facts.filter((f): f is Fact => f !== false && f !== undefined);
}

function section(key: string, title: string, summary: string, facts: Fact[], note: string | null = null): SettingsSection {
  return { key, title, summary, facts, note };
}

function connectivityFact(query: string | undefined): Fact {
  return fact("Connectivity test", query ? code(query) : code(`${DEFAULT_CONNECTIVITY_QUERY} (default)`));
}

function pitrSection(pitr: Environment["pitr"]): SettingsSection {
  const title = "Point-in-time recovery";
  if (!pitr) return section("pitr", title, "Not configured", [], "Point-in-time restores are not available in this environment.");
  if (pitr.provider === "local") {
    return section("pitr", title, "Local PostgreSQL (WAL archive and base backups)", [
      fact("Server", address(`${pitr.host}:${pitr.port}/${pitr.database}`)),
      fact("User", code(pitr.user)),
      fact("Password", pitr.passwordFrom ? secretValue(pitr.passwordFrom) : unset("none: trust or a .pgpass file")),
      fact("Data directory", address(pitr.dataDir)),
      fact("WAL archive", address(pitr.archiveDir)),
      fact("Base backups", address(pitr.baseBackupDir)),
      fact("Restored clusters go to", address(pitr.restoreDir)),
      fact("Base backup schedule", pitr.baseBackupSchedule ? code(pitr.baseBackupSchedule) : unset("none: taken outside Restore Console")),
      connectivityFact(pitr.connectivityQuery),
    ]);
  }
  const aurora = pitr.engine === "aurora-postgresql";
  return section("pitr", title, aurora ? "AWS Aurora PostgreSQL" : "Amazon RDS for PostgreSQL", [
    aurora ? fact("Cluster", code(pitr.clusterIdentifier)) : fact("Instance", code(pitr.instanceIdentifier)),
    fact("Region", code(pitr.region)),
    fact("Database", code(pitr.database)),
    fact("User", code(pitr.user)),
    fact("Password", pitr.passwordFrom ? secretValue(pitr.passwordFrom) : unset("none: IAM authentication or a .pgpass file")),
    fact("CA bundle", pitr.caBundleFile ? address(pitr.caBundleFile) : unset("none: runs stop at preflight")),
    fact("Writer instance class", code(pitr.writerInstanceClass)),
    fact("Restored names start with", code(pitr.restoredIdentifierPrefix)),
    ...present([
      pitr.dbSubnetGroupName !== undefined && fact("Subnet group", code(pitr.dbSubnetGroupName)),
      pitr.vpcSecurityGroupIds !== undefined && fact("Security groups", code(pitr.vpcSecurityGroupIds.join(", "))),
      pitr.engine === "aurora-postgresql" &&
        pitr.dbClusterParameterGroupName !== undefined &&
        fact("Cluster parameter group", code(pitr.dbClusterParameterGroupName)),
      pitr.dbParameterGroupName !== undefined && fact("Parameter group", code(pitr.dbParameterGroupName)),
      pitr.kmsKeyId !== undefined && fact("KMS key", address(pitr.kmsKeyId)),
      pitr.enableIamAuth !== undefined && fact("IAM authentication", text(pitr.enableIamAuth ? "on" : "off")),
    ]),
    connectivityFact(pitr.connectivityQuery),
  ]);
}

type StoreSettings = NonNullable<Environment["backupStore"]>;

/** What a backup store is, in a few words, and where: the primary and its replicas alike. */
function storeFacts(store: StoreSettings): { summary: string; facts: Fact[] } {
  if (store.kind === "local") return { summary: "Folder on this machine", facts: [fact("Path", address(store.path))] };
  const credentials =
    store.accessKeyIdFrom !== undefined && store.secretAccessKeyFrom !== undefined
      ? [fact("Access key ID", secretValue(store.accessKeyIdFrom)), fact("Secret access key", secretValue(store.secretAccessKeyFrom))]
      : [fact("Credentials", unset("the standard AWS credential chain"))];
  return {
    summary: store.endpoint ? "S3-compatible store" : "Amazon S3",
    facts: [
      fact("Bucket", code(store.bucket)),
      fact("Prefix", store.prefix ? address(store.prefix) : unset("none: the bucket's root")),
      fact("Endpoint", store.endpoint ? address(store.endpoint) : unset("AWS, for the region")),
      fact("Region", code(store.region)),
      fact("Addressing", text(store.forcePathStyle ? "path-style" : "virtual-hosted")),
      ...credentials,
    ],
  };
}

function backupStoreSection(store: Environment["backupStore"]): SettingsSection {
  const title = "Backup store";
  if (!store) {
    return section(
      "backup-store",
      title,
      "Not configured",
      [],
      "Logical restores and drills of dumps are not available in this environment.",
    );
  }
  const { summary, facts } = storeFacts(store);
  return section("backup-store", title, summary, facts);
}

function backupReplicaSection(replica: Environment["backupReplicas"][number]): SettingsSection {
  const { summary, facts } = storeFacts(replica.store);
  return section(
    `backup-replica-${replica.name}`,
    `Backup replica ${replica.label ?? replica.name}`,
    summary,
    [fact("Name", code(replica.name)), ...facts],
    "A copy of the backup store: compared with it at every catalog refresh, read from when the primary is down.",
  );
}

function objectivesSection(env: Environment): SettingsSection {
  const { rto, rpo } = env.objectives;
  return section("objectives", "Objectives", "Recovery time (RTO) and data loss (RPO)", [
    fact("RTO, point-in-time", text(formatMinutesRange(rto.pitr.minMinutes, rto.pitr.maxMinutes))),
    fact("RTO, logical", text(formatMinutesRange(rto.logical.minMinutes, rto.logical.maxMinutes))),
    fact("RTO, cross-region", text(formatMinutesRange(rto.crossRegion.minMinutes, rto.crossRegion.maxMinutes))),
    fact("RPO, point-in-time", text(formatMinutes(rpo.pitr.minutes))),
    fact("RPO, logical", text(formatMinutes(rpo.logical.minutes))),
    fact("Newest backup is stale after", text(formatMinutes(env.backupFreshness.maxAgeHours * 60))),
    fact("Restored copies kept for", text(plural(env.retention.restoredCopiesDays, "day"))),
  ]);
}

const DRILL_BACKUPS: Record<NonNullable<Environment["drills"]>["backup"], string> = {
  "newest-verified": "the newest verified backup",
  "oldest-in-retention": "the oldest backup still kept",
};

function drillsSection(drills: Environment["drills"], now: Date): SettingsSection {
  const title = "Restore drills";
  if (!drills) return section("drills", title, "Not configured", [], "No drills run in this environment, scheduled or on demand.");
  const next = nextCronFire(drills.schedule, now, drills.timeZone);
  return section("drills", title, "Scheduled", [
    fact("Schedule", code(drills.schedule)),
    fact("Time zone", text(drills.timeZone)),
    fact("Next run", next ? { kind: "time", at: next.toISOString() } : unset("never: the schedule does not fire again")),
    fact("Logical drill", drills.target ? text(`${DRILL_BACKUPS[drills.backup]} onto ${drills.target}`) : unset("none")),
    fact("Point-in-time drill", drills.pitr ? text("the PITR source to a random point of its window") : unset("none")),
  ]);
}

function approvalsSection(fourEyes: Environment["fourEyes"]): SettingsSection {
  const title = "Four-eyes approvals";
  if (!fourEyes) {
    return section("four-eyes", title, "Off", [], "One person may swap, roll back, cut over and clean up, with the typed confirmations.");
  }
  return section("four-eyes", title, "On", [
    fact("Actions", code(fourEyes.actions.join(", "))),
    fact("Approved by", text(fourEyes.approverRole === "admin" ? "another admin" : "another operator or admin")),
    fact("Within", text(formatMinutes(fourEyes.windowMinutes))),
    fact(
      "Applies to runs onto",
      fourEyes.targets
        ? code(fourEyes.targets.map((t) => (t === "pitr" ? "pitr (point-in-time)" : t)).join(", "))
        : text("every target, and point-in-time restores"),
    ),
  ]);
}

function notificationsSection(notifications: Environment["notifications"]): SettingsSection {
  const title = "Notifications";
  if (!notifications) return section("notifications", title, "Off", [], "Incident updates are posted to no webhook.");
  return section("notifications", title, "Slack-compatible webhook", [fact("Webhook URL", secretValue(notifications.webhookUrlFrom))]);
}

/** Whether a target holds production data, and why when the target itself does not say. */
function productionText(target: Environment["restoreTargets"][number], env: Environment): string {
  if (target.production !== undefined) return target.production ? "yes" : "no";
  return env.protected ? "yes, as the environment is protected" : "no, as the environment is not protected";
}

function targetSettings(target: Environment["restoreTargets"][number], env: Environment): RestoreTargetSettings {
  return {
    name: target.name,
    production: target.production ?? env.protected,
    drillTarget: env.drills?.target === target.name,
    facts: [
      fact("Address", address(`${target.host}:${target.port}/${target.database}`)),
      fact("Production data", text(productionText(target, env))),
      fact("User", code(target.user)),
      fact("Password", target.passwordFrom ? secretValue(target.passwordFrom) : unset("none: trust or a .pgpass file")),
      fact("TLS", code(`sslmode=${target.sslMode}`)),
      fact("Restored database owned by", target.ownerRole ? code(target.ownerRole) : unset("the replaced database's owner")),
      fact("Loads with", text(`${plural(target.jobs ?? DEFAULT_RESTORE_JOBS, "connection")}${target.jobs ? "" : " (default)"}`)),
      fact("Maintenance database", code(target.maintenanceDatabase)),
    ],
  };
}

/** One environment of the configuration as the Settings page shows it. `now` dates the next drill. */
export function environmentSettings(env: Environment, options: { defaultEnvironment: string; now: Date }): EnvironmentSettings {
  return {
    name: env.name,
    title: env.displayName ?? env.name,
    description: env.description ?? null,
    protected: env.protected,
    isDefault: env.name === options.defaultEnvironment,
    sections: [
      pitrSection(env.pitr),
      backupStoreSection(env.backupStore),
      ...env.backupReplicas.map(backupReplicaSection),
      objectivesSection(env),
      drillsSection(env.drills, options.now),
      approvalsSection(env.fourEyes),
      notificationsSection(env.notifications),
    ],
    targets: env.restoreTargets.map((target) => targetSettings(target, env)),
    checks: env.validation.checks.map((check) => ({ name: check.name, description: check.description ?? null, severity: check.severity })),
  };
}

/**
 * How people sign in: passwords, and single sign-on when OIDC_* is set. The client secret is
 * named by its variable only; this never reads it.
 */
export function signInSection(oidc: Omit<OidcSettings, "clientSecret"> | undefined, sessionLifetimeHours: number): SettingsSection {
  const session = fact("Sessions last", text(`${formatMinutes(sessionLifetimeHours * 60)} from sign-in`));
  if (!oidc) {
    return section(
      "sign-in",
      "Sign-in",
      "Email and password",
      [session],
      "Single sign-on is off: set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET to turn it on.",
    );
  }
  const mapped = oidc.roleMap.length > 0;
  return section("sign-in", "Sign-in", `Email and password, and single sign-on (${oidc.name})`, [
    fact("Issuer", address(oidc.issuer)),
    fact("Client ID", code(oidc.clientId)),
    fact("Client secret", { kind: "secret", source: "env OIDC_CLIENT_SECRET", state: "set", available: true }),
    fact("Scopes", code(oidc.scopes)),
    fact("Email domains", oidc.allowedDomains.length > 0 ? code(oidc.allowedDomains.join(", ")) : unset("every domain")),
    fact("Required groups", oidc.allowedGroups.length > 0 ? code(oidc.allowedGroups.join(", ")) : unset("none")),
    fact("Groups claim", code(oidc.groupsClaim)),
    mapped
      ? fact("Roles", code(`${oidc.roleClaim}: ${oidc.roleMap.map((m) => `${m.value}=${m.role}`).join(", ")}`))
      : fact("Roles", unset("managed on the People page")),
    fact(
      mapped ? "No mapping matches" : "New people get",
      mapped ? (oidc.defaultRole ? code(oidc.defaultRole) : text("refused")) : code(oidc.defaultRole ?? "viewer"),
    ),
    session,
  ]);
}
