import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";

/** s3rver's fixed credentials: it checks request signatures against these. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export interface LocalS3Server {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface S3ServerOptions {
  directory: string;
  port?: number;
  buckets: string[];
  /** While this file exists the server refuses every connection (a simulated outage); removed, it answers again. */
  outageFlag?: string;
  /** Told each time the server stops (true) or starts again (false) answering because of `outageFlag`. */
  onOutage?: (down: boolean) => void;
}

/** Starts s3rver on 127.0.0.1 in a child process (it needs OpenSSL's legacy provider; we don't). */
export async function startS3Server(options: S3ServerOptions): Promise<LocalS3Server> {
  await mkdir(options.directory, { recursive: true });
  const child = spawn(process.execPath, [path.join(import.meta.dirname, "s3-server-main.mjs")], {
    env: {
      ...process.env,
      NODE_OPTIONS: "--openssl-legacy-provider",
      S3_PORT: String(options.port ?? 0),
      S3_DIRECTORY: options.directory,
      S3_BUCKETS: options.buckets.join(","),
      S3_OUTAGE_FLAG: options.outageFlag ?? "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      let message: { port?: unknown; outage?: unknown };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        return reject(new Error(`unexpected output from s3rver: ${line}`));
      }
      if (typeof message.port === "number") resolve(message.port);
      else if (typeof message.outage === "boolean") options.onOutage?.(message.outage);
    });
    child.once("exit", (code) => reject(new Error(`s3rver exited (${code}): ${stderr.trim()}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
