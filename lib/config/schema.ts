import { z } from "zod";
import { cronProblem, isTimeZone } from "@/lib/jobs/cron-schedule";

// The configuration file's schema. Every object is strict so a typo is an error, not a
// silently ignored field; messages say what is wrong without echoing the value (it might be a
// secret pasted in the wrong place).

// ---------------------------------------------------------------------------------------------
// Error messages

/** How a value of the file reads to a person ("received text", never the text itself). */
function describeKind(value: unknown): string {
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return "text";
    case "number":
      return "a number";
    case "boolean":
      return "true/false";
    case "object":
      return "a mapping";
    default:
      return typeof value;
  }
}

const EXPECTED_KIND: Readonly<Record<string, string>> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
};

/**
 * Error map for parsing a whole file: a missing field says "is required", a wrong type names
 * the expected and received kinds. Schemas with their own message keep it.
 */
const fileErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== "invalid_type") return undefined;
  const expected = EXPECTED_KIND[issue.expected] ?? issue.expected;
  if (issue.input === undefined) return `is required (expected ${expected})`;
  return `expected ${expected}, received ${describeKind(issue.input)}`;
};

/** Fields people reach for when pasting a secret into the file, and the field to use instead. */
const SECRET_FIELDS: Readonly<Record<string, string>> = {
  password: "passwordFrom",
  accessKeyId: "accessKeyIdFrom",
  secretAccessKey: "secretAccessKeyFrom",
  webhookUrl: "webhookUrlFrom",
};

const normaliseKey = (key: string) => key.toLowerCase().replace(/[-_]/g, "");

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function unknownKeyAdvice(key: string, known: readonly string[], hints: Readonly<Record<string, string>>): string {
  const hint = hints[key];
  if (hint) return hint;
  const secretField = SECRET_FIELDS[key];
  if (secretField) {
    return `secrets never go in this file; use ${secretField}: { env: NAME } (or { file: PATH }) instead`;
  }
  const suggestion =
    known.find((k) => normaliseKey(k) === normaliseKey(key)) ??
    known.find((k) => key.length > 3 && editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  if (suggestion) return `unknown field; did you mean "${suggestion}"?`;
  return `unknown field (allowed: ${known.join(", ")})`;
}

type StrictOptions = {
  /** What the mapping is, for "expected …, received …" (default "a mapping"). */
  expected?: string;
  /** Advice for specific unknown keys, e.g. a field that belongs to another variant. */
  hints?: Readonly<Record<string, string>>;
};

/**
 * A strict object whose unknown-key message suggests the intended field. With a single
 * unknown key the message omits the key, because the loader appends it to the path.
 */
function strict<T extends z.core.$ZodLooseShape>(shape: T, options: StrictOptions = {}) {
  const known = Object.keys(shape);
  const hints = options.hints ?? {};
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === "unrecognized_keys") {
        const [only, ...rest] = issue.keys;
        if (only !== undefined && rest.length === 0) return unknownKeyAdvice(only, known, hints);
        return issue.keys.map((key) => `"${key}": ${unknownKeyAdvice(key, known, hints)}`).join("; ");
      }
      if (issue.code === "invalid_type" && issue.input !== undefined) {
        return `expected ${options.expected ?? "a mapping"}, received ${describeKind(issue.input)}`;
      }
      return undefined;
    },
  });
}

type OneKeyOf<S extends z.core.$ZodLooseShape> = { [K in keyof S]: { [P in K]: z.output<S[P]> } }[keyof S];

/** A mapping holding exactly one of the given keys, e.g. `{ env: NAME }` or `{ file: PATH }`. */
function exactlyOneOf<S extends z.core.$ZodLooseShape>(shape: S, expected: string) {
  const keys = Object.keys(shape);
  return strict(shape, { expected })
    .partial()
    .superRefine((value: Record<string, unknown>, ctx) => {
      const present = keys.filter((key) => value[key] !== undefined);
      if (present.length !== 1) {
        ctx.addIssue({ code: "custom", message: `expected exactly one of ${expected}` });
      }
    })
    .transform((value: Record<string, unknown>) => {
      const key = keys.find((k) => value[k] !== undefined) ?? "";
      // The refinement above guarantees exactly one key is present.
      return { [key]: value[key] } as OneKeyOf<S>;
    });
}

// ---------------------------------------------------------------------------------------------
// Scalars

const SLUG_MESSAGE = "must be 1–63 lowercase letters, digits or hyphens, starting with a letter or digit";
const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, SLUG_MESSAGE);

const Text = z.string().trim().min(1, "must not be empty");

