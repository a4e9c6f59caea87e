// The run command: brings up Restore Console on its embedded default (or on DATABASE_URL),
// with the web server and the worker, and shuts everything down cleanly on Ctrl-C.
import path from "node:path";
import { defaultEnvironment, loadConfig } from "@/lib/config/load-config";
import { createDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { databaseUrlsFromEnv, type DatabaseUrls } from "@/lib/db/runtime-role";
import { declareDemoIncident, type DemoIncident } from "@/lib/demo/declare-demo-incident";
import { ensureFirstAdmin } from "@/lib/users/ensure-first-admin";
import { writeFile } from "node:fs/promises";
import { buildIsStale } from "./lib/build-freshness";
import { dataDir, persistentSecret } from "./lib/data-dir";
import { startDemoEnvironment } from "./lib/demo/demo-environment";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "./lib/embedded-database";
import { prepareAppDatabase } from "./lib/prepare-database";
import { exited, runToCompletion, spawnPrefixed } from "./lib/processes";

const BIN = path.join(process.cwd(), "node_modules", ".bin");

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`The web server did not answer ${url}/api/health within ${timeoutMs / 1000} s.`);
}

async function main() {
  // A bad configuration file stops everything before anything starts.
  const config = loadConfig();
  const port = Number(process.env.PORT ?? 3000);
  const host = "127.0.0.1";
  const baseUrl = process.env.NEXTAUTH_URL ?? `http://${host}:${port}`;

  const cleanups: Array<() => Promise<void>> = [];
  let embedded: EmbeddedDatabase | undefined;
  if (!process.env.DATABASE_URL) {
    embedded = await startEmbeddedDatabase();
    cleanups.push(() => embedded?.stop() ?? Promise.resolve());
    console.log(
      `Embedded PostgreSQL running on 127.0.0.1:${embedded.cluster.port} (data in ${path.relative(process.cwd(), embedded.cluster.dataDir)})`,
    );
  }
  // Migrations run as the owner; the web server and the worker as the runtime role, which cannot
  // alter the audit log. Only the runtime URL reaches the child processes.
  const urls: DatabaseUrls = embedded ? { runtimeUrl: embedded.url, ownerUrl: embedded.ownerUrl } : databaseUrlsFromEnv();
  if (urls.warning) console.warn(`warning: ${urls.warning}`);
  const databaseUrl = urls.runtimeUrl;

  const shutdown = async (code: number) => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: unknown) => console.error(e));
    process.exit(code);
  };

  try {
    // With no configuration file, the demo's "production" PostgreSQL and S3 store come up too.
    let demoEnv: Record<string, string> = {};
    let demoIncident: DemoIncident | undefined;
    if (config.source.kind === "demo") {
      const demo = await startDemoEnvironment();
      cleanups.push(() => demo.stop());
      demoEnv = demo.env;
      demoIncident = demo.incident;
    }
    const inherited: NodeJS.ProcessEnv = { ...process.env };
    delete inherited.MIGRATION_DATABASE_URL;
    const env: NodeJS.ProcessEnv = {
      ...inherited,
      ...demoEnv,
      DATABASE_URL: databaseUrl,
      NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? (await persistentSecret("nextauth-secret")),
      NEXTAUTH_URL: baseUrl,
      RESTORE_CONSOLE_DATA_DIR: dataDir(),
    };
    const result = await prepareAppDatabase(urls);
    for (const warning of result.warnings) console.warn(`warning: ${warning}`);
    if (result.applied.length) console.log(`Applied migrations: ${result.applied.join(", ")}`);

    const db = createDb(databaseUrl);
    const admin = await ensureFirstAdmin({
      ctx: systemCtx(db),
      input: { email: process.env.RESTORE_CONSOLE_ADMIN_EMAIL, password: process.env.RESTORE_CONSOLE_ADMIN_PASSWORD },
    });
    if (demoIncident) {
      // The demo's bad migration, declared once (a later start finds it, whatever its status).
      // Not worth stopping the start for: the demo works without it.
      try {
        const environment = defaultEnvironment(config.config).name;
        const declared = await declareDemoIncident({ ctx: systemCtx(db), input: { environment, incident: demoIncident } });
        if (declared.declared) console.log(`demo: declared the incident "${demoIncident.title}" in ${environment}`);
        else if (declared.id === null) console.warn(`warning: the demo incident was not declared: ${declared.reason}`);
      } catch (error) {
        console.warn(`warning: the demo incident was not declared: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await db.$disconnect();
    let firstRunNote = "";
    if (admin.created) {
      firstRunNote = `First run: sign in as ${admin.email}`;
      if (admin.generatedPassword) {
        // Written to a private file rather than printed, so it never lands in terminal logs.
        const file = path.join(dataDir(), "secrets", "initial-admin-password");
        await writeFile(file, `${admin.generatedPassword}\n`, { mode: 0o600 });
        firstRunNote += ` with the password in ${file}`;
      }
    }

    if (process.env.RESTORE_CONSOLE_SKIP_BUILD !== "1" && (await buildIsStale())) {
      console.log("Building the dashboard (next build)…");
      await runToCompletion(path.join(BIN, "next"), ["build"], env);
    }

    const web = spawnPrefixed("web", path.join(BIN, "next"), ["start", "-H", host, "-p", String(port)], env);
    const worker = spawnPrefixed("worker", path.join(BIN, "tsx"), ["--conditions=react-server", "scripts/worker.ts"], env);
    cleanups.push(async () => {
      for (const child of [web, worker]) if (child.exitCode === null) child.kill("SIGTERM");
      await Promise.all([exited(web), exited(worker)]);
    });
    let stopping = false;
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.on(signal, () => {
        if (stopping) return;
        stopping = true;
        console.log("\nStopping…");
        void shutdown(0);
      });
    }
    for (const [name, child] of [
      ["web server", web],
      ["worker", worker],
    ] as const) {
      void exited(child).then((code) => {
        if (stopping) return;
        stopping = true;
        console.error(`The ${name} exited (code ${code}); stopping.`);
        void shutdown(1);
      });
    }

    await waitForHealth(`http://${host}:${port}`, 60_000);
    console.log(
      `\nRestore Console is ready: ${baseUrl}  (environment: ${config.source.kind === "demo" ? "built-in demo" : config.source.path})`,
    );
    if (firstRunNote) console.log(firstRunNote);
    console.log("Press Ctrl-C to stop.");
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await shutdown(1);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
