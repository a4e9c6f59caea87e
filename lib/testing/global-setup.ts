import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { LocalCluster } from "@/lib/providers/postgres/cluster";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of the PostgreSQL cluster shared by this integration run. */
    pgAdminUrl: string;
  }
}

/** One real PostgreSQL cluster for the whole integration run; each test file makes its own databases. */
export default async function setup(project: TestProject) {
  const baseDir = await mkdtemp(path.join(tmpdir(), "rc-int-pg-"));
  const cluster = await LocalCluster.open({ baseDir, settings: { fsync: false, max_connections: 200 } });
  await cluster.start();
  project.provide("pgAdminUrl", cluster.url());
  return async () => {
    await cluster.stop("immediate");
    await rm(baseDir, { recursive: true, force: true });
  };
}