const PORT_MESSAGE = "expected a number between 1 and 65535";
const Port = z.int({ error: PORT_MESSAGE }).min(1, PORT_MESSAGE).max(65535, PORT_MESSAGE);

// Quoted as identifiers later; anything odd is rejected here, where the message can be clear.
const PgName = z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, "must be 1–63 characters: letters, digits, _ or -");

const Host = z.string().regex(/^[A-Za-z0-9._:[\]-]+$/, "must be a host name or IP address (no scheme, port or path)");

const AbsolutePath = z.string().refine((p) => p.startsWith("/"), "must be an absolute path (starting with /)");

const Minutes = z.int({ error: "expected a whole number of minutes" }).positive("must be more than 0 minutes");

const Percent = z
  .number({ error: "expected a percentage between 0 and 100" })
  .min(0, "expected a percentage between 0 and 100")
  .max(100, "expected a percentage between 0 and 100");

// ---------------------------------------------------------------------------------------------
// Secrets

const EnvVarName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name such as DR_DB_PASSWORD (A–Z, 0–9, _)");

/** Where a secret lives: an environment variable name or a file (e.g. a mounted secret). Never the secret. */
export const SecretRef = exactlyOneOf(
  { env: EnvVarName, file: AbsolutePath },
  "{ env: NAME } or { file: PATH } (the file never holds the secret itself)",
);
export type SecretRef = z.infer<typeof SecretRef>;

// ---------------------------------------------------------------------------------------------
// Objectives (runbook §4: RTO and RPO)

const RtoRange = strict({ minMinutes: Minutes, maxMinutes: Minutes }, { expected: "{ minMinutes, maxMinutes }" }).refine(
  (range) => range.minMinutes <= range.maxMinutes,
  { message: "must not be less than minMinutes", path: ["maxMinutes"] },
);
const RpoTarget = strict({ minutes: Minutes }, { expected: "{ minutes }" });

/** Recovery objectives per method; every value defaults to the runbook's. */
export const Objectives = strict({
  rto: strict({
    pitr: RtoRange.default({ minMinutes: 15, maxMinutes: 45 }),
    logical: RtoRange.default({ minMinutes: 30, maxMinutes: 120 }),
    crossRegion: RtoRange.default({ minMinutes: 60, maxMinutes: 180 }),
  }).prefault({}),
  rpo: strict({
    pitr: RpoTarget.default({ minutes: 5 }),
    logical: RpoTarget.default({ minutes: 24 * 60 }),
  }).prefault({}),
});
export type Objectives = z.infer<typeof Objectives>;

// ---------------------------------------------------------------------------------------------
// Point-in-time recovery sources

// RDS identifiers: a letter first, then letters, digits and single hyphens, at most 63.
const RdsIdentifier = z
  .string()
  .max(63, "must be at most 63 characters")
  .regex(/^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$/, "must start with a letter and contain only letters, digits and single hyphens");

const AwsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be an AWS region such as us-east-1");

const SecurityGroupIds = z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, "must be a security group id such as sg-0123456789abcdef0"));

// ---------------------------------------------------------------------------------------------
// Regional failure: where an AWS source is recovered when its own region is down

/** The region of an RDS ARN (`arn:<partition>:rds:<region>:<account>:<resource>`). */
export function rdsArnRegion(arn: string): string | undefined {
  return arn.split(":")[3];
}

function rdsArn(resource: RegExp, example: string) {
  const pattern = new RegExp(`^arn:aws[a-z-]*:rds:[a-z]{2}(-[a-z]+)+-\\d+:\\d{12}:${resource.source}$`);
  return z.string().regex(pattern, `must be an ARN such as ${example}`);
}

const AutomatedBackupsArn = rdsArn(
  /auto-backup:ab-[A-Za-z0-9]+/,
  "arn:aws:rds:us-west-2:123456789012:auto-backup:ab-L2IJCEXJP7XQ7HOJ4SIEXAMPLE",
);
const ClusterArn = rdsArn(/cluster:[A-Za-z][A-Za-z0-9-]*/, "arn:aws:rds:us-west-2:123456789012:cluster:loanserve-dr");

// The RDS API's pattern for a global database identifier.
const GlobalClusterIdentifier = z
  .string()
  .max(255, "must be at most 255 characters")
  .regex(/^[A-Za-z][0-9A-Za-z:._-]*$/, "must start with a letter and contain only letters, digits, hyphens, colons, dots or underscores");

