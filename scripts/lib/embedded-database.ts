import path from "node:path";
import pg from "pg";
import { LocalCluster } from "@/lib/providers/postgres/cluster";
import { dataDir, persistentSecret } from "./data-dir";

export const APP_DATABASE = "restore_console";

export interface EmbeddedDatabase {
  url: string;
  cluster: LocalCluster;
  stop(): Promise<void>;
}

/**
 * The app's private PostgreSQL cluster under .data/app-db: created on first run, started on a
 * free loopback port, password-protected (scram) with a generated password kept in .data/secrets.
 */
export async function startEmbeddedDatabase(): Promise<EmbeddedDatabase> {
  const password = await persistentSecret("app-db-password");
  const cluster = await LocalCluster.open({ baseDir: path.join(dataDir(), "app-db"), password });
  const { startedHere } = await cluster.start();
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [APP_DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${APP_DATABASE}`);
  } finally {
    await admin.end();
  }
  // A cluster someone else started (the running dashboard) is left running.
  return { url: cluster.url(APP_DATABASE), cluster, stop: async () => (startedHere ? cluster.stop("fast") : undefined) };
}
