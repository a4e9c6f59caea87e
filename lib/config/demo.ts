import path from "node:path";
import { ConfigFile, type ConfigFileInput } from "@/lib/config/schema";

const DEFAULT_S3_ENDPOINT = "http://127.0.0.1:4569";
const DEFAULT_S3_DR_ENDPOINT = "http://127.0.0.1:4570";
const DEFAULT_PG_PORT = 54329;

/** The folders, under demoRoot(), of the demo's two S3-protocol servers: the primary region's and the DR region's. */
export const DEMO_S3_FOLDERS = { primary: "s3", dr: "s3-dr" } as const;

/**
 * While a file of this name is in an S3 server's folder, the server refuses every connection (the
 * demo's simulated regional outage, scripts/lib/s3-server-main.mjs); removed, it listens again.
 */
export const SIMULATED_OUTAGE_FLAG = ".simulated-outage";

function setting(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

function demoPort(): number {
  const raw = setting("DEMO_PG_PORT");
  const port = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : NaN;
  return port >= 1 && port <= 65535 ? port : DEFAULT_PG_PORT;
}

function demoEndpoint(name: string, fallback: string): string {
  const raw = setting(name);
  if (raw === undefined || !URL.canParse(raw)) return fallback;
  const url = new URL(raw);
  const usable = (url.protocol === "http:" || url.protocol === "https:") && !url.username && !url.password;
  return usable ? raw : fallback;
}

/** Where the demo keeps its state: <data>/demo, <data> being the run command's data folder. */
export function demoRoot(options: { cwd?: string } = {}): string {
  return path.join(path.resolve(options.cwd ?? process.cwd(), setting("RESTORE_CONSOLE_DATA_DIR") ?? ".data"), "demo");
}

/**
 * Four-eyes on the demo's restore targets named in RESTORE_CONSOLE_DEMO_FOUR_EYES (comma-separated,
 * e.g. "demo-dr"): off unless set, so the demo stays a one-person demo. The end-to-end tests set it
 * to try two people on one target while every other test works alone on the other.
 */
function demoFourEyes(targets: readonly string[]): { fourEyes: { targets: string[] } } | Record<string, never> {
  const named = (setting("RESTORE_CONSOLE_DEMO_FOUR_EYES") ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => targets.includes(name));
  return named.length > 0 ? { fourEyes: { targets: named } } : {};
}

/**
 * The built-in demo: LoanServe on this machine, started by the run command, which passes the
 * data directory, S3-protocol endpoints and PostgreSQL port through the environment. A value
 * that is unset or unusable falls back to the run command's default, so this never throws.
 */
export function demoConfig(options: { cwd?: string } = {}): ConfigFile {
  const demo = demoRoot(options);
  const port = demoPort();
  const passwordFrom = { env: "DEMO_PG_PASSWORD" };
  // Restores run as a user like a managed database's master user: LOGIN CREATEDB CREATEROLE,
  // member of the application role, never a superuser (scripts/lib/demo/loanserve-roles.ts).
  const s3Credentials = { accessKeyIdFrom: { env: "DEMO_S3_ACCESS_KEY_ID" }, secretAccessKeyFrom: { env: "DEMO_S3_SECRET_ACCESS_KEY" } };
  const restoreUser = { user: "restore_admin", passwordFrom: { env: "DEMO_RESTORE_PASSWORD" }, ownerRole: "loanserve" };

  const input: ConfigFileInput = {
    version: 1,
    defaultEnvironment: "demo",
    environments: [
      {
        name: "demo",
        displayName: "Demo (LoanServe on this machine)",
        protected: false,
        pitr: {
          provider: "local",
          dataDir: path.join(demo, "production", "data"),
          archiveDir: path.join(demo, "wal-archive"),
          baseBackupDir: path.join(demo, "base-backups"),
          restoreDir: path.join(demo, "pitr-restores"),
          port,
          database: "loanserve",
          user: "postgres",
          passwordFrom,
          // Hourly, so the window's earliest end moves and pruning is visible in the demo.
          baseBackupSchedule: "0 * * * *",
        },
        backupStore: {
          kind: "s3",
          bucket: "loanserve-backups",
          prefix: "prod/pg/",
          endpoint: demoEndpoint("DEMO_S3_ENDPOINT", DEFAULT_S3_ENDPOINT),
          region: "us-east-1",
          forcePathStyle: true,
          ...s3Credentials,
        },
        // A second local S3 server plays the DR region: the run command copies the nightly dumps
        // there, all but one (never copied) and one that arrives late (scripts/lib/demo).
        backupReplicas: [
          {
            name: "dr",
            label: "us-west-2 (DR, demo)",
            store: {
              kind: "s3",
              bucket: "loanserve-backups-dr",
              prefix: "prod/pg/",
              endpoint: demoEndpoint("DEMO_S3_DR_ENDPOINT", DEFAULT_S3_DR_ENDPOINT),
              region: "us-west-2",
              forcePathStyle: true,
              ...s3Credentials,
            },
          },
        ],
        restoreTargets: [
          {
            name: "demo-production",
            host: "127.0.0.1",
            port,
            database: "loanserve",
            ...restoreUser,
            sslMode: "disable",
          },
          {
            name: "demo-dr",
            host: "127.0.0.1",
            port,
            database: "loanserve_dr",
            ...restoreUser,
            sslMode: "disable",
          },
          {
            // Where drills restore: a sandbox whose own database never needs to exist.
            name: "demo-drill",
            host: "127.0.0.1",
            port,
            database: "loanserve_drill",
            ...restoreUser,
            sslMode: "disable",
            production: false,
          },
        ],
        // Nightly at 04:00 UTC, a dump and the PITR source to a random point; the demo's first
        // drill runs as soon as a backup is verified (lib/demo/demo-first-drill-job.ts).
        drills: { schedule: "0 4 * * *", timeZone: "UTC", target: "demo-drill", backup: "newest-verified", pitr: true },
        ...demoFourEyes(["demo-production", "demo-dr"]),
      },
    ],
  };
  // Through the schema, so the demo gets the same defaults (objectives, freshness) as a file.
  return ConfigFile.parse(input);
}