/** An ARN, when given, must name something in the DR region: RDS looks for it there. */
function reportArnOutsideDrRegion(dr: { region: string }, field: string, arn: string | undefined, ctx: z.RefinementCtx): void {
  if (arn === undefined || !arn.startsWith("arn:")) return;
  const region = rdsArnRegion(arn);
  if (region !== dr.region) {
    ctx.addIssue({ code: "custom", path: [field], message: `is in ${region ?? "no region"}, not in the DR region ${dr.region}` });
  }
}

/** Where a restore in the DR region puts the new database: the source's own network does not exist there. */
const drPlacementFields = {
  region: AwsRegion,
  /** Absent: the DR region's default subnet group (default VPC). */
  dbSubnetGroupName: Text.optional(),
  /** Absent: the VPC's default security group. */
  vpcSecurityGroupIds: SecurityGroupIds.optional(),
  /** Absent: the engine's default parameter group in the DR region. */
  dbParameterGroupName: Text.optional(),
};

const GLOBAL_ONLY_HINT = "applies to mode: global (failing over to the global database's secondary cluster)";
const SNAPSHOT_ONLY_HINT =
  "applies to mode: snapshot; mode: global promotes the existing secondary cluster, whose network, parameter groups and key are already set";
const INSTANCE_ONLY_HINT =
  "applies to RDS for PostgreSQL instances (engine: postgres); Aurora recovers from a copied cluster snapshot (mode: snapshot) or its global database (mode: global)";

/** RDS for PostgreSQL: a point-in-time restore from the instance's automated backups replicated to the DR region. */
const RdsInstanceDr = strict(
  {
    ...drPlacementFields,
    /** Absent: the replicated backups of instanceIdentifier from the source's region, found in the DR region. */
    automatedBackupsArn: AutomatedBackupsArn.optional(),
  },
  {
    hints: {
      kmsKeyId:
        "not used: a restore from replicated backups keeps the KMS key they are encrypted with in the DR region (chosen when replication was started)",
      mode: "applies to Aurora sources; an RDS instance is restored in the DR region from its replicated automated backups",
      globalClusterIdentifier: "applies to Aurora sources (mode: global)",
    },
  },
).superRefine((dr, ctx) => reportArnOutsideDrRegion(dr, "automatedBackupsArn", dr.automatedBackupsArn, ctx));

/** Aurora: restore the newest snapshot of the source cluster copied to the DR region (data after it is not in the copy). */
const AuroraSnapshotDr = strict(
  {
    mode: z.literal("snapshot"),
    ...drPlacementFields,
    dbClusterParameterGroupName: Text.optional(),
    /** Absent: the key the copied snapshot is encrypted with. KMS keys are regional: give one of the DR region. */
    kmsKeyId: Text.optional(),
  },
  {
    hints: {
      globalClusterIdentifier: GLOBAL_ONLY_HINT,
      secondaryClusterIdentifier: GLOBAL_ONLY_HINT,
      automatedBackupsArn: INSTANCE_ONLY_HINT,
    },
  },
);

/** Aurora global database: its secondary cluster in the DR region is detached or failed over to; nothing is restored. */
const AuroraGlobalDr = strict(
  {
    mode: z.literal("global"),
    region: AwsRegion,
    globalClusterIdentifier: GlobalClusterIdentifier,
    /** The secondary cluster in the DR region: its identifier or ARN. */
    secondaryClusterIdentifier: z
      .string()
      .refine(
        (id) => RdsIdentifier.safeParse(id).success || ClusterArn.safeParse(id).success,
        "must be a DB cluster identifier or a DB cluster ARN such as arn:aws:rds:us-west-2:123456789012:cluster:loanserve-dr",
      ),
  },
  {
    hints: {
      dbSubnetGroupName: SNAPSHOT_ONLY_HINT,
      vpcSecurityGroupIds: SNAPSHOT_ONLY_HINT,
      dbParameterGroupName: SNAPSHOT_ONLY_HINT,
      dbClusterParameterGroupName: SNAPSHOT_ONLY_HINT,
      kmsKeyId: SNAPSHOT_ONLY_HINT,
      automatedBackupsArn: INSTANCE_ONLY_HINT,
    },
  },
).superRefine((dr, ctx) => reportArnOutsideDrRegion(dr, "secondaryClusterIdentifier", dr.secondaryClusterIdentifier, ctx));

const AuroraDr = z.discriminatedUnion("mode", [AuroraSnapshotDr, AuroraGlobalDr], {
  error:
    'expected mode "snapshot" (restore the newest cluster snapshot copied to the DR region) or "global" (the Aurora global database\'s secondary cluster in the DR region)',
});

