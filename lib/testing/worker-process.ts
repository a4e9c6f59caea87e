import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** SIGKILL: no clean-up, no lease release, exactly like a host that died. */
  kill(): Promise<void>;
}

/**
 * Starts lib/testing/short-lease-worker.ts in a child process (the app's env and configuration
 * are inherited) and resolves once its worker is polling. `react-server` resolves `server-only`.
 */
export async function startWorkerProcess(settings: { leaseMs: number; sweepEveryMs?: number; cron?: boolean }): Promise<WorkerProcess> {
  const script = path.join(import.meta.dirname, "short-lease-worker.ts");
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", script], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      TEST_WORKER_LEASE_MS: String(settings.leaseMs),
      TEST_WORKER_SWEEP_EVERY_MS: String(settings.sweepEveryMs ?? 60_000),
      TEST_WORKER_CRON: settings.cron ? "1" : "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    if (child.stdout)
      createInterface({ input: child.stdout }).once("line", (line) => (line.includes("ready") ? resolve() : reject(new Error(line))));
    child.once("exit", () => reject(new Error(`the child worker exited: ${stderr}`)));
  });
  if (child.pid === undefined) throw new Error("the child worker has no pid");
  return {
    child,
    pid: child.pid,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