function reportDrInSourceRegion(source: { region: string; dr?: { region: string } }, ctx: z.RefinementCtx): void {
  if (source.dr?.region === source.region) {
    ctx.addIssue({
      code: "custom",
      path: ["dr", "region"],
      message: `must differ from the source's region (${source.region}): the DR region is where the database is recovered when that region fails`,
    });
  }
}

const awsCommonFields = {
  provider: z.literal("aws"),
  region: AwsRegion,
  writerInstanceClass: z
    .string()
    .regex(/^db\.[a-z0-9.]+$/, "must be an instance class such as db.r6g.large")
    .default("db.r6g.large"),
  dbSubnetGroupName: Text.optional(),
  vpcSecurityGroupIds: SecurityGroupIds.optional(),
  dbParameterGroupName: Text.optional(),
  kmsKeyId: Text.optional(),
  enableIamAuth: z.boolean().optional(),
  /** Restored clusters/instances are named from this; defaults to the source identifier + "-restore". */
  restoredIdentifierPrefix: RdsIdentifier.optional(),
  /** Database used for the post-restore connectivity test. */
  database: PgName.default("loanserve"),
  /** The connectivity test run on the restored database (read-only); default `SELECT count(*) FROM loans`. */
  connectivityQuery: Text.optional(),
  user: PgName,
  /** Absent: IAM authentication or a .pgpass file. */
  passwordFrom: SecretRef.optional(),
  /**
   * PEM bundle of the RDS certificate authorities (AWS publishes the global one at
   * https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem): connections to a restored
   * endpoint verify its certificate and host name against it. Without it a run stops at preflight.
   */
  caBundleFile: AbsolutePath.optional(),
};

const AuroraPitrSource = strict(
  {
    ...awsCommonFields,
    engine: z.literal("aurora-postgresql").default("aurora-postgresql"),
    clusterIdentifier: RdsIdentifier,
    dbClusterParameterGroupName: Text.optional(),
    /** Absent: no recovery in another region is configured. */
    dr: AuroraDr.optional(),
  },
  {
    hints: {
      instanceIdentifier:
        "instanceIdentifier is for RDS for PostgreSQL instances; set engine: postgres, or use clusterIdentifier for Aurora",
    },
  },
)
  .superRefine(reportDrInSourceRegion)
  .transform((source) => ({
    ...source,
    restoredIdentifierPrefix: source.restoredIdentifierPrefix ?? `${source.clusterIdentifier}-restore`,
  }));

const RdsInstancePitrSource = strict(
  {
    ...awsCommonFields,
    engine: z.literal("postgres"),
    instanceIdentifier: RdsIdentifier,
    /** Absent: no recovery in another region is configured. */
    dr: RdsInstanceDr.optional(),
  },
  {
    hints: {
      clusterIdentifier: "clusterIdentifier is for Aurora; with engine: postgres use instanceIdentifier (or set engine: aurora-postgresql)",
      dbClusterParameterGroupName: "applies to Aurora only; RDS for PostgreSQL instances use dbParameterGroupName",
    },
  },
)
  .superRefine(reportDrInSourceRegion)
  .transform((source) => ({
    ...source,
    restoredIdentifierPrefix: source.restoredIdentifierPrefix ?? `${source.instanceIdentifier}-restore`,
  }));

/** Aurora PostgreSQL clusters (the default engine) or RDS for PostgreSQL instances. */
export const AwsPitrSource = z.discriminatedUnion("engine", [AuroraPitrSource, RdsInstancePitrSource], {
  error: 'expected engine "aurora-postgresql" (the default, an Aurora cluster) or "postgres" (an RDS instance)',
});
export type AwsPitrSource = z.infer<typeof AwsPitrSource>;

/** A cron expression (5 fields, or 6 with seconds first), checked by the parser the schedules run on. */
const CronExpression = z.string().superRefine((expression, ctx) => {
  const problem = cronProblem(expression);
  if (problem) ctx.addIssue({ code: "custom", message: `expected a cron expression such as "0 2 * * *" (${problem})` });
});

/** A self-hosted PostgreSQL cluster with WAL archiving and base backups on this machine. */
export const LocalPitrSource = strict({
  provider: z.literal("local"),
  dataDir: AbsolutePath,
  archiveDir: AbsolutePath,
  baseBackupDir: AbsolutePath,
  /** Where restored clusters are created. */
  restoreDir: AbsolutePath,
  host: Host.default("127.0.0.1"),
  port: Port.default(5432),
  database: PgName,
  user: PgName,
  passwordFrom: SecretRef.optional(),
  /** The connectivity test run on the restored database (read-only); default `SELECT count(*) FROM loans`. */
  connectivityQuery: Text.optional(),
  baseBackupSchedule: CronExpression.optional(),
});
export type LocalPitrSource = z.infer<typeof LocalPitrSource>;

export const PitrSource = z.discriminatedUnion("provider", [AwsPitrSource, LocalPitrSource], {
  error: 'expected provider "aws" or "local"',
});
export type PitrSource = z.infer<typeof PitrSource>;

// ---------------------------------------------------------------------------------------------
// Backup stores (logical dumps and their manifests)

const Endpoint = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).refine((url) => {
  const parsed = new URL(url);
  return parsed.username === "" && parsed.password === "";
}, "must not contain credentials; use accessKeyIdFrom and secretAccessKeyFrom");

export const S3BackupStore = strict({
  kind: z.literal("s3"),
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name (3–63 lowercase letters, digits, dots, hyphens)"),
  prefix: z
    .string()
    .refine((p) => !p.startsWith("/"), 'must not start with "/" (S3 keys have no leading slash)')
    .default("")
    .transform((p) => (p === "" || p.endsWith("/") ? p : `${p}/`)),
  endpoint: Endpoint.optional(),
  region: AwsRegion.default("us-east-1"),
  /** Defaults to true with a custom endpoint (S3-compatible servers), else false. */
  forcePathStyle: z.boolean().optional(),
  /** Both or neither; neither means the standard AWS credential chain. */
  accessKeyIdFrom: SecretRef.optional(),
  secretAccessKeyFrom: SecretRef.optional(),
})
  .superRefine((store, ctx) => {
    if ((store.accessKeyIdFrom === undefined) !== (store.secretAccessKeyFrom === undefined)) {
      const missing = store.accessKeyIdFrom === undefined ? "accessKeyIdFrom" : "secretAccessKeyFrom";
      ctx.addIssue({
        code: "custom",
        path: [missing],
        message: "give both accessKeyIdFrom and secretAccessKeyFrom, or neither to use the standard AWS credential chain",
      });
    }
  })
  .transform((store) => ({ ...store, forcePathStyle: store.forcePathStyle ?? store.endpoint !== undefined }));
export type S3BackupStore = z.infer<typeof S3BackupStore>;

export const LocalBackupStore = strict({ kind: z.literal("local"), path: AbsolutePath });
export type LocalBackupStore = z.infer<typeof LocalBackupStore>;

export const BackupStore = z.discriminatedUnion("kind", [S3BackupStore, LocalBackupStore], {
  error: 'expected kind "s3" or "local"',
});
export type BackupStore = z.infer<typeof BackupStore>;

/**
 * A copy of the backup store somewhere else: a replicated bucket in another region, a second
 * S3-compatible endpoint, a folder. Read when the primary is down (a regional failure) or chosen.
 */
export const BackupReplica = strict({
  name: Slug,
  /** Where it is, for people: "us-west-2 (DR)". */
  label: Text.optional(),
  store: BackupStore,
});
export type BackupReplica = z.infer<typeof BackupReplica>;

// ---------------------------------------------------------------------------------------------
// Restore targets

// The restore drops and recreates `database` while connected to `maintenanceDatabase`.
const UNDROPPABLE_DATABASES = new Set(["template0", "template1"]);

/** The run's loader role is allowed a bounded number of sessions (pg_restore -j adds a leader). */
const MAX_RESTORE_JOBS = 16;

export const RestoreTargetConfig = strict({
  name: Slug,
  host: Host,
  port: Port.default(5432),
  database: PgName.refine((name) => !UNDROPPABLE_DATABASES.has(name), "must not be a template database"),
  user: PgName,
  /** Absent: no password (trust authentication or a .pgpass file). */
  passwordFrom: SecretRef.optional(),
  sslMode: z
    .enum(["disable", "prefer", "require", "verify-full"], {
      error: "expected one of disable, prefer, require, verify-full",
    })
    .default("prefer"),
  maintenanceDatabase: PgName.default("postgres"),
  /**
   * The role that owns the restored database and its objects (default: the owner of the database
   * being replaced). The dump itself is loaded by a per-run loader role, then handed over to it.
   */
  ownerRole: PgName.optional(),
  /**
   * Connections a logical restore loads with (absent: DEFAULT_RESTORE_JOBS in lib/restore/logical/plan.ts). A plain dump is split
   * into its sections and spread over them; a custom-format dump is restored with pg_restore -j.
   * 1 loads a plain dump in one transaction instead. Each connection builds its own indexes, with
   * its own maintenance_work_mem on the target, so more than its cores rarely helps.
   */
  /**
   * Whether this target holds production data (absent: the environment's `protected`). Drills
   * restore only onto a target that does not.
   */
  production: z.boolean().optional(),
  jobs: z
    .int({ error: `expected a whole number of connections from 1 to ${MAX_RESTORE_JOBS}` })
    .min(1, `expected a whole number of connections from 1 to ${MAX_RESTORE_JOBS}`)
    .max(MAX_RESTORE_JOBS, `expected a whole number of connections from 1 to ${MAX_RESTORE_JOBS}`)
    .optional(),
}).refine((target) => target.database !== target.maintenanceDatabase, {
  message: "must differ from maintenanceDatabase (the restore drops the target database while connected there)",
  path: ["database"],
});
export type RestoreTargetConfig = z.infer<typeof RestoreTargetConfig>;

// ---------------------------------------------------------------------------------------------
// Validation checks

// Comments, string literals, quoted identifiers and dollar-quoted bodies, in one pass so a
// quote inside a comment (or "--" inside a string) is read correctly.
const SQL_NOISE = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g;

const WRITE_KEYWORD = /\b(insert|update|delete|merge|truncate|drop|alter|create|grant|revoke|copy|call|vacuum|reindex|lock|into)\b/i;

/**
 * A first line of defence against a check that writes: obvious multi-statement or non-query
 * text is rejected here. The runner must still execute checks in a READ ONLY transaction.
 */
function sqlProblem(sql: string): string | undefined {
  const code = sql
    .replace(SQL_NOISE, (match) => (match.startsWith("-") || match.startsWith("/") ? " " : "''"))
    .trim()
    .replace(/;\s*$/, "");
  if (code.includes(";")) return "must be a single statement (a ';' is allowed only at the end)";
  if (!/^(select|with)\b/i.test(code)) return "must be a read-only query starting with SELECT or WITH";
  const write = WRITE_KEYWORD.exec(code);
  if (write) return `must be read-only (it contains ${write[0].toUpperCase()})`;
  return undefined;
}

const Sql = Text.superRefine((sql, ctx) => {
  const problem = sqlProblem(sql);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/**
 * What a check's query must return: a single number (first column of the first row), compared
 * to a constant, to the backup manifest's row count for a table, or to the same query on the
 * source database.
 */
export const ValidationExpectation = exactlyOneOf(
  {
    equals: z.number(),
    atLeast: z.number(),
    atMost: z.number(),
    zero: z.literal(true, { error: "expected true" }),
    withinPercentOfManifest: strict(
      {
        table: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/, "must be a table name such as loans or public.loans"),
        percent: Percent,
      },
      { expected: "{ table, percent }" },
    ),
    withinPercentOfSource: Percent,
  },
  "{ equals: N }, { atLeast: N }, { atMost: N }, { zero: true }, { withinPercentOfManifest: { table, percent } } or { withinPercentOfSource: PERCENT }",
);
export type ValidationExpectation = z.infer<typeof ValidationExpectation>;

export const ValidationCheck = strict({
  name: Slug,
  description: Text.optional(),
  sql: Sql,
  expect: ValidationExpectation,
  /** block: a failure stops the swap until an admin accepts it with a reason; warn: a failure is only shown. */
  severity: z.enum(["block", "warn"], { error: 'expected "block" or "warn"' }).default("block"),
});
export type ValidationCheck = z.infer<typeof ValidationCheck>;

// ---------------------------------------------------------------------------------------------
// Four-eyes approvals

/** The actions on a restore run a second person can be required to approve (lib/approvals). */
export const FOUR_EYES_ACTIONS = ["swap", "rollback", "pitr-cut-over", "pitr-cleanup", "row-repair"] as const;
export type FourEyesAction = (typeof FOUR_EYES_ACTIONS)[number];

/**
 * Every action four-eyes can guard: the run actions, and the promotion of an Aurora global
 * database's DR cluster, which is no run (its request carries its own approval).
 */
export const GUARDED_ACTIONS = [...FOUR_EYES_ACTIONS, "global-promotion"] as const;
export type GuardedAction = (typeof GUARDED_ACTIONS)[number];

/**
 * Four-eyes on an environment: the listed actions are recorded as a request and run only when a
 * different person with `approverRole` approves it within `windowMinutes`.
 */
export const FourEyes = strict({
  actions: z
    .array(z.enum(GUARDED_ACTIONS, { error: `expected one of ${GUARDED_ACTIONS.join(", ")}` }))
    .min(1, "must list at least one action (leave fourEyes out to switch it off)")
    .default([...GUARDED_ACTIONS]),
  windowMinutes: Minutes.max(7 * 24 * 60, "must be at most a week (10080 minutes)").default(30),
  approverRole: z.enum(["operator", "admin"], { error: 'expected "operator" or "admin"' }).default("operator"),
  /** Only runs onto these restore targets (PITR runs and global promotions count as target "pitr"); absent: every run of the environment. */
  targets: z.array(Slug).min(1, "must list at least one target, or leave targets out for every run").optional(),
});
export type FourEyes = z.infer<typeof FourEyes>;

// ---------------------------------------------------------------------------------------------
// Restore drills

export const DRILL_BACKUP_CHOICES = ["newest-verified", "oldest-in-retention"] as const;
export type DrillBackupChoice = (typeof DRILL_BACKUP_CHOICES)[number];

/**
 * Scheduled proof that the backups restore: at each fire of `schedule` (read in `timeZone`), a
 * backup is restored into a new scratch database on `target`, and/or (with `pitr`) the PITR
 * source to a random point of its window into a new server; each validated, measured and deleted.
 */
export const DrillsConfig = strict({
  schedule: CronExpression,
  timeZone: z.string().refine(isTimeZone, "expected an IANA time zone such as UTC or Europe/Berlin").default("UTC"),
  /** A restore target of this environment that holds no production data: logical drills restore there. */
  target: Slug.optional(),
  /** Which backup each drill restores: the newest verified one, or the oldest the store still keeps. */
  backup: z.enum(DRILL_BACKUP_CHOICES, { error: `expected one of ${DRILL_BACKUP_CHOICES.join(", ")}` }).default("newest-verified"),
  /** Also restore the PITR source to a random point of its window into a new server, validate it and delete it. */
  pitr: z.boolean().default(false),
});
export type DrillsConfig = z.infer<typeof DrillsConfig>;

/** Whether a target holds production data: what it says, else what its environment's protection says. */
export function isProductionTarget(target: Pick<RestoreTargetConfig, "production">, environment: { protected: boolean }): boolean {
  return target.production ?? environment.protected;
}

/** Why the drills of `env` may not run where they are configured to, as schema issues. */
function reportDrillProblems(
  env: { protected: boolean; restoreTargets: RestoreTargetConfig[]; drills?: DrillsConfig; pitr?: unknown },
  ctx: z.RefinementCtx,
): void {
  const drills = env.drills;
  if (!drills) return;
  if (drills.pitr && !env.pitr) {
    ctx.addIssue({ code: "custom", path: ["drills", "pitr"], message: "needs a pitr source on this environment" });
  }
  if (drills.target === undefined) {
    if (!drills.pitr)
      ctx.addIssue({
        code: "custom",
        path: ["drills"],
        message: "needs a target (where logical drills restore) or pitr: true (point-in-time drills), or both",
      });
    return;
  }
  const target = env.restoreTargets.find((t) => t.name === drills.target);
  if (!target) {
    ctx.addIssue({
      code: "custom",
      path: ["drills", "target"],
      message: `"${drills.target}" is not one of this environment's restore targets (${env.restoreTargets.map((t) => t.name).join(", ") || "it has none"})`,
    });
    return;
  }
  if (isProductionTarget(target, env)) {
    ctx.addIssue({
      code: "custom",
      path: ["drills", "target"],
      message: `"${target.name}" holds production data${target.production === undefined ? " (the environment is protected)" : ""}; a drill needs a non-production target: add one with production: false`,
    });
    return;
  }
  const shared = env.restoreTargets.find(
    (t) => t !== target && isProductionTarget(t, env) && t.host === target.host && t.port === target.port,
  );
  if (shared) {
    ctx.addIssue({
      code: "custom",
      path: ["drills", "target"],
      message: `"${target.name}" is on the same server as the production target "${shared.name}" (${target.host}:${target.port}); a drill must not load its copy onto a production server`,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Environments and the file

function reportDuplicateNames(
  items: readonly { name: string }[],
  listPath: readonly (string | number)[],
  what: string,
  ctx: z.RefinementCtx,
) {
  const firstIndex = new Map<string, number>();
  items.forEach((item, index) => {
    const first = firstIndex.get(item.name);
    if (first === undefined) {
      firstIndex.set(item.name, index);
      return;
    }
    ctx.addIssue({
      code: "custom",
      path: [...listPath, index, "name"],
      message: `duplicate ${what} name "${item.name}" (already used at index ${first})`,
    });
  });
}

export const EnvironmentConfig = strict(
  {
    name: Slug,
    displayName: Text.optional(),
    description: Text.optional(),
    /** Restores that overwrite a protected environment's data need extra confirmation. */
    protected: z.boolean().default(false),
    pitr: PitrSource.optional(),
    backupStore: BackupStore.optional(),
    /** Copies of the backup store elsewhere, each compared with it on every catalog refresh. */
    backupReplicas: z.array(BackupReplica).default([]),
    restoreTargets: z.array(RestoreTargetConfig).default([]),
    /** Checks added to the runbook's built-in validation queries. */
    validation: strict({ checks: z.array(ValidationCheck).default([]) }).prefault({}),
    objectives: Objectives.prefault({}),
    /** Copies a logical restore leaves behind (the database it replaced, a copy that failed validation) are dropped after this many days. */
    retention: strict({
      restoredCopiesDays: z
        .number({ error: "expected a number of days" })
        .int("must be whole days")
        .min(1, "must be at least 1 day")
        .default(7),
    }).prefault({}),
    // Webhook URLs carry tokens, so they are secret references too.
    notifications: strict({ webhookUrlFrom: SecretRef }).optional(),
    /** Absent: the logical RPO (rpo.logical), i.e. 24 h by default. */
    backupFreshness: strict({
      maxAgeHours: z.number({ error: "expected a number of hours" }).positive("must be more than 0 hours"),
    }).optional(),
    /** Absent: one person may swap, roll back, cut over and clean up (with the typed confirmations). */
    fourEyes: FourEyes.optional(),
    /** Absent: no drills in this environment, scheduled or on demand. */
    drills: DrillsConfig.optional(),
  },
  { expected: "an environment mapping" },
)
  .superRefine((env, ctx) => {
    reportDuplicateNames(env.restoreTargets, ["restoreTargets"], "restore target", ctx);
    reportDuplicateNames(env.backupReplicas, ["backupReplicas"], "backup replica", ctx);
    if (env.backupReplicas.length > 0 && !env.backupStore) {
      ctx.addIssue({ code: "custom", path: ["backupReplicas"], message: "needs a backupStore: a replica is a copy of it" });
    }
    env.backupReplicas.forEach((replica, index) => {
      if (replica.name === "primary") {
        ctx.addIssue({ code: "custom", path: ["backupReplicas", index, "name"], message: '"primary" names the backupStore itself' });
      }
    });
    reportDuplicateNames(env.validation.checks, ["validation", "checks"], "check", ctx);
    reportDrillProblems(env, ctx);
    env.fourEyes?.targets?.forEach((name, index) => {
      if (name !== "pitr" && !env.restoreTargets.some((t) => t.name === name)) {
        ctx.addIssue({
          code: "custom",
          path: ["fourEyes", "targets", index],
          message: `"${name}" is not one of this environment's restore targets (or "pitr" for point-in-time restores)`,
        });
      }
    });
  })
  .transform((env) => ({
    ...env,
    backupFreshness: env.backupFreshness ?? { maxAgeHours: env.objectives.rpo.logical.minutes / 60 },
  }));
export type EnvironmentConfig = z.infer<typeof EnvironmentConfig>;

export const ConfigFile = strict(
  {
    version: z.literal(1, {
      error: (issue) =>
        issue.input === undefined
          ? "is required: add `version: 1` at the top of the file"
          : "expected 1 (the only configuration format this version of Restore Console reads)",
    }),
    defaultEnvironment: Slug.optional(),
    environments: z.array(EnvironmentConfig, { error: "expected a list of environments" }).min(1, "must list at least one environment"),
  },
  { expected: "a mapping with version and environments" },
).superRefine((file, ctx) => {
  reportDuplicateNames(file.environments, ["environments"], "environment", ctx);
  if (file.defaultEnvironment !== undefined && !file.environments.some((e) => e.name === file.defaultEnvironment)) {
    ctx.addIssue({
      code: "custom",
      path: ["defaultEnvironment"],
      message: `"${file.defaultEnvironment}" is not one of the environments (${file.environments.map((e) => e.name).join(", ")})`,
    });
  }
});
export type ConfigFile = z.infer<typeof ConfigFile>;
/** The file as written, before defaults: what a hand-built configuration (the demo, tests) passes in. */
export type ConfigFileInput = z.input<typeof ConfigFile>;

/** Parses a whole configuration with the file-level messages ("is required", "expected text, received a list"). */
export function parseConfigFile(input: unknown) {
  return ConfigFile.safeParse(input, { error: fileErrorMap });
}
